/**
 * Conformance: the IssueRepository of every backend — create and update with their activity history, optimistic
 * concurrency, and one active issue per fingerprint.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { AlreadyExistsError, ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { CreateIssueInput, Issue } from '../../src/domain/issues.js';
import type { IssueFilter, StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { at, rejection, useBackend } from './helpers.js';

const T0 = new Date('2030-05-01T10:00:00.000Z');
const T1 = new Date('2030-05-02T10:00:00.000Z');
const T2 = new Date('2030-05-03T10:00:00.000Z');

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

});
