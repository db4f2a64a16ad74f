/**
 * Conformance: the ValidationRepository of every backend — recording (derived numbers, bounds, references),
 * idempotency, auto-opened issues and their occurrences, list / paging, records per run, and the statistics.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { Issue } from '../../src/domain/issues.js';
import { statsOf, type ValidationStats } from '../../src/domain/stats.js';
import type { CheckInput, RecordValidationInput } from '../../src/domain/validations.js';
import type { StorageBackend, ValidationFilter } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, cmp, collectPages, ids, rejection, useBackend } from './helpers.js';

const T0 = new Date('2030-03-01T08:00:00.000Z');
const T1 = new Date('2030-03-01T09:00:00.000Z');
const T2 = new Date('2030-03-01T10:00:00.000Z');
const T3 = new Date('2030-03-01T11:00:00.000Z');

const NOT_NULL: CheckInput = { checkId: 'orders.amount.not_null', propertyPath: 'amount', status: 'failed', observedValue: 3, threshold: 0, message: '3 rows with a null amount' };
const UNIQUE: CheckInput = { checkId: 'orders.order_id.unique', propertyPath: 'order_id', status: 'error', message: 'query timed out' };

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

async function issue(storage: StorageBackend, id: string | null | undefined): Promise<Issue> {
  const [found] = await storage.issues.getByIds([id ?? 'missing']);
  expect(found).not.toBeNull();
  return found!;
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

  // -------------------------------------------------------------------------------------------------------------
  describe('auto-opened issues', () => {
    it('opens an issue for each failing check, linked from the check', async () => {
      const c = await contract(storage());
      const run = await storage().runs.start({ contractId: c.id, pipelineId: 'p' }, 'ci');
      const checks: CheckInput[] = [
        { checkId: 'orders.rows.min', status: 'passed' },
        NOT_NULL,
        { checkId: 'orders.freshness', status: 'warning' },
        UNIQUE,
        { checkId: 'orders.skipped', status: 'skipped' },
      ];
      const { record } = await at(T0, () => repo().record(input(c, { runId: run.id, passed: false, checks }), 'pipeline'));
      expect(record.checks.map((ch) => ch.issueId === null)).toEqual([true, false, true, false, true]);
      const notNull = await issue(storage(), record.checks[1]!.issueId);
      expect(notNull).toEqual({
        id: record.checks[1]!.issueId,
        contractId: c.id,
        runId: run.id,
        validationRecordId: record.id,
        schemaName: 'orders',
        propertyPath: 'amount',
        checkId: 'orders.amount.not_null',
        title: 'Check orders.amount.not_null failed on orders.amount',
        description: '3 rows with a null amount',
        severity: 'high',
        category: 'quality_failure',
        assignee: null,
        tags: ['auto'],
        status: 'open',
        resolution: null,
        resolvedBy: null,
        resolvedAt: null,
        detectedAt: T0,
        lastSeenAt: T0,
        occurrences: 1,
        updatedAt: T0,
        createdBy: 'pipeline',
        updatedBy: 'pipeline',
        revision: 1,
        activity: [{ at: T0, actor: 'pipeline', action: 'created', changes: [], note: null }],
      });
      const unique = await issue(storage(), record.checks[3]!.issueId);
      expect(unique).toMatchObject({ title: 'Check orders.order_id.unique errored on orders.order_id', severity: 'medium', description: 'query timed out' });
      expect((await repo().getByIds([record.id]))[0]).toEqual(record);
      const [byRecord] = await storage().issues.listByValidationRecordIds([record.id]);
      expect(new Set(byRecord!.map((i) => i.id))).toEqual(new Set([notNull.id, unique.id]));
      expect(await storage().issues.countActiveByContracts([c.id])).toEqual([2]);
    });

    it('adds occurrences to the active issue while the check keeps failing, folding the activity', async () => {
      const c = await contract(storage());
      const first = await at(T0, () => repo().record(input(c, { passed: false, checks: [NOT_NULL] }), 'p1'));
      const id = first.record.checks[0]!.issueId!;
      const second = await at(T1, () => repo().record(input(c, { passed: false, checks: [NOT_NULL] }), 'p2'));
      expect(second.record.checks[0]!.issueId).toBe(id);
      const afterTwo = await issue(storage(), id);
      expect(afterTwo).toMatchObject({ occurrences: 2, lastSeenAt: T1, updatedAt: T1, updatedBy: 'p2', revision: 2, detectedAt: T0, validationRecordId: first.record.id });
      expect(afterTwo.activity).toEqual([
        { at: T0, actor: 'p1', action: 'created', changes: [], note: null },
        { at: T1, actor: 'p2', action: 'occurred', changes: [{ field: 'occurrences', from: 1, to: 2 }], note: `seen again in validation record ${second.record.id}` },
      ]);
      // Acknowledged is still active: the next failure is one more occurrence, in a new activity entry.
      await at(T2, () => storage().issues.transition({ id, expectedRevision: 2, status: 'acknowledged' }, 'bob'));
      const third = await at(T3, () => repo().record(input(c, { passed: false, checks: [NOT_NULL] }), 'p3'));
      const fourth = await at(T3, () => repo().record(input(c, { passed: false, checks: [NOT_NULL] }), 'p4'));
      expect([third.record.checks[0]!.issueId, fourth.record.checks[0]!.issueId]).toEqual([id, id]);
      const later = await issue(storage(), id);
      expect(later).toMatchObject({ occurrences: 4, status: 'acknowledged', revision: 5 });
      expect(later.activity.map((a) => a.action)).toEqual(['created', 'occurred', 'status_changed', 'occurred']);
      expect(later.activity[3]).toEqual({
        at: T3,
        actor: 'p4',
        action: 'occurred',
        changes: [{ field: 'occurrences', from: 2, to: 4 }], // consecutive occurrences fold into one entry
        note: `seen again in validation record ${fourth.record.id}`,
      });
      // Occurrences do not re-link the issue to the later records.
      const byRecord = await storage().issues.listByValidationRecordIds([first.record.id, second.record.id, fourth.record.id]);
      expect(byRecord.map((list) => ids(list))).toEqual([[id], [], []]);
      expect(await allIssues(storage())).toHaveLength(1);
    });

    it('opens a new issue when the check fails again after the issue was resolved (or ignored)', async () => {
      const c = await contract(storage());
      const first = await at(T0, () => repo().record(input(c, { passed: false, checks: [NOT_NULL] }), 'ci'));
      const firstId = first.record.checks[0]!.issueId!;
      const resolved = await at(T1, () => storage().issues.transition({ id: firstId, expectedRevision: 1, status: 'resolved', resolution: 'fixed' }, 'bob'));
      const again = await at(T2, () => repo().record(input(c, { passed: false, checks: [NOT_NULL] }), 'ci'));
      const secondId = again.record.checks[0]!.issueId!;
      expect(secondId).not.toBe(firstId);
      expect(await issue(storage(), firstId)).toEqual(resolved);
      expect(await issue(storage(), secondId)).toMatchObject({ status: 'open', occurrences: 1, detectedAt: T2, validationRecordId: again.record.id });
      await at(T3, () => storage().issues.transition({ id: secondId, expectedRevision: 1, status: 'ignored' }, 'bob'));
      const third = await at(T3, () => repo().record(input(c, { passed: false, checks: [NOT_NULL] }), 'ci'));
      expect(new Set([firstId, secondId, third.record.checks[0]!.issueId]).size).toBe(3);
      expect(await storage().issues.countActiveByContracts([c.id])).toEqual([1]);
    });

    it('keeps failures of the same check on other contracts, properties or schemas apart', async () => {
      const a = await contract(storage(), 'a');
      const b = await contract(storage(), 'b');
      const r1 = await repo().record(input(a, { passed: false, checks: [NOT_NULL] }), 'ci');
      const r2 = await repo().record(input(b, { passed: false, checks: [NOT_NULL] }), 'ci');
      const r3 = await repo().record(input(a, { passed: false, checks: [{ ...NOT_NULL, propertyPath: 'total' }] }), 'ci');
      const r4 = await repo().record(input(a, { schemaName: 'refunds', passed: false, checks: [NOT_NULL] }), 'ci');
      const issueIds = [r1, r2, r3, r4].map((r) => r.record.checks[0]!.issueId);
      expect(new Set(issueIds).size).toBe(4);
    });

    it('opens nothing when the contract’s autoOpenIssues is off', async () => {
      const c = await contract(storage());
      const off = await storage().contracts.setSettings({ id: c.id, expectedRevision: c.revision, autoOpenIssues: false }, 'alice');
      expect(off.autoOpenIssues).toBe(false);
      const { record } = await repo().record(input(c, { passed: false, checks: [NOT_NULL, UNIQUE] }), 'ci');
      expect(record.checks.map((ch) => ch.issueId)).toEqual([null, null]);
      expect(await allIssues(storage())).toEqual([]);
      await storage().contracts.setSettings({ id: c.id, expectedRevision: off.revision, autoOpenIssues: true }, 'alice');
      const on = await repo().record(input(c, { passed: false, checks: [NOT_NULL] }), 'ci');
      expect(on.record.checks[0]!.issueId).not.toBeNull();
    });

    it('opens one issue for concurrent records failing the same check, with every occurrence counted', async () => {
      const c = await contract(storage());
      const results = await Promise.all(Array.from({ length: 4 }, () => repo().record(input(c, { passed: false, checks: [NOT_NULL] }), 'ci')));
      const issueIds = new Set(results.map((r) => r.record.checks[0]!.issueId));
      expect(issueIds.size).toBe(1);
      const [only] = await allIssues(storage());
      expect(only).toMatchObject({ id: [...issueIds][0], status: 'open', occurrences: 4 });
      expect(await recordCount(storage())).toBe(4);
    });
  });

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
