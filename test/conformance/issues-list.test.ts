/**
 * Conformance: the IssueRepository of every backend — list filters / orders / paging, summary, and the batched reads
 * (active counts per contract, issues per run and per validation record).
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { ValidationError } from '../../src/domain/errors.js';
import { type CreateIssueInput, type Issue, type IssueStatus, SEVERITY_RANK } from '../../src/domain/issues.js';
import type { IssueFilter, IssueOrderField, SortDirection, StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, cmp, collectPages, ids, rejection, useBackend } from './helpers.js';

const T0 = new Date('2030-05-01T10:00:00.000Z');
const T1 = new Date('2030-05-02T10:00:00.000Z');
const T2 = new Date('2030-05-03T10:00:00.000Z');
const T3 = new Date('2030-05-04T10:00:00.000Z');

async function contract(storage: StorageBackend, name = 'orders'): Promise<Contract> {
  return storage.contracts.create({ document: contractDocument({ name }) }, 'alice');
}

function input(c: Contract, extra: Partial<CreateIssueInput> = {}): CreateIssueInput {
  return { contractId: c.id, title: 'Null amounts', severity: 'high', category: 'quality_failure', ...extra };
}

async function issueCount(storage: StorageBackend, filter: IssueFilter = {}): Promise<number> {
  return (await storage.issues.list(filter, { field: 'detectedAt', direction: 'asc' }, { first: 1 })).totalCount();
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().issues;

  // -------------------------------------------------------------------------------------------------------------
  describe('list, summary and batched reads', () => {
    async function seed() {
      const orders = await contract(storage(), 'orders');
      const users = await contract(storage(), 'users');
      const run = await storage().runs.start({ contractId: orders.id, pipelineId: 'p' }, 'ci');
      const { record } = await storage().validations.record({ contractId: orders.id, runId: run.id, passed: true, rowCount: 1, errorCount: 0 }, 'ci');
      const make = async (time: Date, c: Contract, status: IssueStatus, extra: Partial<CreateIssueInput>) => {
        let issue = await at(time, () => repo().create(input(c, extra), 'alice'));
        if (status !== 'open') {
          if (status === 'in_progress') issue = await at(time, () => repo().transition({ id: issue.id, expectedRevision: 1, status: 'acknowledged' }, 'bob'));
          issue = await at(time, () =>
            repo().transition({ id: issue.id, expectedRevision: issue.revision, status, resolution: status === 'resolved' ? 'fixed' : null }, 'bob'),
          );
        }
        return issue;
      };
      const i = {
        i1: await make(T0, orders, 'open', {
          title: 'Null amount in orders',
          description: 'Three rows have a NULL amount',
          severity: 'critical',
          assignee: 'bob',
          runId: run.id,
          validationRecordId: record.id,
        }),
        i2: await make(T1, orders, 'acknowledged', { title: 'Column renamed', description: 'customer_email became email', severity: 'high', category: 'schema_drift' }),
        i3: await make(T1, users, 'in_progress', { title: 'Email addresses exposed', severity: 'critical', category: 'pii_exposure', assignee: 'carol' }),
        i4: await make(T2, orders, 'resolved', { title: 'Amount out of range', description: 'amount above 10000', severity: 'low', assignee: 'bob', runId: run.id }),
        i5: await make(T3, users, 'ignored', { title: 'Late delivery', description: 'The SLA of the amount feed was missed', severity: 'info', category: 'other' }),
        i6: await make(T3, orders, 'open', { title: 'Stale data', description: 'null partitions for 2 days', severity: 'medium', category: 'sla_breach', assignee: 'carol' }),
        i7: await make(T2, orders, 'open', { title: 'Null keys', severity: 'critical', category: 'other' }),
        i8: await make(T0, users, 'open', { title: 'Duplicate keys', severity: 'critical' }),
      };
      return { orders, users, run, record, i };
    }

    type Seeded = Awaited<ReturnType<typeof seed>>;
    const keysOf = (s: Seeded, issues: readonly Issue[]) => issues.map((issue) => Object.entries(s.i).find(([, v]) => v.id === issue.id)?.[0]);
    const detectedAsc = { field: 'detectedAt', direction: 'asc' } as const;

    it('filters by each field alone, combined, by words of the title or description, and by date range', async () => {
      const s = await seed();
      const keys = async (filter: IssueFilter) => keysOf(s, await all((page) => repo().list(filter, detectedAsc, page))).sort();
      expect(await keys({ contractId: s.orders.id })).toEqual(['i1', 'i2', 'i4', 'i6', 'i7']);
      expect(await keys({ contractId: s.users.id })).toEqual(['i3', 'i5', 'i8']);
      expect(await keys({ runId: s.run.id })).toEqual(['i1', 'i4']);
      expect(await keys({ validationRecordId: s.record.id })).toEqual(['i1']);
      expect(await keys({ status: ['open'] })).toEqual(['i1', 'i6', 'i7', 'i8']);
      expect(await keys({ status: ['resolved', 'ignored'] })).toEqual(['i4', 'i5']);
      expect(await keys({ severity: ['critical'] })).toEqual(['i1', 'i3', 'i7', 'i8']);
      expect(await keys({ severity: ['low', 'info'] })).toEqual(['i4', 'i5']);
      expect(await keys({ category: ['quality_failure'] })).toEqual(['i1', 'i4', 'i8']);
      expect(await keys({ category: ['other', 'sla_breach'] })).toEqual(['i5', 'i6', 'i7']);
      expect(await keys({ assignee: 'bob' })).toEqual(['i1', 'i4']);
      expect(await keys({ assignee: 'carol' })).toEqual(['i3', 'i6']);
      expect(await keys({ from: T1 })).toEqual(['i2', 'i3', 'i4', 'i5', 'i6', 'i7']);
      expect(await keys({ to: T1 })).toEqual(['i1', 'i8']);
      expect(await keys({ from: T1, to: T3 })).toEqual(['i2', 'i3', 'i4', 'i7']);
      // text: every word, whole words, any case, in the title or the description
      expect(await keys({ text: 'amount' })).toEqual(['i1', 'i4', 'i5']);
      expect(await keys({ text: 'NULL Amount' })).toEqual(['i1']);
      expect(await keys({ text: 'null' })).toEqual(['i1', 'i6', 'i7']);
      expect(await keys({ text: 'amoun' })).toEqual([]);
      expect(await keys({ text: 'customer_email' })).toEqual(['i2']);
      expect(await keys({ text: 'email' })).toEqual(['i2', 'i3']);
      expect(await keys({ text: '  ,; ' })).toHaveLength(8);
      // combined
      expect(await keys({ contractId: s.orders.id, text: 'null', status: ['open', 'acknowledged'] })).toEqual(['i1', 'i6', 'i7']);
      expect(await keys({ contractId: s.orders.id, severity: ['critical'], from: T1 })).toEqual(['i7']);
      expect(await keys({ assignee: 'bob', status: ['resolved'], runId: s.run.id, category: ['quality_failure'], severity: ['low'], text: 'range', to: T3 })).toEqual(['i4']);
      expect(await keys({ contractId: 'no-such-contract' })).toEqual([]);
      expect(await issueCount(storage(), { contractId: s.orders.id, text: 'null' })).toBe(3);
    });

    it('orders by detectedAt (then id), both directions, page by page', async () => {
      const s = await seed();
      const expected = Object.values(s.i)
        .sort((a, b) => cmp(a.detectedAt.getTime(), b.detectedAt.getTime()) || cmp(a.id, b.id))
        .map((x) => x.id);
      for (const direction of ['asc', 'desc'] as const) {
        const want = direction === 'asc' ? expected : [...expected].reverse();
        expect(ids(await all((page) => repo().list({}, { field: 'detectedAt', direction }, page)))).toEqual(want);
        for (const first of [1, 3]) {
          const { items, totalCounts } = await collectPages((page) => repo().list({}, { field: 'detectedAt', direction }, page), first);
          expect(ids(items)).toEqual(want);
          expect(new Set(totalCounts)).toEqual(new Set([8]));
        }
      }
    });

    it('orders by severity (critical first for asc), then newest first, then id — page by page', async () => {
      const s = await seed();
      const order = (direction: SortDirection) => (a: Issue, b: Issue) =>
        (direction === 'asc' ? 1 : -1) * cmp(SEVERITY_RANK[a.severity], SEVERITY_RANK[b.severity]) ||
        cmp(b.detectedAt.getTime(), a.detectedAt.getTime()) ||
        cmp(b.id, a.id);
      for (const direction of ['asc', 'desc'] as const) {
        const expected = Object.values(s.i).sort(order(direction)).map((x) => x.id);
        const listOrder = { field: 'severity' as IssueOrderField, direction };
        expect(ids(await all((page) => repo().list({}, listOrder, page)))).toEqual(expected);
        for (const first of [1, 2, 3]) {
          const { items, totalCounts } = await collectPages((page) => repo().list({}, listOrder, page), first);
          expect(ids(items)).toEqual(expected);
          expect(new Set(totalCounts)).toEqual(new Set([8]));
        }
      }
      const asc = keysOf(s, await all((page) => repo().list({}, { field: 'severity', direction: 'asc' }, page)));
      // critical: i7 (T2), i3 (T1), then i1 and i8 (both T0) by id; then high, medium, low, info
      expect(asc.slice(0, 2)).toEqual(['i7', 'i3']);
      expect(new Set(asc.slice(2, 4))).toEqual(new Set(['i1', 'i8']));
      expect(asc.slice(4)).toEqual(['i2', 'i6', 'i4', 'i5']);
      const desc = keysOf(s, await all((page) => repo().list({}, { field: 'severity', direction: 'desc' }, page)));
      expect(desc.slice(0, 6)).toEqual(['i5', 'i4', 'i6', 'i2', 'i7', 'i3']);
      // filtered, paged
      const critical = await collectPages((page) => repo().list({ contractId: s.orders.id }, { field: 'severity', direction: 'asc' }, page), 2);
      expect(keysOf(s, critical.items)).toEqual(['i7', 'i1', 'i2', 'i6', 'i4']);
      expect(new Set(critical.totalCounts)).toEqual(new Set([5]));
    });

    it('rejects a cursor of another order (or direction) and an invalid one with a ValidationError at after', async () => {
      await seed();
      const byDate = await repo().list({}, { field: 'detectedAt', direction: 'asc' }, { first: 2 });
      const bySeverity = await repo().list({}, { field: 'severity', direction: 'asc' }, { first: 2 });
      const attempts = [
        repo().list({}, { field: 'severity', direction: 'asc' }, { first: 2, after: byDate.cursors[1]! }),
        repo().list({}, { field: 'detectedAt', direction: 'asc' }, { first: 2, after: bySeverity.cursors[1]! }),
        repo().list({}, { field: 'severity', direction: 'desc' }, { first: 2, after: bySeverity.cursors[1]! }),
        repo().list({}, { field: 'severity', direction: 'asc' }, { first: 2, after: 'garbage' }),
      ];
      for (const attempt of attempts) expect((await rejection(attempt, ValidationError)).issues[0]?.path).toBe('after');
    });

    it('summarizes the whole filtered set (not one page), zero-filled', async () => {
      const s = await seed();
      expect(await repo().summary({})).toEqual({
        byStatus: { open: 4, acknowledged: 1, in_progress: 1, resolved: 1, ignored: 1 },
        bySeverity: { critical: 4, high: 1, medium: 1, low: 1, info: 1 },
      });
      expect(await repo().summary({ contractId: s.orders.id })).toEqual({
        byStatus: { open: 3, acknowledged: 1, in_progress: 0, resolved: 1, ignored: 0 },
        bySeverity: { critical: 2, high: 1, medium: 1, low: 1, info: 0 },
      });
      expect(await repo().summary({ text: 'amount', status: ['open', 'resolved', 'ignored'] })).toEqual({
        byStatus: { open: 1, acknowledged: 0, in_progress: 0, resolved: 1, ignored: 1 },
        bySeverity: { critical: 1, high: 0, medium: 0, low: 1, info: 1 },
      });
      expect(await repo().summary({ contractId: 'no-such-contract' })).toEqual({
        byStatus: { open: 0, acknowledged: 0, in_progress: 0, resolved: 0, ignored: 0 },
        bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      });
    });

    it('counts the active issues of many contracts at once', async () => {
      const s = await seed();
      expect(await repo().countActiveByContracts([s.orders.id, 'no-such-contract', s.users.id, s.orders.id])).toEqual([4, 0, 2, 4]);
      expect(await repo().countActiveByContracts([])).toEqual([]);
      await repo().transition({ id: s.i.i3.id, expectedRevision: s.i.i3.revision, status: 'resolved', resolution: 'wont_fix' }, 'bob');
      expect(await repo().countActiveByContracts([s.users.id])).toEqual([1]);
    });

    it('lists the issues of many runs and many validation records at once, oldest first', async () => {
      const s = await seed();
      const byRun = await repo().listByRunIds([s.run.id, 'no-such-run', s.run.id]);
      expect(byRun.map((list) => keysOf(s, list))).toEqual([['i1', 'i4'], [], ['i1', 'i4']]);
      expect(byRun[0]?.[1]).toEqual(s.i.i4);
      const byRecord = await repo().listByValidationRecordIds(['no-such-record', s.record.id]);
      expect(byRecord.map((list) => keysOf(s, list))).toEqual([[], ['i1']]);
      expect(await repo().listByRunIds([])).toEqual([]);
      expect(await repo().listByValidationRecordIds([])).toEqual([]);
    });
  });
});
