/**
 * Conformance: the ValidationRepository of every backend — the validation statistics.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { ValidationError } from '../../src/domain/errors.js';
import { statsOf, type ValidationStats } from '../../src/domain/stats.js';
import type { RecordValidationInput } from '../../src/domain/validations.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, rejection, useBackend } from './helpers.js';

/** A contract at version 1.1.0 (version 1.0.0 is its first version). */
async function contract(storage: StorageBackend, name = 'orders'): Promise<Contract> {
  const created = await storage.contracts.create({ document: contractDocument({ name, version: '1.0.0' }) }, 'alice');
  return storage.contracts.update({ id: created.id, expectedRevision: 1, document: contractDocument({ name, version: '1.1.0' }) }, 'alice');
}

function input(c: Contract, extra: Partial<RecordValidationInput> = {}): RecordValidationInput {
  return { contractId: c.id, schemaName: 'orders', passed: true, rowCount: 100, errorCount: 0, ...extra };
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().validations;

  // -------------------------------------------------------------------------------------------------------------
  describe('stats', () => {
    const D1 = new Date('2030-03-01T00:00:00.000Z');
    const D2 = new Date('2030-03-02T00:00:00.000Z');
    const D3 = new Date('2030-03-03T00:00:00.000Z');
    const D4 = new Date('2030-03-04T00:00:00.000Z');

    /** Six records over three days, two versions and three environments; two just outside; one of another contract. */
    async function seed(): Promise<Contract> {
      const c = await contract(storage());
      const other = await contract(storage(), 'other');
      const push = (time: string, extra: Partial<RecordValidationInput>, on = c) => at(new Date(time), () => repo().record(input(on, extra), 'ci'));
      await push('2030-03-01T01:00:00.000Z', { contractVersion: '1.0.0', environment: 'prod', passed: true, rowCount: 100, errorCount: 0, durationMs: 100 });
      await push('2030-03-01T13:00:00.000Z', { contractVersion: '1.0.0', environment: 'dev', passed: false, rowCount: 50, errorCount: 5, durationMs: 300 });
      await push('2030-03-02T00:00:00.000Z', { environment: 'prod', passed: true, rowCount: 200, errorCount: 0, durationMs: 200 });
      await push('2030-03-02T23:59:59.999Z', { environment: 'prod', passed: false, rowCount: 10, errorCount: 10 });
      await push('2030-03-03T12:00:00.000Z', { environment: 'dev', passed: true, rowCount: 0, errorCount: 0, durationMs: 50 });
      await push('2030-03-03T12:00:00.000Z', { contractVersion: '1.0.0', passed: true, rowCount: 40, errorCount: 2, durationMs: 1000 });
      // outside the window, or of another contract
      await push('2030-02-28T23:59:59.999Z', { contractVersion: '1.0.0', environment: 'prod', passed: true, rowCount: 999, errorCount: 9, durationMs: 5 });
      await push('2030-03-04T00:00:00.000Z', { contractVersion: '1.0.0', environment: 'prod', passed: false, rowCount: 999, errorCount: 9, durationMs: 5 });
      await push('2030-03-02T12:00:00.000Z', { environment: 'prod', passed: false, rowCount: 999, errorCount: 9, durationMs: 5 }, other);
      return c;
    }

    const day = (d: string, total: number, passed: number, rows: number, errors: number) => ({ day: d, total, passed, failed: total - passed, rows, errors });

    it('computes every number over the window, per day', async () => {
      const c = await seed();
      const stats = await repo().stats({ contractId: c.id, from: D1, to: D4 });
      expect(stats).toEqual<ValidationStats>({
        total: 6,
        passed: 4,
        failed: 2,
        passRate: 4 / 6,
        rows: 400,
        errors: 17,
        avgDurationMs: 330, // (100 + 300 + 200 + 50 + 1000) / 5: the record without a duration does not count
        p95DurationMs: 1000, // nearest rank: ceil(0.95 × 5) = 5th of [50, 100, 200, 300, 1000]
        timeline: [day('2030-03-01', 2, 1, 150, 5), day('2030-03-02', 2, 1, 210, 10), day('2030-03-03', 2, 2, 40, 2)],
      });
    });

    it('filters by version and by environment', async () => {
      const c = await seed();
      expect(await repo().stats({ contractId: c.id, contractVersion: '1.0.0', from: D1, to: D4 })).toEqual<ValidationStats>({
        total: 3,
        passed: 2,
        failed: 1,
        passRate: 2 / 3,
        rows: 190,
        errors: 7,
        avgDurationMs: 1400 / 3,
        p95DurationMs: 1000,
        timeline: [day('2030-03-01', 2, 1, 150, 5), day('2030-03-03', 1, 1, 40, 2)],
      });
      expect(await repo().stats({ contractId: c.id, environment: 'prod', from: D1, to: D4 })).toEqual<ValidationStats>({
        total: 3,
        passed: 2,
        failed: 1,
        passRate: 2 / 3,
        rows: 310,
        errors: 10,
        avgDurationMs: 150,
        p95DurationMs: 200, // ceil(0.95 × 2) = 2nd of [100, 200]
        timeline: [day('2030-03-01', 1, 1, 100, 0), day('2030-03-02', 2, 1, 210, 10)],
      });
      expect(await repo().stats({ contractId: c.id, contractVersion: '1.1.0', environment: 'dev', from: D1, to: D4 })).toEqual<ValidationStats>({
        total: 1,
        passed: 1,
        failed: 0,
        passRate: 1,
        rows: 0,
        errors: 0,
        avgDurationMs: 50,
        p95DurationMs: 50,
        timeline: [day('2030-03-03', 1, 1, 0, 0)],
      });
    });

    it('counts only the days of the window', async () => {
      const c = await seed();
      expect(await repo().stats({ contractId: c.id, from: D2, to: D3 })).toEqual<ValidationStats>({
        total: 2,
        passed: 1,
        failed: 1,
        passRate: 0.5,
        rows: 210,
        errors: 10,
        avgDurationMs: 200,
        p95DurationMs: 200,
        timeline: [day('2030-03-02', 2, 1, 210, 10)],
      });
    });

    it('gives zeros and nulls for a window without records, and for an unknown contract', async () => {
      const c = await seed();
      const empty: ValidationStats = { total: 0, passed: 0, failed: 0, passRate: null, rows: 0, errors: 0, avgDurationMs: null, p95DurationMs: null, timeline: [] };
      expect(await repo().stats({ contractId: c.id, from: new Date('2031-01-01T00:00:00Z'), to: new Date('2031-02-01T00:00:00Z') })).toEqual(empty);
      expect(await repo().stats({ contractId: c.id, environment: 'staging', from: D1, to: D4 })).toEqual(empty);
      expect(await repo().stats({ contractId: 'no-such-contract', from: D1, to: D4 })).toEqual(empty);
    });

    it('takes the nearest-rank p95 of the reported durations only', async () => {
      const c = await contract(storage());
      // Ten durations 10 … 100 pushed out of order, and three records without one.
      const durations = [70, 10, 100, null, 40, 90, 20, null, 60, 30, 80, null, 50];
      for (const [i, durationMs] of durations.entries()) {
        await at(new Date(D1.getTime() + i * 60_000), () => repo().record(input(c, { durationMs }), 'ci'));
      }
      const stats = await repo().stats({ contractId: c.id, from: D1, to: D2 });
      expect(stats.total).toBe(13);
      expect(stats.avgDurationMs).toBe(55);
      // ceil(0.95 × 10) = 10th smallest (interpolating percentiles would give 95.5)
      expect(stats.p95DurationMs).toBe(100);
      const [only] = durations.filter((d) => d !== null);
      await at(D2, () => repo().record(input(c, { durationMs: only }), 'ci'));
      expect((await repo().stats({ contractId: c.id, from: D2, to: D3 })).p95DurationMs).toBe(70);
    });

    it('agrees with the stats of the listed records for any whole-day window and filter', async () => {
      const c = await contract(storage());
      let seedValue = 42;
      const random = () => (seedValue = (seedValue * 1103515245 + 12345) % 2147483648) / 2147483648;
      for (let i = 0; i < 40; i++) {
        const time = new Date(D1.getTime() + Math.floor(random() * 5 * 86_400_000));
        const rowCount = Math.floor(random() * 1000);
        await at(time, () =>
          repo().record(
            input(c, {
              contractVersion: random() < 0.5 ? '1.0.0' : '1.1.0',
              environment: random() < 0.4 ? 'prod' : random() < 0.5 ? 'dev' : null,
              passed: random() < 0.7,
              rowCount,
              errorCount: Math.floor(random() * rowCount),
              durationMs: random() < 0.2 ? null : Math.floor(random() * 10_000),
            }),
            'ci',
          ),
        );
      }
      const days = (n: number) => new Date(D1.getTime() + n * 86_400_000);
      const queries = [
        { from: days(0), to: days(5) },
        { from: days(1), to: days(3) },
        { from: days(2), to: days(3), environment: 'prod' },
        { from: days(0), to: days(5), contractVersion: '1.0.0' },
        { from: days(1), to: days(5), contractVersion: '1.1.0', environment: 'dev' },
      ];
      for (const q of queries) {
        const records = await all((page) => repo().list({ contractId: c.id, ...q }, 'asc', page));
        expect(await repo().stats({ contractId: c.id, ...q })).toEqual(statsOf(records));
      }
    });

    it('counts every one of many concurrent pushes of the same day', async () => {
      const c = await contract(storage());
      await at(new Date('2030-03-01T12:00:00.000Z'), () =>
        Promise.all(Array.from({ length: 12 }, (_, i) => repo().record(input(c, { environment: 'prod', passed: i % 3 !== 0, rowCount: 10 + i, errorCount: i, durationMs: 100 * (i + 1) }), 'ci'))),
      );
      const stats = await repo().stats({ contractId: c.id, from: D1, to: D2 });
      expect(stats).toMatchObject({ total: 12, passed: 8, failed: 4, rows: 186, errors: 66, avgDurationMs: 650, p95DurationMs: 1200 });
      expect(stats.timeline).toEqual([day('2030-03-01', 12, 8, 186, 66)]);
    });

    it('rejects a window that is not whole UTC days with a ValidationError at from / to', async () => {
      const c = await seed();
      const paths = async (from: Date, to: Date) => (await rejection(repo().stats({ contractId: c.id, from, to }), ValidationError)).issues.map((i) => i.path);
      expect(await paths(new Date(D1.getTime() + 1), D4)).toEqual(['from']);
      expect(await paths(D1, new Date('2030-03-03T23:00:00.000Z'))).toEqual(['to']);
      expect(await paths(new Date('2030-03-01T00:00:00.000+01:00'), new Date('2030-03-04T12:00:00Z'))).toEqual(['from', 'to']);
      expect(await paths(D2, D2)).toEqual(['to']);
      expect(await paths(D3, D1)).toEqual(['to']);
      expect(await paths(new Date(Number.NaN), D1)).toEqual(['from']);
    });
  });
});
