/**
 * Conformance: the IssueRepository of every backend — the workflow (transitions) with its activity history.
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
} from '../../src/domain/issues.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { at, rejection, useBackend } from './helpers.js';

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

});
