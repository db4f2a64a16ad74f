/**
 * Conformance: the ValidationRepository of every backend — issues auto-opened by failed checks, and their occurrences.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import type { Issue } from '../../src/domain/issues.js';
import type { CheckInput, RecordValidationInput } from '../../src/domain/validations.js';
import type { StorageBackend, ValidationFilter } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, ids, useBackend } from './helpers.js';

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

});
