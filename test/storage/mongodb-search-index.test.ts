/**
 * The word index on a MongoDB-wire server (issue 15.3), counted on the driver's command monitor:
 *  - a search reads only by `_id` (the one filter FerretDB 1.x serves from its index; it scans for any other), and
 *    sends the same commands whether few or many contracts hold its word (GRIOT_SEARCH_MAX_CANDIDATES bounds them);
 *  - a write cut short after its contract step leaves its record in `search_pending`; the next write of the
 *    contract takes the dead claim over and settles it, and the index then holds exactly the contract's words;
 *  - a database whose contracts predate the word index (SEARCH_VERSION 3, no `search_words`) is indexed at start-up.
 */
import { inject, expect, it } from 'vitest';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { contractPostings } from '../../src/storage/mongodb/search-fields.js';
import { postingField } from '../../src/storage/mongodb/search-index.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

const doc = (name: string, properties: string[]) => contractDocument({ name, schemas: { [`${name}_t`]: properties.map((p) => ({ name: p })) } });

/** The commands `run` sends, each as `command collection filter-shape` (`_id` for one `_id` string equality). */
async function commandsOf(storage: MongoStorageBackend, run: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const listener = (event: { commandName: string; command: Record<string, any> }) => {
    const c = event.command;
    const filter = event.commandName === 'find' ? c.filter : event.commandName === 'aggregate' ? c.pipeline : undefined;
    const byId = filter && typeof filter === 'object' && Object.keys(filter).length === 1 && typeof filter._id === 'string';
    sent.push(`${event.commandName} ${String(c[event.commandName])} ${byId ? '_id' : JSON.stringify(filter)}`);
  };
  storage.client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    storage.client.off('commandStarted', listener);
  }
  return sent.sort();
}

/** The words the index holds for a contract. */
async function indexedWords(storage: MongoStorageBackend, id: string): Promise<string[]> {
  const field = `p.${postingField(id)}`;
  const docs = await storage.db.collection('search_words').find({ [field]: { $exists: true } }, { projection: { _id: 1 } }).toArray();
  return docs.map((d) => String(d._id).replace(/^w:(.*)#\d+$/, '$1')).sort();
}

it('searches by `_id` point reads alone, the same commands at any number of contracts', async () => {
  const storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), monitorCommands: true, searchMaxCandidates: 4 });
  try {
    for (let i = 0; i < 5; i++) await storage.contracts.create({ document: doc(`walrus_${i}`, ['tusk', `walrus_id`]) }, 't');
    const search = async () => {
      const page = await storage.contracts.search('walrus tusk', { first: 2 });
      expect(page.items).toHaveLength(2);
      expect(await page.totalCount()).toBe(4);
    };
    await search(); // warm
    const few = await commandsOf(storage, search);
    for (let i = 5; i < 15; i++) await storage.contracts.create({ document: doc(`walrus_${i}`, ['tusk', `walrus_id`]) }, 't');
    const many = await commandsOf(storage, search);
    expect(many).toEqual(few);
    expect(few.length).toBeGreaterThan(0);
    for (const c of few) expect(c).toMatch(/^find \S+ _id$/);
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
});

it('settles the word index of a write cut short when the contract is next written', async () => {
  const database = testDatabaseName();
  let cut = false;
  const storage = await createMongoStorage({
    uri: inject('mongodbUri'),
    database,
    claimLeaseMs: 300,
    repairIntervalMs: 0,
    faults: (step) => {
      if (cut && step === 'update:contract') throw new Error('killed');
    },
  });
  try {
    const created = await storage.contracts.create({ document: doc('puffin', ['beak', 'wing']) }, 't');
    cut = true;
    await expect(
      storage.contracts.update({ id: created.id, expectedRevision: 1, document: doc('puffin', ['beak', 'burrow']), acceptBreakingChanges: true }, 't'),
    ).rejects.toThrow('killed');
    cut = false;
    // The contract moved; the index already holds its new words and no longer the one it lost.
    expect((await storage.contracts.search('burrow', { first: 5 })).items.map((h) => h.contract.name)).toEqual(['puffin']);
    expect((await storage.contracts.search('wing', { first: 5 })).items).toEqual([]);
    expect(await storage.db.collection('search_pending').countDocuments({ _id: created.id as never })).toBe(1);
    await new Promise((r) => setTimeout(r, 400)); // the cut write's claim is dead
    const current = (await storage.contracts.getById(created.id))!;
    const next = await storage.contracts.update({ id: created.id, expectedRevision: current.revision, document: doc('puffin', ['beak', 'burrow', 'egg']) }, 't');
    expect(await storage.db.collection('search_pending').countDocuments({})).toBe(0);
    expect(await indexedWords(storage, created.id)).toEqual([...contractPostings(next).keys()].sort());
    const deleted = await storage.contracts.delete(created.id, null, 't');
    expect(await indexedWords(storage, deleted.id)).toEqual([]);
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
});

it('indexes at start-up the contracts stored before the word index', async () => {
  const options = { uri: inject('mongodbUri'), database: testDatabaseName() };
  const first = await createMongoStorage(options);
  try {
    await first.contracts.create({ document: doc('gannet', ['dive_depth']) }, 't');
    await first.contracts.create({ document: doc('shag', ['dive_depth', 'crest']) }, 't');
    await first.db.collection('search_words').drop();
    await first.db.collection('contracts').updateMany({}, { $set: { searchVersion: 3 } });
    expect((await first.contracts.search('dive', { first: 5 })).items).toEqual([]);
  } finally {
    await first.close();
  }
  const second = await createMongoStorage(options);
  try {
    expect((await second.contracts.search('dive', { first: 5 })).items.map((h) => h.contract.name).sort()).toEqual(['gannet', 'shag']);
    expect((await second.contracts.search('crest', { first: 5 })).items.map((h) => h.contract.name)).toEqual(['shag']);
  } finally {
    await second.dropDatabase();
    await second.close();
  }
});
