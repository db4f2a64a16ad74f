/**
 * Conformance: the head of a word's version (search-index.ts, domain search-head.ts) on FerretDB, with heads of 3
 * entries. A one-word search reads the head alone when it proves its page is all there, and then every page
 * (forward and backward, deep ones too), totalCount, facet and filter is the same as the in-memory backend's, and as
 * the page read from every candidate: with equal scores across the cut, with writes after the version (a contract
 * of the rest moved above the head, one of the head deleted), and from versions written before heads existed; an
 * older release's index (its own chains) is neither read nor changed. The
 * rest is read only when needed: by a page the head cannot prove, by a selected totalCount or facets. A builder
 * whose head was taken by another's removes its own rest.
 */
import { afterEach, beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { SearchFilter } from '../../src/domain/search.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { StoredIndexDoc } from '../../src/storage/mongodb/search-index.js';
import type { PageRequest, StorageBackend } from '../../src/storage/types.js';
import { SearchContractsDocument, SearchContractsFacetsDocument, SearchContractsNodesDocument } from '../gql/graphql.js';
import { testDatabaseName } from '../support/backends.js';
import { createTestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { at } from './helpers.js';

/** Where a contract holds "ibis": the more places, the higher its score (the same places, the same score). */
type Place = 'schema' | 'property' | 'purpose' | 'twice';

function doc(name: string, places: Place[], tags: string[] = []) {
  const properties = [{ name: places.includes('property') ? 'ibis_code' : 'code' }, ...(places.includes('twice') ? [{ name: 'ibis' }] : [])];
  return contractDocument({
    name,
    purpose: places.includes('purpose') ? 'Sightings of the ibis.' : 'Sightings of birds.',
    schemas: { [places.includes('schema') ? `ibis_${name}` : `tbl_${name}`]: properties },
    extra: { tags },
  });
}

/** The contracts: one top, a group of five equal scores across the cut of 3, then lower ones; tags for filters. */
const SEED: [string, Place[], string[]][] = [
  ['toucan', ['schema', 'property', 'purpose'], ['gold']],
  ['egreta', ['schema', 'property'], []],
  ['egretb', ['schema', 'property'], ['gold']],
  ['egretc', ['schema', 'property'], []],
  ['egretd', ['schema', 'property'], ['gold']],
  ['egrete', ['schema', 'property'], []],
  ['heronb', ['property'], ['gold']],
  ['heronc', ['property'], []],
  ['storka', ['purpose'], []],
  ['storkb', ['purpose'], ['gold']],
  ['storkc', ['purpose'], []],
];

describe('search heads (FerretDB, heads of 3 entries)', () => {
  let database = testDatabaseName();
  const opened: MongoStorageBackend[] = [];
  let memory: StorageBackend;
  let mongo: MongoStorageBackend;
  /** Contract ids and revisions by name, on each backend. */
  const made = new Map<string, { mongo: { id: string; revision: number }; memory: { id: string; revision: number } }>();
  let clock = Date.parse('2026-01-01T00:00:00Z');

  async function open(): Promise<MongoStorageBackend> {
    const storage = await createMongoStorage({
      uri: inject('mongodbUri'),
      database,
      monitorCommands: true,
      operationTimeoutMs: 60_000,
      // The timer off and no search starts the indexer: the tests catch up themselves, so the reads counted are the search's.
      searchIndex: { intervalMs: 0, batch: 50, tailMax: 1_000, lag: 100_000, headEntries: 3 },
    });
    opened.push(storage);
    return storage;
  }

  beforeEach(async () => {
    memory = createMemoryStorage();
    mongo = await open();
  });

  afterEach(async () => {
    await opened[0]?.dropDatabase().catch(() => undefined);
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    await memory.close();
    made.clear();
    database = testDatabaseName();
  });

  /** Creates on both backends at one frozen moment, a second after the one before (so recency decides ties alike). */
  async function create(name: string, places: Place[], tags: string[] = [], time = (clock += 1_000)) {
    const [m, x] = await at(time, () => Promise.all([mongo.contracts.create({ document: doc(name, places, tags) }, 'alice'), memory.contracts.create({ document: doc(name, places, tags) }, 'alice')]));
    made.set(name, { mongo: { id: m.id, revision: m.revision }, memory: { id: x.id, revision: x.revision } });
  }

  async function seed(): Promise<void> {
    for (const [name, places, tags] of SEED) await create(name, places, tags);
  }

  /** Finds of rest documents (`…/r:<token>`) while `run` runs. */
  async function restReads(run: () => Promise<unknown>, storage = mongo): Promise<number> {
    let reads = 0;
    const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.commandName === 'find' && event.command.find === 'search_index' && JSON.stringify(event.command.filter).includes('/r:')) reads++;
    };
    storage.client.on('commandStarted', listener);
    try {
      await run();
    } finally {
      storage.client.off('commandStarted', listener);
    }
    return reads;
  }

  async function pageOf(storage: StorageBackend, query: string, request: PageRequest, filter: SearchFilter = {}) {
    const page = await storage.contracts.search(query, request, filter);
    const hits = page.items.map((h) => [h.contract.name, h.score, h.matchedFields]);
    return { hits, cursors: page.cursors, next: page.hasNextPage, previous: page.hasPreviousPage, page };
  }

  /** The page on MongoDB equals the in-memory one (and its count and facets, asked after the page). */
  async function expectSame(query: string, request: PageRequest, filter: SearchFilter = {}) {
    const [m, x] = [await pageOf(mongo, query, request, filter), await pageOf(memory, query, request, filter)];
    expect({ ...m, page: undefined }, JSON.stringify(request)).toEqual({ ...x, page: undefined });
    expect(await m.page.totalCount()).toBe(await x.page.totalCount());
    expect(await m.page.facets()).toEqual(await x.page.facets());
    return m;
  }

  /** Every page of every size, forward through `after` and backward through `before`, equal on both backends. */
  async function expectAllPagesSame(query: string, filter: SearchFilter = {}) {
    for (const size of [1, 2, 3, 4, 5, 12]) {
      let request: PageRequest = { first: size };
      for (let guard = 0; guard < 20; guard++) {
        const p = await expectSame(query, request, filter);
        if (!p.next) break;
        request = { first: size, after: p.cursors.at(-1)! };
      }
      request = { last: size };
      for (let guard = 0; guard < 20; guard++) {
        const p = await expectSame(query, request, filter);
        if (!p.previous) break;
        request = { last: size, before: p.cursors[0]! };
      }
    }
  }

  async function indexDocs(prefix: string): Promise<StoredIndexDoc[]> {
    const all = await mongo.db.collection<StoredIndexDoc>('search_index').find({}).toArray();
    return all.filter((d) => d._id.startsWith(prefix)).sort((a, b) => (a._id < b._id ? -1 : 1));
  }

  it('pages forward and backward, counts, facets and filters as the in-memory backend, the first pages from the head alone', async () => {
    await seed();
    await mongo.searchIndex!.catchUp();
    const [head] = await indexDocs('x:ibis#1');
    expect(head?.sorted).toBe(true);
    expect(head?.e?.map((e) => e.n)).toEqual(['toucan', 'egrete', 'egretd']); // best first: equal scores, newest first
    expect(head?.rest?.count).toBe(8);
    // Ahead of everything in the rest: the head's three (the first of the rest, egretc, ranks below them).
    for (const first of [1, 2]) expect(await restReads(() => expectSame('ibis', { first }))).toBe(1); // the count and facets read it, once
    for (const first of [1, 2]) expect(await restReads(() => mongo.contracts.search('ibis', { first }))).toBe(0);
    expect(await restReads(() => mongo.contracts.search('IBIS', { first: 2 }))).toBe(0); // the same query, as typed
    expect(await restReads(() => mongo.contracts.search('ibis', { first: 3 }))).toBe(1); // a fourth hit it cannot prove
    expect(await restReads(() => mongo.contracts.search('ibis', { last: 2 }))).toBe(1); // the end of the list
    await expectAllPagesSame('ibis');
    await expectAllPagesSame('Ibis!');
    for (const filter of [{ tag: 'gold' }, { tag: 'none' }, { status: ['draft' as const] }, { hasPii: true }]) await expectAllPagesSame('ibis', filter);
    // A filter that leaves fewer hits in the head than the page: read in full, the same page.
    expect(await restReads(() => mongo.contracts.search('ibis', { first: 2 }, { tag: 'gold' }))).toBe(1);
    // Multi-word queries read every entry, as before.
    await expectAllPagesSame('ibis sightings');
  }, 120_000);

  it('equal scores at one moment across the cut: the head page is the page of every candidate', async () => {
    const moment = (clock += 1_000);
    for (const name of ['ibisa', 'ibisb', 'ibisc', 'ibisd', 'ibise', 'ibisf']) await create(`x${name}`, ['schema', 'property'], [], moment);
    await mongo.searchIndex!.catchUp();
    const full = await pageOf(mongo, 'ibis', { first: 100 });
    expect(new Set(full.hits.map((h) => h[1])).size).toBe(1); // one score, one updatedAt: the id decides
    for (const first of [1, 2]) {
      let page: Awaited<ReturnType<typeof pageOf>> | undefined;
      expect(await restReads(async () => (page = await pageOf(mongo, 'ibis', { first })))).toBe(0);
      expect(page!.hits).toEqual(full.hits.slice(0, first));
      expect(page!.next).toBe(true);
    }
    const names = full.hits.map((h) => h[0]).sort();
    expect(names).toEqual((await pageOf(memory, 'ibis', { first: 100 })).hits.map((h) => h[0]).sort());
  });

  it('writes after the version: a contract of the rest moved above the head, one of the head deleted, two below the rest, exact before and after the indexer', async () => {
    await seed();
    await mongo.searchIndex!.catchUp();
    const storka = made.get('storka')!;
    const toucan = made.get('toucan')!;
    const moved = { ...doc('storka', ['schema', 'property', 'purpose', 'twice']), version: '2.0.0' };
    await at((clock += 1_000), async () => {
      await mongo.contracts.update({ id: storka.mongo.id, expectedRevision: storka.mongo.revision, document: moved, acceptBreakingChanges: true }, 'bob');
      await memory.contracts.update({ id: storka.memory.id, expectedRevision: storka.memory.revision, document: moved, acceptBreakingChanges: true }, 'bob');
    });
    await mongo.contracts.delete(toucan.mongo.id, toucan.mongo.revision, 'bob');
    await memory.contracts.delete(toucan.memory.id, toucan.memory.revision, 'bob');
    const first = await pageOf(mongo, 'ibis', { first: 2 });
    expect(first.hits.map((h) => h[0])).toEqual(['storka', 'egrete']);
    // The tail's contracts replace their entries: storka from the rest is ahead now, the deleted toucan is gone.
    expect(await restReads(() => mongo.contracts.search('ibis', { first: 2 }))).toBe(0);
    await expectAllPagesSame('ibis');
    await expectAllPagesSame('ibis ibis'); // one word, another phrase: only the scores bound what was left out
    // Two of the head fall below the rest: only what is still proven ahead is taken from the head.
    for (const name of ['egrete', 'egretd']) {
      const c = made.get(name)!;
      const lower = { ...doc(name, ['purpose']), version: '2.0.0' };
      await at((clock += 1_000), async () => {
        await mongo.contracts.update({ id: c.mongo.id, expectedRevision: c.mongo.revision, document: lower, acceptBreakingChanges: true }, 'bob');
        await memory.contracts.update({ id: c.memory.id, expectedRevision: c.memory.revision, document: lower, acceptBreakingChanges: true }, 'bob');
      });
    }
    expect(await restReads(() => mongo.contracts.search('ibis', { first: 1 }))).toBe(0);
    expect(await restReads(() => mongo.contracts.search('ibis', { first: 2 }))).toBe(1);
    expect((await pageOf(mongo, 'ibis', { first: 2 })).hits.map((h) => h[0])).toEqual(['storka', 'egretc']);
    await expectAllPagesSame('ibis');
    await mongo.searchIndex!.catchUp();
    const [head] = await indexDocs('x:ibis#2');
    expect(head?.e?.map((e) => e.n)).toEqual(['storka', 'egretc', 'egretb']);
    expect(await indexDocs('x:ibis#1/r:')).toEqual([]); // the stubbed version's rest is deleted
    expect(await restReads(() => mongo.contracts.search('ibis', { first: 2 }))).toBe(0);
    await expectAllPagesSame('ibis');
  }, 120_000);

  it('through GraphQL: a page alone reads no rest; a selected totalCount or facets reads it, once', async () => {
    await seed();
    await mongo.searchIndex!.catchUp();
    const client = createTestClient(mongo);
    let nodes: string[] = [];
    expect(await restReads(async () => (nodes = (await client.run(SearchContractsNodesDocument, { query: 'ibis', first: 2 })).searchContracts.nodes.map((n) => n.contract.name)))).toBe(0);
    expect(nodes).toEqual(['toucan', 'egrete']);
    let total = 0;
    expect(await restReads(async () => (total = (await client.run(SearchContractsDocument, { query: 'ibis', first: 2 })).searchContracts.totalCount))).toBe(1);
    expect(total).toBe(SEED.length);
    let statuses: { value: string; count: number }[] = [];
    expect(await restReads(async () => (statuses = (await client.run(SearchContractsFacetsDocument, { query: 'ibis', first: 2 })).searchContracts.facets.status))).toBe(1);
    expect(statuses).toEqual([{ value: 'DRAFT', count: SEED.length }]);
  });

  it('a builder whose head another builder took first removes its own rest', async () => {
    await seed();
    await mongo.searchIndex!.catchUp();
    const other = await open(); // a second server on the same database
    const egreta = made.get('egreta')!;
    await mongo.contracts.update({ id: egreta.mongo.id, expectedRevision: egreta.mongo.revision, document: { ...doc('egreta', ['property']), version: '2.0.0' }, acceptBreakingChanges: true }, 'bob');
    // This server's indexer builds version 2 of "ibis"; right before its heads go in, the other server's indexer
    // builds and commits the same version (a race, made certain).
    const index = mongo.searchIndex!.index;
    const insertMany = index.insertMany.bind(index);
    let raced = false;
    const spy = vi.spyOn(index, 'insertMany').mockImplementation(async (docs, options) => {
      if (!raced && docs.some((d) => d._id === 'x:ibis#2')) {
        raced = true;
        await other.searchIndex!.catchUp();
      }
      return insertMany(docs, options);
    });
    try {
      await mongo.searchIndex!.catchUp();
    } finally {
      spy.mockRestore();
    }
    expect(raced).toBe(true);
    const [head] = await indexDocs('x:ibis#2');
    const rests = await indexDocs('x:ibis#2/r:');
    expect(rests.map((d) => d._id)).toEqual([head!.rest!._id]); // the other builder's, referenced by its head
    expect(await indexDocs('x:ibis#1/r:')).toEqual([]);
    await memory.contracts.update({ id: egreta.memory.id, expectedRevision: egreta.memory.revision, document: { ...doc('egreta', ['property']), version: '2.0.0' }, acceptBreakingChanges: true }, 'bob');
    expect((await pageOf(mongo, 'ibis', { first: 100 })).hits.map((h) => h[0])).toEqual((await pageOf(memory, 'ibis', { first: 100 })).hits.map((h) => h[0]));
  });

  it('a version written before heads existed (all entries, unsorted, no rest) reads right, and the next version has a head', async () => {
    await seed();
    await mongo.searchIndex!.catchUp();
    const collection = mongo.db.collection<StoredIndexDoc>('search_index');
    const [head] = await indexDocs('x:ibis#1');
    const [rest] = await indexDocs('x:ibis#1/r:');
    const everything = [...rest!.e!, ...head!.e!].reverse();
    await collection.replaceOne({ _id: head!._id }, { upTo: head!.upTo, e: everything });
    await collection.deleteOne({ _id: rest!._id });
    await expectAllPagesSame('ibis');
    expect(await restReads(() => mongo.contracts.search('ibis', { first: 2 }))).toBe(0);
    const heronc = made.get('heronc')!;
    const update = { ...doc('heronc', ['property', 'purpose']), version: '2.0.0' };
    await at((clock += 1_000), async () => {
      await mongo.contracts.update({ id: heronc.mongo.id, expectedRevision: heronc.mongo.revision, document: update, acceptBreakingChanges: true }, 'bob');
      await memory.contracts.update({ id: heronc.memory.id, expectedRevision: heronc.memory.revision, document: update, acceptBreakingChanges: true }, 'bob');
    });
    await expectAllPagesSame('ibis');
    await mongo.searchIndex!.catchUp();
    const [next] = await indexDocs('x:ibis#2');
    expect(next?.sorted).toBe(true);
    expect(next?.rest?.count).toBe(SEED.length - 3);
    await expectAllPagesSame('ibis');
  }, 120_000);

  it("never reads nor changes an older release's index (chains w: and g without heads; v: and p of postings subdocuments)", async () => {
    // What a server of an older release left, and goes on using in a rolling deploy: a complete progress version and a
    // version of "ibis" that holds a contract no longer there. Read by this release, it would show that contract.
    const collection = mongo.db.collection<StoredIndexDoc>('search_index');
    const ghost = { c: 'ghost-id', n: 'ghost', u: Date.now(), s: 'draft' as const, o: null, d: null, t: [], pii: false, p: [0, 100] };
    const older: StoredIndexDoc[] = [
      { _id: 'g#1', upTo: 1_000_000, searchVersion: 3 },
      { _id: 'g', n: 1 },
      { _id: 'w:ibis#1', upTo: 1_000_000, e: [ghost] },
      { _id: 'w:ibis', n: 1 },
      // and one that stored postings as a subdocument (its chains v: and p), whose versions have heads
      { _id: 'p#1', upTo: 1_000_000, searchVersion: 3 },
      { _id: 'p', n: 1 },
      { _id: 'v:ibis#1', upTo: 1_000_000, sorted: true, e: [ghost] },
      { _id: 'v:ibis', n: 1 },
    ];
    await collection.insertMany(older);
    await seed();
    await mongo.searchIndex!.catchUp();
    await expectAllPagesSame('ibis');
    expect((await pageOf(mongo, 'ibis', { first: 100 })).hits.map((h) => h[0])).not.toContain('ghost');
    expect((await indexDocs('x:ibis#1')).map((d) => d._id)).toContain('x:ibis#1'); // this release's chain, built from the contracts
    expect(await collection.find({ _id: { $in: older.map((d) => d._id) } }).sort({ _id: 1 }).toArray()).toEqual([...older].sort((a, b) => (a._id < b._id ? -1 : 1)));
  }, 120_000);
});
