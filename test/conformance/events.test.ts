/**
 * Conformance: every committed write appends its events to the change log (issue 14.1), on every backend — one
 * case per kind of write, with the event's type, key, subject, contract, actor, revision/version and summary; a
 * refused write appends nothing; writing again never appends an event twice; a reader resuming from its cursor
 * gets exactly what it missed.
 */
import { describe, expect, it } from 'vitest';
import type { Contract } from '../../src/domain/contracts.js';
import { ConflictError } from '../../src/domain/errors.js';
import type { EventType, RegistryEvent } from '../../src/domain/events.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { APPROVER, REQUESTER, rejection, useBackend } from './helpers.js';

const ORDER_ID = { name: 'order_id', logicalType: 'string', primaryKey: true };
const AMOUNT = { name: 'amount', logicalType: 'number' };

async function since(storage: StorageBackend, after: number): Promise<RegistryEvent[]> {
  return storage.events.list({ after, first: 100 });
}

const types = (events: RegistryEvent[]) => events.map((e) => e.type);

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);

  async function created(name = 'orders'): Promise<Contract> {
    return storage().contracts.create({ document: contractDocument({ name, version: '1.0.0', schemas: { orders: [ORDER_ID] } }) }, 'alice');
  }

  /** Runs `write` and returns what it appended. */
  async function appended<T>(write: () => Promise<T>): Promise<{ result: T; events: RegistryEvent[] }> {
    const before = await storage().events.latest();
    const result = await write();
    return { result, events: await since(storage(), before) };
  }

  it('contract created: one CONTRACT_CREATED with the creator, revision 1 and version 1.0.0', async () => {
    const { result: c, events } = await appended(() => created());
    expect(events).toEqual([
      expect.objectContaining({
        position: 1,
        key: `contract:${c.id}:created`,
        type: 'CONTRACT_CREATED',
        subjectType: 'Contract',
        subjectId: c.id,
        contractId: c.id,
        actor: 'alice',
        revision: 1,
        version: '1.0.0',
        summary: { name: 'orders', status: 'draft' },
        audience: [],
      }),
    ]);
    expect(events[0]!.at).toEqual(c.createdAt);
  });

  it('version published: its number, required bump and whether it is breaking', async () => {
    const c = await created();
    const minor = await appended(() =>
      storage().contracts.update({ id: c.id, expectedRevision: 1, document: contractDocument({ name: 'orders', version: '1.1.0', schemas: { orders: [ORDER_ID, AMOUNT] } }) }, 'bob'),
    );
    expect(types(minor.events)).toEqual(['CONTRACT_VERSION_PUBLISHED']);
    expect(minor.events[0]).toMatchObject({
      key: `contract:${c.id}:version:2`,
      actor: 'bob',
      revision: minor.result.revision,
      version: '1.1.0',
      summary: { number: 2, changeKind: 'update', requiredBump: 'minor', breaking: false },
    });
    const major = await appended(() =>
      storage().contracts.update(
        { id: c.id, expectedRevision: minor.result.revision, acceptBreakingChanges: true, document: contractDocument({ name: 'orders', version: '2.0.0', schemas: { orders: [ORDER_ID] } }) },
        'bob',
      ),
    );
    expect(major.events.map((e) => [e.type, e.version, e.summary.requiredBump, e.summary.breaking])).toEqual([['CONTRACT_VERSION_PUBLISHED', '2.0.0', 'major', true]]);
    const rolledBack = await appended(() => storage().contracts.rollback({ id: c.id, expectedRevision: major.result.revision, toVersion: '1.1.0' }, 'carol'));
    expect(rolledBack.events.map((e) => [e.type, e.key, e.actor, e.summary.changeKind])).toEqual([['CONTRACT_VERSION_PUBLISHED', `contract:${c.id}:version:4`, 'carol', 'rollback']]);
  });

  it('a refused write appends nothing', async () => {
    const c = await created();
    const before = await storage().events.latest();
    await rejection(storage().contracts.update({ id: c.id, expectedRevision: 7, document: contractDocument({ name: 'orders', version: '1.1.0' }) }, 'bob'), ConflictError);
    expect(await storage().events.latest()).toBe(before);
  });

  it('review and lifecycle: approval requested/decided for their audience, each status change, settings, deletion', async () => {
    const c = await created();
    const submitted = await appended(() => storage().approvals.submit({ contractId: c.id, expectedRevision: c.revision, approvers: [APPROVER, 'approver-2'], policy: 'any' }, REQUESTER));
    const request = submitted.result;
    expect(types(submitted.events)).toEqual(['APPROVAL_REQUESTED', 'CONTRACT_STATUS_CHANGED']);
    expect(submitted.events[0]).toMatchObject({ key: `approval:${request.id}:requested`, subjectType: 'ApprovalRequest', subjectId: request.id, contractId: c.id, actor: REQUESTER, audience: [APPROVER, 'approver-2'], version: '1.0.0' });
    expect(submitted.events[1]).toMatchObject({ subjectId: c.id, actor: REQUESTER, summary: { from: 'draft', to: 'in_review', approvalRequestId: request.id } });

    const decided = await appended(() => storage().approvals.decide({ requestId: request.id, verdict: 'approve', note: 'fine' }, APPROVER));
    expect(types(decided.events)).toEqual(['APPROVAL_DECIDED', 'CONTRACT_STATUS_CHANGED']);
    expect(decided.events[0]).toMatchObject({ key: `approval:${request.id}:decision:0`, actor: APPROVER, audience: [REQUESTER], summary: { verdict: 'approve', status: 'approved' } });
    expect(decided.events[1]!.summary).toMatchObject({ from: 'in_review', to: 'active' });

    const active = (await storage().contracts.getById(c.id))!;
    const settings = await appended(() => storage().contracts.setSettings({ id: c.id, expectedRevision: active.revision, autoOpenIssues: false }, 'admin'));
    expect(settings.events).toEqual([expect.objectContaining({ type: 'CONTRACT_SETTINGS_CHANGED', key: `contract:${c.id}:rev:${settings.result.revision}`, actor: 'admin', summary: expect.objectContaining({ autoOpenIssues: false }) })]);

    const deprecated = await appended(() => storage().contracts.deprecate({ id: c.id, expectedRevision: settings.result.revision, reason: 'superseded' }, 'admin'));
    expect(deprecated.events.map((e) => [e.type, e.summary.from, e.summary.to])).toEqual([['CONTRACT_STATUS_CHANGED', 'active', 'deprecated']]);
    const retired = await appended(() => storage().contracts.retire({ id: c.id, expectedRevision: deprecated.result.revision }, 'admin'));
    expect(retired.events.map((e) => [e.type, e.summary.to])).toEqual([['CONTRACT_STATUS_CHANGED', 'retired']]);

    const deleted = await appended(() => storage().contracts.delete(c.id, retired.result.revision, 'admin'));
    expect(deleted.events).toEqual([expect.objectContaining({ type: 'CONTRACT_DELETED', key: `contract:${c.id}:deleted`, subjectId: c.id, actor: 'admin', summary: { name: 'orders', status: 'retired' } })]);
  });

  it('a withdrawn request: APPROVAL_WITHDRAWN to the approvers who had not decided, and the move back to draft', async () => {
    const c = await created();
    const request = await storage().approvals.submit({ contractId: c.id, expectedRevision: c.revision, approvers: [APPROVER], policy: 'all' }, REQUESTER);
    const withdrawn = await appended(() => storage().approvals.withdraw({ requestId: request.id, note: 'not yet' }, { name: REQUESTER, admin: false }));
    expect(types(withdrawn.events)).toEqual(['APPROVAL_WITHDRAWN', 'CONTRACT_STATUS_CHANGED']);
    expect(withdrawn.events[0]).toMatchObject({ actor: REQUESTER, audience: [APPROVER], summary: { status: 'withdrawn', note: 'not yet' } });
    expect(withdrawn.events[1]!.summary).toMatchObject({ from: 'in_review', to: 'draft' });
  });

  it('runs: RUN_CHANGED when started and on each change, with the status', async () => {
    const c = await created();
    const started = await appended(() => storage().runs.start({ contractId: c.id, pipelineId: 'nightly', status: 'pending' }, 'ci'));
    expect(started.events).toEqual([expect.objectContaining({ type: 'RUN_CHANGED', subjectType: 'Run', subjectId: started.result.id, contractId: c.id, actor: 'ci', version: '1.0.0', summary: expect.objectContaining({ status: 'pending', pipelineId: 'nightly' }) })]);
    await new Promise((r) => setTimeout(r, 5));
    const running = await appended(() => storage().runs.update({ id: started.result.id, status: 'running' }, 'ci'));
    await new Promise((r) => setTimeout(r, 5));
    const done = await appended(() => storage().runs.update({ id: started.result.id, status: 'succeeded' }, 'ci'));
    expect([...running.events, ...done.events].map((e) => [e.type, e.summary.status])).toEqual([
      ['RUN_CHANGED', 'running'],
      ['RUN_CHANGED', 'succeeded'],
    ]);
  });

  it('validation recorded, with the issues its failing checks opened; a repeated idempotency key appends nothing more', async () => {
    const c = await created();
    const input = { contractId: c.id, passed: false, rowCount: 10, errorCount: 2, idempotencyKey: 'load-1', checks: [{ checkId: 'orders.order_id.unique', status: 'failed' as const }] };
    const recorded = await appended(() => storage().validations.record(input, 'pipeline'));
    const { record } = recorded.result;
    expect(types(recorded.events).sort()).toEqual(['ISSUE_OPENED', 'VALIDATION_RECORDED']);
    const validation = recorded.events.find((e) => e.type === 'VALIDATION_RECORDED')!;
    expect(validation).toMatchObject({ key: `validation:${record.id}`, subjectType: 'ValidationRecord', subjectId: record.id, contractId: c.id, actor: 'pipeline', summary: expect.objectContaining({ passed: false, errorCount: 2, failingChecks: 1 }) });
    const opened = recorded.events.find((e) => e.type === 'ISSUE_OPENED')!;
    expect(opened).toMatchObject({ subjectType: 'Issue', subjectId: record.checks[0]!.issueId, contractId: c.id, revision: 1 });
    const again = await appended(() => storage().validations.record(input, 'pipeline'));
    expect(again.result.created).toBe(false);
    expect(again.events).toEqual([]);
  });

  it('concurrent pushes failing one check: one issue event per revision they wrote, each with that revision', async () => {
    const c = await created();
    const failing = { contractId: c.id, passed: false, rowCount: 10, errorCount: 2, checks: [{ checkId: 'orders.order_id.unique', status: 'failed' as const }] };
    const before = await storage().events.latest();
    const pushes = await Promise.all(Array.from({ length: 8 }, () => storage().validations.record(failing, 'pipeline')));
    const issueId = pushes[0]!.record.checks[0]!.issueId!;
    expect(pushes.map((p) => p.record.checks[0]!.issueId)).toEqual(pushes.map(() => issueId));
    const [issue] = await storage().issues.getByIds([issueId]);
    expect(issue).toMatchObject({ revision: 8, occurrences: 8 });
    const issueEvents = (await since(storage(), before)).filter((e) => e.subjectId === issueId);
    // Each revision once: the opening, then each occurrence, as the push that wrote it left the issue.
    expect(issueEvents.map((e) => e.revision).sort((a, b) => a! - b!)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(issueEvents.find((e) => e.revision === 1)?.type).toBe('ISSUE_OPENED');
    expect(issueEvents.filter((e) => e.type === 'ISSUE_OPENED')).toHaveLength(1);
  });

  it('issues: ISSUE_OPENED, then ISSUE_CHANGED for an edit and a transition, keyed by revision', async () => {
    const c = await created();
    const opened = await appended(() => storage().issues.create({ contractId: c.id, title: 'Null amounts', severity: 'high', category: 'quality_failure' }, 'dana'));
    const issue = opened.result;
    expect(opened.events).toEqual([expect.objectContaining({ type: 'ISSUE_OPENED', key: `issue:${issue.id}:rev:1`, subjectId: issue.id, contractId: c.id, actor: 'dana', revision: 1 })]);
    const edited = await appended(() => storage().issues.update({ id: issue.id, expectedRevision: 1, assignee: 'erin' }, 'dana'));
    const moved = await appended(() => storage().issues.transition({ id: issue.id, expectedRevision: 2, status: 'acknowledged' }, 'erin'));
    expect([...edited.events, ...moved.events].map((e) => [e.type, e.key, e.actor, e.summary.status])).toEqual([
      ['ISSUE_CHANGED', `issue:${issue.id}:rev:2`, 'dana', 'open'],
      ['ISSUE_CHANGED', `issue:${issue.id}:rev:3`, 'erin', 'acknowledged'],
    ]);
  });

  it('comments: COMMENT_ADDED to those mentioned, COMMENT_CHANGED for an edit and a deletion; on an issue, its contract', async () => {
    const c = await created();
    const added = await appended(() => storage().comments.add({ target: { type: 'contract', id: c.id }, body: 'Looks good @frank' }, 'gina'));
    expect(added.events).toEqual([expect.objectContaining({ type: 'COMMENT_ADDED', key: `comment:${added.result.id}:rev:1`, subjectType: 'Comment', contractId: c.id, actor: 'gina', audience: ['frank'] })]);
    const edited = await appended(() => storage().comments.edit({ id: added.result.id, expectedRevision: 1, body: 'Looks fine' }, 'gina'));
    const removed = await appended(() => storage().comments.delete(added.result.id, { name: 'gina', admin: false }));
    expect([...edited.events, ...removed.events].map((e) => [e.type, e.summary.action])).toEqual([
      ['COMMENT_CHANGED', 'edited'],
      ['COMMENT_CHANGED', 'deleted'],
    ]);
    const issue = await storage().issues.create({ contractId: c.id, title: 'Late load', severity: 'low', category: 'sla_breach' }, 'dana');
    const onIssue = await appended(() => storage().comments.add({ target: { type: 'issue', id: issue.id }, body: 'Seen it' }, 'gina'));
    expect(onIssue.events.map((e) => [e.type, e.contractId])).toEqual([['COMMENT_ADDED', c.id]]);
  });

  it('a reader that kept its cursor gets exactly the events it missed, in order, none twice', async () => {
    const a = await created('alpha');
    const seen = await storage().events.list({ first: 100 });
    const cursor = seen[seen.length - 1]!.position;
    const b = await created('beta');
    await storage().contracts.update({ id: a.id, expectedRevision: 1, document: contractDocument({ name: 'alpha', version: '1.1.0', schemas: { orders: [ORDER_ID, AMOUNT] } }) }, 'alice');
    await storage().runs.start({ contractId: b.id, pipelineId: 'p' }, 'ci');
    const missed = await storage().events.list({ after: cursor, first: 100 });
    expect(missed.map((e) => [e.type, e.contractId])).toEqual([
      ['CONTRACT_CREATED', b.id],
      ['CONTRACT_VERSION_PUBLISHED', a.id],
      ['RUN_CHANGED', b.id],
    ]);
    expect(missed.map((e) => e.position)).toEqual([cursor + 1, cursor + 2, cursor + 3]);
    const onlyA = await storage().events.list({ first: 100, filter: { contractId: a.id, types: ['CONTRACT_VERSION_PUBLISHED'] satisfies EventType[] } });
    expect(onlyA).toHaveLength(1);
  });
});
