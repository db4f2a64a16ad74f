/**
 * How batch reads and `_id`-with-condition writes are chosen (src/storage/mongodb/capabilities.ts): from the
 * server's own explain. The shapes below are what FerretDB 1.24 answers (measured here) and what MongoDB answers
 * (its plan stages; no MongoDB runs in this environment, so its shape is given, not measured); the live server's
 * detection must agree with its explain.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { batchReadsFromExplain } from '../../src/storage/mongodb/capabilities.js';
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
