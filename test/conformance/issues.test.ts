/**
 * Conformance: the IssueRepository of every backend — create, update and the workflow with their activity history,
 * optimistic concurrency, one active issue per fingerprint, list filters / orders / paging, summary, and the
 * batched reads (active counts per contract, issues per run and per validation record).
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { AlreadyExistsError, ConflictError, InvalidTransitionError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import {
  allowedIssueTransitions,
  type CreateIssueInput,
  type Issue,
  ISSUE_STATUSES,
  type IssueStatus,
  SEVERITY_RANK,
} from '../../src/domain/issues.js';
import type { IssueFilter, IssueOrderField, SortDirection, StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, cmp, collectPages, ids, rejection, useBackend } from './helpers.js';

const T0 = new Date('2030-05-01T10:00:00.000Z');
const T1 = new Date('2030-05-02T10:00:00.000Z');
const T2 = new Date('2030-05-03T10:00:00.000Z');
const T3 = new Date('2030-05-04T10:00:00.000Z');
const T4 = new Date('2030-05-05T10:00:00.000Z');

async function contract(storage: StorageBackend, name = 'orders'): Promise<Contract> {
  return storage.contracts.create({ document: contractDocument({ name }) }, 'alice');
}

function input(c: Contract, extra: Partial<CreateIssueInput> = {}): CreateIssueInput {
  return { contractId: c.id, title: 'Null amounts', severity: 'high', category: 'quality_failure', ...extra };
}

async function stored(storage: StorageBackend, id: string): Promise<Issue | null> {
  return (await storage.issues.getByIds([id]))[0] ?? null;
}

async function issueCount(storage: StorageBackend, filter: IssueFilter = {}): Promise<number> {
  return (await storage.issues.list(filter, { field: 'detectedAt', direction: 'asc' }, { first: 1 })).totalCount();
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().issues;

  /** An issue of `c` created at T0 and brought to `status` at T1 (and T2). */
  async function issueIn(c: Contract, status: IssueStatus, extra: Partial<CreateIssueInput> = {}): Promise<Issue> {
    let issue = await at(T0, () => repo().create(input(c, extra), 'alice'));
    const path: Record<IssueStatus, IssueStatus[]> = {
      open: [],
      acknowledged: ['acknowledged'],
      in_progress: ['acknowledged', 'in_progress'],
      resolved: ['resolved'],
      ignored: ['ignored'],
    };
    for (const [i, next] of path[status].entries()) {
      issue = await at(i === 0 ? T1 : T2, () =>
        repo().transition({ id: issue.id, expectedRevision: issue.revision, status: next, resolution: next === 'resolved' ? 'fixed' : null }, 'bob'),
      );
    }
    return issue;
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('create', () => {
    it('opens the issue at revision 1 with a created entry', async () => {
      const c = await contract(storage());
      const run = await storage().runs.start({ contractId: c.id, pipelineId: 'p' }, 'ci');
      const { record } = await storage().validations.record({ contractId: c.id, runId: run.id, passed: true, rowCount: 1, errorCount: 0 }, 'ci');
      const issue = await at(T0, () =>
        repo().create(
          input(c, {
            runId: run.id,
            validationRecordId: record.id,
            schemaName: 'orders',
            propertyPath: 'amount',
            checkId: 'manual.amount',
            title: '  Null amounts in orders ',
            description: 'Seen in the **finance** report',
            severity: 'critical',
            category: 'pii_exposure',
            assignee: ' bob ',
            tags: [' finance', 'finance', 'q2 '],
          }),
          'alice',
        ),
      );
      expect(issue).toEqual({
        id: expect.any(String),
        contractId: c.id,
        runId: run.id,
        validationRecordId: record.id,
        schemaName: 'orders',
        propertyPath: 'amount',
        checkId: 'manual.amount',
        title: 'Null amounts in orders',
        description: 'Seen in the **finance** report',
        severity: 'critical',
        category: 'pii_exposure',
        assignee: 'bob',
        tags: ['finance', 'q2'],
        status: 'open',
        resolution: null,
        resolvedBy: null,
        resolvedAt: null,
        detectedAt: T0,
        lastSeenAt: T0,
        occurrences: 1,
        updatedAt: T0,
        createdBy: 'alice',
        updatedBy: 'alice',
        revision: 1,
        activity: [{ at: T0, actor: 'alice', action: 'created', changes: [], note: null }],
      });
      expect(await stored(storage(), issue.id)).toEqual(issue);
      expect(await repo().getByIds(['nope', issue.id])).toEqual([null, issue]);
      expect(await repo().getByIds([])).toEqual([]);
    });

    it('rejects an unknown contract, run or record (or one of another contract) with NotFoundError and writes nothing', async () => {
      const c = await contract(storage());
      const other = await contract(storage(), 'other');
      const otherRun = await storage().runs.start({ contractId: other.id, pipelineId: 'p' }, 'ci');
      const cases: [CreateIssueInput, string, string][] = [
        [input(c, { contractId: 'no-such-contract' }), 'Contract', 'no-such-contract'],
        [input(c, { runId: 'no-such-run' }), 'Run', 'no-such-run'],
        [input(c, { runId: otherRun.id }), 'Run', otherRun.id],
        [input(c, { validationRecordId: 'no-such-record' }), 'ValidationRecord', 'no-such-record'],
      ];
      for (const [bad, resource, key] of cases) {
        const error = await rejection(repo().create(bad, 'alice'), NotFoundError);
        expect([error.resource, error.key]).toEqual([resource, key]);
      }
      expect(await issueCount(storage())).toBe(0);
    });

    it('rejects invalid input with a ValidationError at its paths and writes nothing', async () => {
      const c = await contract(storage());
      const error = await rejection(repo().create(input(c, { title: ' ', tags: ['ok', ''] }), 'alice'), ValidationError);
      expect(error.issues.map((i) => i.path)).toEqual(['input.title', 'input.tags[1]']);
      expect(await issueCount(storage())).toBe(0);
    });

    it('allows one active issue per check: a second one is an AlreadyExistsError until the first is closed', async () => {
      const c = await contract(storage());
      const fields = { schemaName: 'orders', propertyPath: 'amount', checkId: 'orders.amount.not_null' };
      const first = await repo().create(input(c, fields), 'alice');
      const error = await rejection(repo().create(input(c, { ...fields, title: 'again' }), 'alice'), AlreadyExistsError);
      expect([error.resource, error.field, error.value]).toEqual(['Issue', 'fingerprint', 'orders.amount.not_null']);
      // Another property, or no check at all, is another issue.
      await repo().create(input(c, { ...fields, propertyPath: 'total' }), 'alice');
      await repo().create(input(c), 'alice');
      await repo().create(input(c), 'alice');
      expect(await issueCount(storage())).toBe(4);
      await repo().transition({ id: first.id, expectedRevision: 1, status: 'resolved', resolution: 'fixed' }, 'bob');
      const second = await repo().create(input(c, { ...fields, title: 'again' }), 'alice');
      expect(second.status).toBe('open');
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('update', () => {
    it('records who changed what and when, one entry per update', async () => {
      const c = await contract(storage());
      const created = await at(T0, () => repo().create(input(c, { description: 'old', tags: ['a'] }), 'alice'));
      const updated = await at(T1, () =>
        repo().update({ id: created.id, expectedRevision: 1, title: 'Null amounts (EU)', assignee: 'bob', severity: 'critical', description: 'old', tags: ['a', 'b'] }, 'carol'),
      );
      expect(updated).toEqual({
        ...created,
        title: 'Null amounts (EU)',
        assignee: 'bob',
        severity: 'critical',
        tags: ['a', 'b'],
        revision: 2,
        updatedAt: T1,
        updatedBy: 'carol',
        activity: [
          ...created.activity,
          {
            at: T1,
            actor: 'carol',
            action: 'updated',
            changes: [
              { field: 'title', from: 'Null amounts', to: 'Null amounts (EU)' },
              { field: 'severity', from: 'high', to: 'critical' },
              { field: 'assignee', from: null, to: 'bob' },
              { field: 'tags', from: ['a'], to: ['a', 'b'] },
            ],
            note: null,
          },
        ],
      });
      expect(await stored(storage(), created.id)).toEqual(updated);
      // null unassigns and clears the description; undefined leaves a field.
      const cleared = await at(T2, () => repo().update({ id: created.id, expectedRevision: 2, assignee: null, description: null }, 'bob'));
      expect(cleared.activity.at(-1)).toEqual({
        at: T2,
        actor: 'bob',
        action: 'updated',
        changes: [
          { field: 'description', from: 'old', to: null },
          { field: 'assignee', from: 'bob', to: null },
        ],
        note: null,
      });
      expect(cleared).toMatchObject({ assignee: null, description: null, title: 'Null amounts (EU)', revision: 3 });
    });

    it('writes nothing for an update that changes nothing', async () => {
      const c = await contract(storage());
      const created = await at(T0, () => repo().create(input(c, { assignee: 'bob' }), 'alice'));
      const same = await at(T1, () => repo().update({ id: created.id, expectedRevision: 1, title: 'Null amounts', assignee: 'bob' }, 'carol'));
      expect(same).toEqual(created);
      expect(await stored(storage(), created.id)).toEqual(created);
    });

    it('rejects a stale revision with ConflictError, an unknown issue with NotFoundError, bad input with ValidationError — writing nothing', async () => {
      const c = await contract(storage());
      const created = await repo().create(input(c), 'alice');
      const v2 = await repo().update({ id: created.id, expectedRevision: 1, title: 'second' }, 'bob');
      const conflict = await rejection(repo().update({ id: created.id, expectedRevision: 1, title: 'stale' }, 'carol'), ConflictError);
      expect([conflict.resource, conflict.id, conflict.expectedRevision, conflict.actualRevision]).toEqual(['Issue', created.id, 1, 2]);
      const invalid = await rejection(repo().update({ id: created.id, expectedRevision: 2, title: 'x'.repeat(301) }, 'carol'), ValidationError);
      expect(invalid.issues.map((i) => i.path)).toEqual(['input.title']);
      const missing = await rejection(repo().update({ id: 'no-such-issue', expectedRevision: 1, title: 'x' }, 'carol'), NotFoundError);
      expect([missing.resource, missing.key]).toEqual(['Issue', 'no-such-issue']);
      expect(await stored(storage(), created.id)).toEqual(v2);
    });

    it('lets exactly one of two concurrent writes from the same revision win', async () => {
      const c = await contract(storage());
      for (let round = 0; round < 4; round++) {
        const created = await repo().create(input(c), 'alice');
        const results = await Promise.allSettled([
          repo().update({ id: created.id, expectedRevision: 1, title: 'by update' }, 'bob'),
          repo().transition({ id: created.id, expectedRevision: 1, status: 'acknowledged' }, 'carol'),
        ]);
        const won = results.filter((r): r is PromiseFulfilledResult<Issue> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost[0]?.reason).toBeInstanceOf(ConflictError);
        expect(await stored(storage(), created.id)).toEqual(won[0]!.value);
      }
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('transition', () => {
    it('walks the workflow: resolving needs a resolution and stamps it, reopening clears it', async () => {
      const c = await contract(storage());
      const created = await at(T0, () => repo().create(input(c), 'alice'));
      const ack = await at(T1, () => repo().transition({ id: created.id, expectedRevision: 1, status: 'acknowledged', note: 'looking' }, 'bob'));
      expect(ack).toMatchObject({ status: 'acknowledged', revision: 2, updatedAt: T1, updatedBy: 'bob' });
      expect(ack.activity.at(-1)).toEqual({ at: T1, actor: 'bob', action: 'status_changed', changes: [{ field: 'status', from: 'open', to: 'acknowledged' }], note: 'looking' });

      const noResolution = await rejection(repo().transition({ id: created.id, expectedRevision: 2, status: 'resolved' }, 'bob'), ValidationError);
      expect(noResolution.issues.map((i) => i.path)).toEqual(['input.resolution']);
      const misplaced = await rejection(repo().transition({ id: created.id, expectedRevision: 2, status: 'in_progress', resolution: 'fixed' }, 'bob'), ValidationError);
      expect(misplaced.issues.map((i) => i.path)).toEqual(['input.resolution']);
      expect(await stored(storage(), created.id)).toEqual(ack);

      const resolved = await at(T2, () => repo().transition({ id: created.id, expectedRevision: 2, status: 'resolved', resolution: 'false_positive' }, 'carol'));
      expect(resolved).toMatchObject({ status: 'resolved', resolution: 'false_positive', resolvedBy: 'carol', resolvedAt: T2, revision: 3 });
      expect(resolved.activity.at(-1)).toEqual({
        at: T2,
        actor: 'carol',
        action: 'status_changed',
        changes: [
          { field: 'status', from: 'acknowledged', to: 'resolved' },
          { field: 'resolution', from: null, to: 'false_positive' },
        ],
        note: null,
      });

      const reopened = await at(T3, () => repo().transition({ id: created.id, expectedRevision: 3, status: 'open', note: 'back again' }, 'dave'));
      expect(reopened).toMatchObject({ status: 'open', resolution: null, resolvedBy: null, resolvedAt: null, revision: 4, updatedBy: 'dave' });
      expect(reopened.activity.at(-1)).toEqual({
        at: T3,
        actor: 'dave',
        action: 'status_changed',
        changes: [
          { field: 'status', from: 'resolved', to: 'open' },
          { field: 'resolution', from: 'false_positive', to: null },
        ],
        note: 'back again',
      });
      expect(reopened.activity.map((a) => a.action)).toEqual(['created', 'status_changed', 'status_changed', 'status_changed']);
      expect(await stored(storage(), created.id)).toEqual(reopened);
    });

    const allowed = ISSUE_STATUSES.flatMap((from) => allowedIssueTransitions(from).map((to) => ({ from, to })));
    it.each(allowed)('allows $from → $to', async ({ from, to }) => {
      const c = await contract(storage());
      const issue = await issueIn(c, from);
      const next = await at(T4, () =>
        repo().transition({ id: issue.id, expectedRevision: issue.revision, status: to, resolution: to === 'resolved' ? 'duplicate' : null }, 'erin'),
      );
      expect(next).toMatchObject({ status: to, revision: issue.revision + 1, updatedAt: T4, updatedBy: 'erin' });
      expect(next.activity).toHaveLength(issue.activity.length + 1);
      expect(next.activity.at(-1)?.changes[0]).toEqual({ field: 'status', from, to });
      expect(await stored(storage(), issue.id)).toEqual(next);
    });

    const refused = ISSUE_STATUSES.flatMap((from) => ISSUE_STATUSES.filter((to) => !allowedIssueTransitions(from).includes(to)).map((to) => ({ from, to })));
    it.each(refused)('refuses $from → $to and writes nothing', async ({ from, to }) => {
      const c = await contract(storage());
      const issue = await issueIn(c, from);
      const error = await rejection(
        repo().transition({ id: issue.id, expectedRevision: issue.revision, status: to, resolution: to === 'resolved' ? 'fixed' : null }, 'erin'),
        InvalidTransitionError,
      );
      expect([error.resource, error.from, error.to]).toEqual(['Issue', from, to]);
      expect(await stored(storage(), issue.id)).toEqual(issue);
    });

    it('rejects a stale revision with ConflictError and an unknown issue with NotFoundError, writing nothing', async () => {
      const c = await contract(storage());
      const issue = await issueIn(c, 'acknowledged');
      await rejection(repo().transition({ id: issue.id, expectedRevision: 1, status: 'in_progress' }, 'erin'), ConflictError);
      await rejection(repo().transition({ id: 'no-such-issue', expectedRevision: 1, status: 'acknowledged' }, 'erin'), NotFoundError);
      expect(await stored(storage(), issue.id)).toEqual(issue);
    });

    it('refuses to reopen an issue while another active issue has its fingerprint', async () => {
      const c = await contract(storage());
      const fields = { schemaName: 'orders', propertyPath: 'amount', checkId: 'orders.amount.not_null' };
      const old = await issueIn(c, 'resolved', fields);
      const current = await repo().create(input(c, fields), 'alice');
      const error = await rejection(repo().transition({ id: old.id, expectedRevision: old.revision, status: 'open' }, 'bob'), AlreadyExistsError);
      expect(error.value).toBe('orders.amount.not_null');
      expect(await stored(storage(), old.id)).toEqual(old);
      // Once the current one is ignored, the old one can be reopened.
      await repo().transition({ id: current.id, expectedRevision: 1, status: 'ignored' }, 'bob');
      const reopened = await repo().transition({ id: old.id, expectedRevision: old.revision, status: 'open' }, 'bob');
      expect(reopened.status).toBe('open');
    });
  });

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
