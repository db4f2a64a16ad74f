/**
 * Conformance: the ValidationRepository of every backend — recording (derived numbers, bounds, references) and
 * idempotency.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { Issue } from '../../src/domain/issues.js';
import type { CheckInput, RecordValidationInput } from '../../src/domain/validations.js';
import type { StorageBackend, ValidationFilter } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, rejection, useBackend } from './helpers.js';

const T0 = new Date('2030-03-01T08:00:00.000Z');
const T1 = new Date('2030-03-01T09:00:00.000Z');

const NOT_NULL: CheckInput = { checkId: 'orders.amount.not_null', propertyPath: 'amount', status: 'failed', observedValue: 3, threshold: 0, message: '3 rows with a null amount' };

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

async function allIssues(storage: StorageBackend, contractId?: string): Promise<Issue[]> {
  return all((page) => storage.issues.list(contractId ? { contractId } : {}, { field: 'detectedAt', direction: 'asc' }, page));
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().validations;

  // -------------------------------------------------------------------------------------------------------------
  describe('record', () => {
    it('stores the record with the error rate computed, on the contract’s current version', async () => {
      const c = await contract(storage());
      const sampleErrors = [{ row: 7, 'a.b': { $x: [1, null] } }, 'text sample', 42];
      const { record, created } = await at(T0, () =>
        repo().record(
          input(c, {
            passed: false,
            rowCount: 200,
            errorCount: 3,
            durationMs: 1234,
            environment: ' prod ',
            checks: [{ checkId: ' orders.amount.range ', status: 'warning', observedValue: { min: -1, 'x.y': [1] }, threshold: [0, 100] }],
            sampleErrors,
          }),
          'pipeline',
        ),
      );
      expect(created).toBe(true);
      expect(record).toEqual({
        id: expect.any(String),
        contractId: c.id,
        contractVersion: '1.1.0',
        runId: null,
        schemaName: 'orders',
        passed: false,
        rowCount: 200,
        errorCount: 3,
        errorRate: 0.015,
        durationMs: 1234,
        environment: 'prod',
        checks: [{ checkId: 'orders.amount.range', propertyPath: null, status: 'warning', observedValue: { min: -1, 'x.y': [1] }, threshold: [0, 100], message: null, issueId: null }],
        sampleErrors,
        idempotencyKey: null,
        recordedAt: T0,
        createdBy: 'pipeline',
      });
      const [read] = await repo().getByIds([record.id]);
      expect(read).toEqual(record);
      expect(JSON.stringify(read?.sampleErrors)).toBe(JSON.stringify(sampleErrors));
      expect(await repo().getByIds(['nope', record.id, 'nope'])).toEqual([null, record, null]);
      expect(await repo().getByIds([])).toEqual([]);
    });

    it('computes an error rate of 0 for no rows', async () => {
      const c = await contract(storage());
      const { record } = await repo().record(input(c, { rowCount: 0, errorCount: 0 }), null);
      expect(record.errorRate).toBe(0);
      expect(record.durationMs).toBeNull();
      expect(record.createdBy).toBeNull();
    });

    it('takes the run’s version for a record of a run, and an explicit version over both', async () => {
      const c = await contract(storage());
      const run = await storage().runs.start({ contractId: c.id, contractVersion: '1.0.0', pipelineId: 'p' }, 'ci');
      expect((await repo().record(input(c, { runId: run.id }), 'ci')).record).toMatchObject({ runId: run.id, contractVersion: '1.0.0' });
      expect((await repo().record(input(c, { runId: run.id, contractVersion: '1.1.0' }), 'ci')).record.contractVersion).toBe('1.1.0');
      expect((await repo().record(input(c, { contractVersion: '1.0.0' }), 'ci')).record.contractVersion).toBe('1.0.0');
    });

    it('rejects an unknown contract, version or run (or a run of another contract) with NotFoundError and writes nothing', async () => {
      const c = await contract(storage());
      const other = await contract(storage(), 'other');
      const otherRun = await storage().runs.start({ contractId: other.id, pipelineId: 'p' }, 'ci');
      const failing = { passed: false, checks: [NOT_NULL] };
      const cases: [RecordValidationInput, string, string][] = [
        [input(c, { ...failing, contractId: 'no-such-contract' }), 'Contract', 'no-such-contract'],
        [input(c, { ...failing, contractVersion: '2.0.0' }), 'ContractVersion', 'orders@2.0.0'],
        [input(c, { ...failing, runId: 'no-such-run' }), 'Run', 'no-such-run'],
        [input(c, { ...failing, runId: otherRun.id }), 'Run', otherRun.id],
      ];
      for (const [bad, resource, key] of cases) {
        const error = await rejection(repo().record(bad, 'ci'), NotFoundError);
        expect([error.resource, error.key]).toEqual([resource, key]);
      }
      expect(await recordCount(storage())).toBe(0);
      expect(await allIssues(storage())).toEqual([]);
    });

    const bounds: { label: string; extra: Partial<RecordValidationInput>; paths: string[] }[] = [
      { label: 'too many sample errors', extra: { sampleErrors: Array.from({ length: 21 }, (_, i) => ({ row: i })) }, paths: ['input.sampleErrors'] },
      { label: 'an oversize sample error', extra: { sampleErrors: [{ ok: 1 }, { blob: 'x'.repeat(5000) }] }, paths: ['input.sampleErrors[1]'] },
      { label: 'errorCount above rowCount', extra: { rowCount: 10, errorCount: 11 }, paths: ['input.errorCount'] },
      { label: 'negative and fractional numbers', extra: { errorCount: -1, durationMs: 1.5 }, paths: ['input.errorCount', 'input.durationMs'] },
      { label: 'a check without an id', extra: { checks: [NOT_NULL, { checkId: ' ', status: 'failed' }] }, paths: ['input.checks[1].checkId'] },
      { label: 'an empty idempotency key', extra: { idempotencyKey: ' ' }, paths: ['input.idempotencyKey'] },
    ];
    it.each(bounds)('rejects $label with a ValidationError at its path and writes nothing (no record, no issue)', async ({ extra, paths }) => {
      const c = await contract(storage());
      const error = await rejection(repo().record(input(c, { passed: false, checks: [NOT_NULL], ...extra }), 'ci'), ValidationError);
      expect(error.issues.map((i) => i.path)).toEqual(paths);
      expect(await recordCount(storage())).toBe(0);
      expect(await allIssues(storage())).toEqual([]);
      const stats = await repo().stats({ contractId: c.id, from: new Date('2000-01-01T00:00:00Z'), to: new Date('2100-01-01T00:00:00Z') });
      expect(stats.total).toBe(0);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('idempotency', () => {
    it('stores a repeated key of the same contract once and returns the first record', async () => {
      const c = await contract(storage());
      const first = await at(T0, () => repo().record(input(c, { passed: false, checks: [NOT_NULL], idempotencyKey: 'batch-42' }), 'ci'));
      const again = await at(T1, () => repo().record(input(c, { passed: true, rowCount: 5, idempotencyKey: 'batch-42' }), 'other'));
      expect(first.created).toBe(true);
      expect(again).toEqual({ record: first.record, created: false });
      expect(await recordCount(storage())).toBe(1);
      const issues = await allIssues(storage());
      expect(issues).toHaveLength(1);
      expect(issues[0]).toMatchObject({ occurrences: 1, revision: 1 });
      const stats = await repo().stats({ contractId: c.id, from: new Date('2030-03-01T00:00:00Z'), to: new Date('2030-03-02T00:00:00Z') });
      expect([stats.total, stats.failed, stats.rows]).toEqual([1, 1, 100]);
    });

    it('keeps keys apart per contract, and stores every record without a key', async () => {
      const a = await contract(storage(), 'a');
      const b = await contract(storage(), 'b');
      const ra = await repo().record(input(a, { idempotencyKey: 'k' }), 'ci');
      const rb = await repo().record(input(b, { idempotencyKey: 'k' }), 'ci');
      const ra2 = await repo().record(input(a, { idempotencyKey: 'k2' }), 'ci');
      expect([ra.created, rb.created, ra2.created]).toEqual([true, true, true]);
      expect(new Set([ra.record.id, rb.record.id, ra2.record.id]).size).toBe(3);
      await repo().record(input(a), 'ci');
      await repo().record(input(a), 'ci');
      expect(await recordCount(storage(), { contractId: a.id })).toBe(4);
      expect(await recordCount(storage(), { contractId: b.id })).toBe(1);
    });

    it('stores one record for concurrent pushes of the same key', async () => {
      const c = await contract(storage());
      const results = await Promise.all(
        Array.from({ length: 4 }, () => repo().record(input(c, { passed: false, checks: [NOT_NULL], idempotencyKey: 'same' }), 'ci')),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.record.id)).size).toBe(1);
      expect(await recordCount(storage())).toBe(1);
      const active = await allIssues(storage());
      expect(active).toHaveLength(1);
      expect(active[0]).toMatchObject({ status: 'open', occurrences: 1, revision: 1 });
      const [stored] = await repo().getByIds([results[0]!.record.id]);
      expect(stored?.checks[0]?.issueId).toBe(active[0]!.id);
    });
  });

});
