/**
 * Conformance: the word index of the portable search (issue 15.3) on a real MongoDB-wire server (FerretDB here).
 * Two storage instances on one database stand for two servers: each writes, each runs its own indexer, and
 * every search on either finds exactly the contracts as they are, whatever the indexers' progress: while they
 * race each other during concurrent creates, updates and deletes, and once both caught up (when a search reads
 * the index alone: no scan of the contracts). A write cut between its commit and its events (the recorder's
 * afterWrite hook throws: the intent stays) is exact before the repair pass, and after it.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Locator } from '../../src/storage/events/collect.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { ContractSearchPage } from '../../src/storage/types.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

const CRASH = 'simulated crash between the write and its events';

describe('search word index (FerretDB)', () => {
  const opened: MongoStorageBackend[] = [];
  let database = testDatabaseName();
  let crashOn: ((where: Locator) => boolean) | null = null;

  async function open(): Promise<MongoStorageBackend> {
    const storage = await createMongoStorage({
      uri: inject('mongodbUri'),
      database,
      monitorCommands: true,
      operationTimeoutMs: 60_000, // two instances and their indexers on a loaded test machine
      // The timer off: the tests start the indexers themselves (searches still start them when lagging).
      searchIndex: { intervalMs: 0, batch: 7, tailMax: 1_000, lag: 4 },
      eventFaults: {
        afterWrite: (where) => {
          if (crashOn?.(where)) throw new Error(CRASH);
        },
      },
    });
    opened.push(storage);
    return storage;
  }

  afterEach(async () => {
    crashOn = null;
    await opened[0]?.dropDatabase().catch(() => undefined);
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    database = testDatabaseName();
  });

  function doc(name: string, words: string[]) {
    return contractDocument({ name, purpose: `About ${words.join(' ')}.`, schemas: { [`${name}_t`]: words.map((w) => ({ name: `${w}_code` })) } });
  }

  async function hits(storage: MongoStorageBackend, query: string): Promise<{ names: string[]; total: number; statuses: Record<string, number> }> {
    const page: ContractSearchPage = await storage.contracts.search(query, { first: 100 });
    expect(page.hasNextPage).toBe(false);
    const statuses = Object.fromEntries((await page.facets()).status.map((f) => [f.value, f.count]));
    return { names: page.items.map((h) => h.contract.name).sort(), total: await page.totalCount(), statuses };
  }

  async function expectExact(storages: MongoStorageBackend[], query: string, names: string[]): Promise<void> {
    const expected = [...names].sort();
    for (const s of storages) {
      const got = await hits(s, query);
      expect(got.names).toEqual(expected);
      expect(got.total).toBe(expected.length);
      expect(Object.values(got.statuses).reduce((a, b) => a + b, 0)).toBe(expected.length);
    }
  }

  /** Scans of the contracts collection (finds other than one `_id` equality) while `run` runs. */
  async function contractScans(storage: MongoStorageBackend, run: () => Promise<unknown>): Promise<number> {
    let scans = 0;
    const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.commandName !== 'find' || event.command.find !== 'contracts') return;
      const filter = event.command.filter as Record<string, unknown> | undefined;
      const keys = filter ? Object.keys(filter) : [];
      if (!(keys.length === 1 && keys[0] === '_id')) scans++; // reads by id (one, or an `$in` where that is an index read)
    };
    storage.client.on('commandStarted', listener);
    try {
      await run();
    } finally {
      storage.client.off('commandStarted', listener);
    }
    return scans;
  }

  it('answers from the index alone once it caught up, the same hits as before', async () => {
    const a = await open();
    for (let i = 0; i < 12; i++) await a.contracts.create({ document: doc(`wombat_${i}`, i % 3 === 0 ? ['wombat', 'burrow'] : ['wombat']) }, 'alice');
    const before = await hits(a, 'wombat burrow');
    await a.searchIndex!.catchUp();
    let after: Awaited<ReturnType<typeof hits>> | undefined;
    expect(await contractScans(a, async () => (after = await hits(a, 'wombat burrow')))).toBe(0);
    expect(after).toEqual(before);
    expect(before.total).toBe(12);
    const ranked = await a.contracts.search('burrow', { first: 2 });
    expect(ranked.items.map((h) => h.contract.name)).toHaveLength(2);
    expect(await ranked.totalCount()).toBe(4);
  });

  it('two instances writing and indexing at once: every search on either is exact, round after round', async () => {
    const a = await open();
    const b = await open();
    const storages = [a, b];
    const live = new Map<string, { id: string; revision: number; storage: MongoStorageBackend; words: string[] }>();
    for (let round = 0; round < 2; round++) {
      // 16 creates at once, 8 through each instance, while both indexers run.
      const created = Array.from({ length: 16 }, (_, i) => `item_r${round}_${i}`);
      const indexing = Promise.all(storages.map((s) => s.searchIndex!.catchUp()));
      const results = await Promise.all(
        created.map(async (name, i) => {
          const storage = storages[i % 2]!;
          const words = i % 4 === 0 ? ['kiwi', 'feather'] : ['kiwi'];
          const c = await storage.contracts.create({ document: doc(name, words) }, 'alice');
          return { name, id: c.id, revision: c.revision, storage, words };
        }),
      );
      await indexing;
      for (const r of results) live.set(r.name, r);
      const holding = (w: string) => [...live].filter(([, c]) => c.words.includes(w)).map(([n]) => n);
      await expectExact(storages, 'kiwi', holding('kiwi'));
      await expectExact(storages, 'feather', holding('feather'));

      // At once: half of this round's contracts lose "kiwi" and gain "moa" (through the other instance), a quarter
      // are deleted, while both indexers run again.
      const indexingAgain = Promise.all(storages.map((s) => s.searchIndex!.catchUp()));
      await Promise.all(
        results.map(async (r, i) => {
          const other = r.storage === a ? b : a;
          if (i % 4 === 1) {
            await other.contracts.delete(r.id, r.revision, 'bob');
            live.delete(r.name);
          } else if (i % 2 === 0) {
            const words = r.words.includes('feather') ? ['moa', 'feather'] : ['moa'];
            const c = await other.contracts.update({ id: r.id, expectedRevision: r.revision, document: { ...doc(r.name, words), version: '2.0.0' }, acceptBreakingChanges: true }, 'bob');
            live.set(r.name, { ...r, revision: c.revision, storage: other, words });
          }
        }),
      );
      await indexingAgain;
      for (const query of ['kiwi', 'moa', 'feather']) await expectExact(storages, query, holding(query));
      // Caught up on both: the same answers, from the index alone.
      await Promise.all(storages.map((s) => s.searchIndex!.catchUp()));
      for (const query of ['kiwi', 'moa', 'feather']) {
        expect(await contractScans(b, () => expectExact([b], query, holding(query)))).toBe(0);
        await expectExact([a], query, holding(query));
      }
    }
  }, 240_000);

  it('a write cut before its events is exact at once and after the repair pass; a cut delete leaves no stale hit', async () => {
    const a = await open();
    const b = await open();
    const kept = await a.contracts.create({ document: doc('rhea_kept', ['emu']) }, 'alice');
    const gone = await a.contracts.create({ document: doc('rhea_gone', ['emu']) }, 'alice');
    const moved = await a.contracts.create({ document: doc('rhea_moved', ['emu']) }, 'alice');
    await Promise.all([a, b].map((s) => s.searchIndex!.catchUp()));
    crashOn = () => true;
    await expect(a.contracts.create({ document: doc('rhea_new', ['emu']) }, 'alice')).rejects.toThrow(CRASH);
    await expect(a.contracts.delete(gone.id, gone.revision, 'alice')).rejects.toThrow(CRASH);
    await expect(a.contracts.update({ id: moved.id, expectedRevision: moved.revision, document: { ...doc('rhea_moved', ['cassowary']), version: '2.0.0' }, acceptBreakingChanges: true }, 'alice')).rejects.toThrow(CRASH);
    crashOn = null;
    await Promise.all([a, b].map((s) => s.searchIndex!.catchUp()));
    await expectExact([a, b], 'emu', ['rhea_kept', 'rhea_new']);
    await expectExact([a, b], 'cassowary', ['rhea_moved']);
    expect(await b.repairEvents(0)).toBe(3);
    await expectExact([a, b], 'emu', ['rhea_kept', 'rhea_new']);
    await Promise.all([a, b].map((s) => s.searchIndex!.catchUp()));
    for (const s of [a, b]) expect(await contractScans(s, () => expectExact([s], 'emu', ['rhea_kept', 'rhea_new']))).toBe(0);
    await expectExact([a, b], 'cassowary', ['rhea_moved']);
    expect(kept.id).toBeTruthy();
  }, 120_000);

  it('rebuilds from the contracts when the index was dropped or its positions expired', async () => {
    const a = await open();
    for (let i = 0; i < 5; i++) await a.contracts.create({ document: doc(`numbat_${i}`, ['numbat']) }, 'alice');
    await a.searchIndex!.catchUp();
    await a.db.collection('search_index').drop();
    await expectExact([a], 'numbat', ['numbat_0', 'numbat_1', 'numbat_2', 'numbat_3', 'numbat_4']);
    const b = await open(); // a fresh process: no version numbers known
    await b.searchIndex!.catchUp();
    expect(await contractScans(b, () => expectExact([b], 'numbat', ['numbat_0', 'numbat_1', 'numbat_2', 'numbat_3', 'numbat_4']))).toBe(0);
  });
  it('a restarted server goes on from the stored index: exact before it caught up, from the index alone after', async () => {
    const a = await open();
    const made = [];
    for (let i = 0; i < 6; i++) made.push(await a.contracts.create({ document: doc(`roo_${i}`, ['quokka']) }, 'alice'));
    await a.searchIndex!.catchUp();
    await a.close();
    opened.splice(opened.indexOf(a), 1);
    const b = await open(); // the restart: no version numbers known, the index as a left it
    await b.contracts.delete(made[0]!.id, made[0]!.revision, 'bob');
    await b.contracts.update({ id: made[1]!.id, expectedRevision: made[1]!.revision, document: { ...doc('roo_1', ['wallaby']), version: '2.0.0' }, acceptBreakingChanges: true }, 'bob');
    await expectExact([b], 'quokka', ['roo_2', 'roo_3', 'roo_4', 'roo_5']);
    await expectExact([b], 'wallaby', ['roo_1']);
    await b.searchIndex!.catchUp();
    for (const [query, names] of [['quokka', ['roo_2', 'roo_3', 'roo_4', 'roo_5']], ['wallaby', ['roo_1']]] as const) {
      expect(await contractScans(b, () => expectExact([b], query, [...names]))).toBe(0);
    }
  });
});
