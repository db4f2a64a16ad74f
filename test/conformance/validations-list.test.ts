/**
 * Conformance: the ValidationRepository of every backend — list, paging and the records of a run.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { ValidationError } from '../../src/domain/errors.js';
import type { RecordValidationInput } from '../../src/domain/validations.js';
import type { StorageBackend, ValidationFilter } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, cmp, collectPages, ids, rejection, useBackend } from './helpers.js';

const T0 = new Date('2030-03-01T08:00:00.000Z');
const T1 = new Date('2030-03-01T09:00:00.000Z');
const T2 = new Date('2030-03-01T10:00:00.000Z');
const T3 = new Date('2030-03-01T11:00:00.000Z');

/** A contract at version 1.1.0 (version 1.0.0 is its first version). */
async function contract(storage: StorageBackend, name = 'orders'): Promise<Contract> {
  const created = await storage.contracts.create({ document: contractDocument({ name, version: '1.0.0' }) }, 'alice');
  return storage.contracts.update({ id: created.id, expectedRevision: 1, document: contractDocument({ name, version: '1.1.0' }) }, 'alice');
}

function input(c: Contract, extra: Partial<RecordValidationInput> = {}): RecordValidationInput {
  return { contractId: c.id, schemaName: 'orders', passed: true, rowCount: 100, errorCount: 0, ...extra };
}

async function recordCount(storage: StorageBackend, filter: ValidationFilter = {}): Promise<number> {
  return (await storage.validations.list(filter, 'asc', { first: 1 })).totalCount();
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().validations;

  // -------------------------------------------------------------------------------------------------------------
  describe('list', () => {
    async function seed() {
      const a = await contract(storage(), 'a');
      const b = await contract(storage(), 'b');
      const run = await storage().runs.start({ contractId: a.id, contractVersion: '1.0.0', pipelineId: 'p' }, 'ci');
      const push = (time: Date, c: Contract, extra: Partial<RecordValidationInput>) => at(time, async () => (await repo().record(input(c, extra), 'ci')).record);
      const r = {
        r1: await push(T0, a, { runId: run.id, environment: 'prod' }),
        r2: await push(T1, a, { runId: run.id, passed: false, environment: 'prod' }),
        r3: await push(T1, a, { environment: 'dev' }),
        r4: await push(T1, b, { passed: false }),
        r5: await push(T2, a, { contractVersion: '1.0.0', passed: false, environment: 'dev' }),
        r6: await push(T3, b, { environment: 'prod' }),
      };
      return { a, b, run, r };
    }

    it('orders by recordedAt then id, both directions, page by page', async () => {
      const { r } = await seed();
      const expected = Object.values(r)
        .sort((x, y) => cmp(x.recordedAt.getTime(), y.recordedAt.getTime()) || cmp(x.id, y.id))
        .map((x) => x.id);
      expect(ids(await all((page) => repo().list({}, 'asc', page)))).toEqual(expected);
      for (const direction of ['asc', 'desc'] as const) {
        const { items, totalCounts } = await collectPages((page) => repo().list({}, direction, page), 2);
        expect(ids(items)).toEqual(direction === 'asc' ? expected : [...expected].reverse());
        expect(new Set(totalCounts)).toEqual(new Set([6]));
      }
      const error = await rejection(repo().list({}, 'asc', { first: 1, after: 'not-a-cursor' }), ValidationError);
      expect(error.issues[0]?.path).toBe('after');
    });

    it('filters by each field alone and combined', async () => {
      const { a, b, run, r } = await seed();
      const keys = async (filter: ValidationFilter) =>
        (await all((page) => repo().list(filter, 'asc', page))).map((rec) => Object.entries(r).find(([, v]) => v.id === rec.id)?.[0]).sort();
      expect(await keys({ contractId: a.id })).toEqual(['r1', 'r2', 'r3', 'r5']);
      expect(await keys({ contractId: b.id })).toEqual(['r4', 'r6']);
      expect(await keys({ contractVersion: '1.0.0' })).toEqual(['r1', 'r2', 'r5']);
      expect(await keys({ runId: run.id })).toEqual(['r1', 'r2']);
      expect(await keys({ environment: 'dev' })).toEqual(['r3', 'r5']);
      expect(await keys({ passed: false })).toEqual(['r2', 'r4', 'r5']);
      expect(await keys({ passed: true })).toEqual(['r1', 'r3', 'r6']);
      expect(await keys({ from: T1, to: T3 })).toEqual(['r2', 'r3', 'r4', 'r5']);
      expect(await keys({ contractId: a.id, passed: false, environment: 'prod' })).toEqual(['r2']);
      expect(await keys({ contractId: a.id, contractVersion: '1.1.0', from: T1 })).toEqual(['r3']);
      expect(await recordCount(storage(), { contractId: a.id, environment: 'dev' })).toBe(2);
    });

    it('lists the records of many runs at once, oldest first', async () => {
      const { a, run, r } = await seed();
      const other = await storage().runs.start({ contractId: a.id, pipelineId: 'q' }, 'ci');
      const late = await at(T3, async () => (await repo().record(input(a, { runId: other.id }), 'ci')).record);
      const early = await at(T0, async () => (await repo().record(input(a, { runId: other.id }), 'ci')).record);
      const lists = await repo().listByRunIds([other.id, 'no-such-run', run.id, other.id]);
      expect(lists.map((list) => ids(list))).toEqual([[early.id, late.id], [], [r.r1.id, r.r2.id], [early.id, late.id]]);
      expect(lists[2]).toEqual([r.r1, r.r2]);
      expect(await repo().listByRunIds([])).toEqual([]);
    });
  });

});
