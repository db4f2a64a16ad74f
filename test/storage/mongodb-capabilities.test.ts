/**
 * How batch reads and `_id`-with-condition writes are chosen (src/storage/mongodb/capabilities.ts): from the
 * server's own explain. The shapes below are what FerretDB 1.24 answers (measured here) and what MongoDB answers
 * (its plan stages; no MongoDB runs in this environment, so its shape is given, not measured); the live server's
 * detection must agree with its explain.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { batchReadsFromExplain } from '../../src/storage/mongodb/capabilities.js';
import { ID_READS_PROBE_ROWS, idReadsFromExplain } from '../../src/storage/mongodb/id-reads.js';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { mongoBackend } from '../support/backends.js';

let storage: MongoStorageBackend;
let dispose: () => Promise<void>;
beforeAll(async () => {
  ({ storage, dispose } = await mongoBackend.create());
});
afterAll(() => dispose());

it('reads a FerretDB answer by its filterPushdown flag and a MongoDB answer by its plan stages', () => {
  expect(batchReadsFromExplain({ filterPushdown: false, queryPlanner: { Plan: ['SCAN p'] } })).toBe('points');
  expect(batchReadsFromExplain({ filterPushdown: true })).toBe('in');
  expect(batchReadsFromExplain({ queryPlanner: { winningPlan: { stage: 'FETCH', inputStage: { stage: 'IXSCAN', indexName: '_id_' } } } })).toBe('in');
  expect(batchReadsFromExplain({ queryPlanner: { winningPlan: { stage: 'COLLSCAN' } } })).toBe('points');
  expect(batchReadsFromExplain({ ok: 1 })).toBe('points');
});

it('detects on the live server what its explain says for `_id: {$in}` and `{_id, v}`', async () => {
  const name = 'explain_probe';
  await storage.db.collection(name).insertMany([{ _id: 'a' as never, v: 1 }, { _id: 'b' as never, v: 2 }]);
  const inPlan = await storage.db.command({ explain: { find: name, filter: { _id: { $in: ['a', 'b'] } } }, verbosity: 'queryPlanner' });
  const condPlan = await storage.db.command({ explain: { find: name, filter: { _id: 'a', v: 1 } }, verbosity: 'queryPlanner' });
  expect(storage.capabilities.batchReads).toBe(batchReadsFromExplain(inPlan));
  expect(storage.capabilities.idConditions).toBe(batchReadsFromExplain(condPlan) === 'in');
});

it('reads `_id` reads from a PostgreSQL plan by its node types, from a MongoDB plan by its stages, else unknown', () => {
  // FerretDB 1.24 on PostgreSQL as measured: stock (btree only) and with the GIN companion indexes
  const seq = { queryPlanner: { Plan: { 'Node Type': 'Seq Scan', Filter: "((t._jsonb -> '_id'::text) @> '\"k1\"'::jsonb)" } } };
  const gin = { queryPlanner: { Plan: { 'Node Type': 'Bitmap Heap Scan', Plans: [{ 'Node Type': 'Bitmap Index Scan', 'Index Name': 't__id__67399184_idx_gin' }] } } };
  expect(idReadsFromExplain(seq)).toEqual({ kind: 'postgresql', reads: 'scan' });
  expect(idReadsFromExplain(gin)).toEqual({ kind: 'postgresql', reads: 'index' });
  expect(idReadsFromExplain({ queryPlanner: { winningPlan: { stage: 'EXPRESS_IXSCAN' } } })).toEqual({ kind: 'mongodb', reads: 'index' });
  expect(idReadsFromExplain({ queryPlanner: { winningPlan: { stage: 'COLLSCAN' } } })).toEqual({ kind: 'mongodb', reads: 'scan' });
  // FerretDB 1.24 on SQLite: SQLite's plan lines, stock and with the companion index (src/embedded/sqlite-companions.ts)
  expect(idReadsFromExplain({ queryPlanner: { Plan: ['id=2 parent=0 notused=0 detail=SCAN t'] }, filterPushdown: true })).toEqual({ kind: 'sqlite', reads: 'scan' });
  const companion = ['id=3 parent=0 notused=0 detail=SEARCH t USING INDEX t__griot_sjson_id (<expr>=?)'];
  expect(idReadsFromExplain({ queryPlanner: { Plan: companion }, filterPushdown: true })).toEqual({ kind: 'sqlite', reads: 'index' });
  expect(idReadsFromExplain({ queryPlanner: { Plan: ['something else'] } })).toEqual({ kind: 'other', reads: 'unknown' });
  expect(idReadsFromExplain({ ok: 1 })).toEqual({ kind: 'other', reads: 'unknown' });
});

it('detects `_id` reads as the live server explains them on a filled collection', async () => {
  const probe = storage.db.collection<{ _id: string }>('id_reads_probe');
  await probe.insertMany(Array.from({ length: ID_READS_PROBE_ROWS }, (_, i) => ({ _id: `k${i}` })));
  const explain = (find: string) => storage.db.command({ explain: { find, filter: { _id: 'k1' } }, verbosity: 'queryPlanner' });
  let explained = idReadsFromExplain(await explain('id_reads_probe'));
  // SQLite: companion indexes are per table, so start-up asked the database's own `contracts` (id-reads.ts)
  if (explained.kind === 'sqlite') explained = idReadsFromExplain(await explain('contracts'));
  expect(explained.reads).not.toBe('unknown');
  expect(storage.capabilities.idReads).toBe(explained.reads);
  if (explained.kind === 'postgresql') console.log(`FerretDB on PostgreSQL: _id reads ${explained.reads} (scripts/test-db.sh installs the companion indexes unless GRIOT_PG_COMPANION_INDEXES=0)`);
});

it('finds conditional updates atomic only where concurrent writers of one revision never both win', async () => {
  const probe = storage.db.collection<{ _id: string; revision: number }>('atomicity_check');
  await probe.insertOne({ _id: 'x', revision: 0 });
  let doubleWins = 0;
  for (let round = 0; round < 20; round++) {
    const results = await Promise.all(
      Array.from({ length: 8 }, () => probe.findOneAndUpdate({ _id: 'x', revision: round }, { $set: { revision: round + 1 } })),
    );
    const winners = results.filter((r) => r !== null).length;
    if (winners > 1) doubleWins++;
    if (winners === 0) break; // a lost update: not atomic either
  }
  console.log(`atomic conditional updates: probe says ${storage.capabilities.atomicConditionalUpdates}; rounds with two winners here: ${doubleWins} of 20`);
  expect(typeof storage.capabilities.atomicConditionalUpdates).toBe('boolean');
  if (doubleWins > 0) expect(storage.capabilities.atomicConditionalUpdates).toBe(false);
  if (storage.capabilities.atomicConditionalUpdates) expect(doubleWins).toBe(0);
});
