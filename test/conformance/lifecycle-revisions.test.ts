/**
 * Conformance: the contract lifecycle on every backend (domain/lifecycle) — the status history, draft revisions of an
 * active contract (the active version stays served, and the catalog follows it, until the revision is approved), and
 * no new versions while a request is open or once deprecated or retired.
 */
import { describe, expect, it } from 'vitest';
import type { ContractVersion } from '../../src/domain/contracts.js';
import { InvalidStateError, InvalidTransitionError } from '../../src/domain/errors.js';
import type { StatusChange } from '../../src/domain/lifecycle.js';
import type { JsonObject } from '../../src/domain/odcs.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, APPROVER, at, json, moveContractTo, rejection, REQUESTER, useBackend } from './helpers.js';

const T = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, n));

function doc(name: string, options: Omit<Parameters<typeof contractDocument>[0], 'name'> = {}): JsonObject {
  return contractDocument({ name, ...options });
}

async function versionsOf(storage: StorageBackend, contractId: string): Promise<ContractVersion[]> {
  return all((page) => storage.contracts.listVersions(contractId, page));
}

/** What a refused write must leave alone. */
async function snapshot(storage: StorageBackend, contractId: string) {
  return {
    contract: await storage.contracts.getById(contractId),
    versions: await versionsOf(storage, contractId),
    catalog: await storage.schemaCatalog.listByContractIds([contractId]),
    requests: await all((page) => storage.approvals.list({ contractId }, page)),
  };
}

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().contracts;
  const approvals = () => storage().approvals;

  async function catalogOf(contractId: string) {
    return all((page) => storage().schemaCatalog.list({ contractId }, page));
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('status history', () => {
    it('records the creation and every move: who, when, from, to, version, note and approval request', async () => {
      const created = await at(T(0), () => repo().create({ document: doc('orders', { purpose: 'one' }), note: 'first cut' }, 'alice'));
      const creation: StatusChange = { at: T(0), by: 'alice', from: null, to: 'draft', version: '1.0.0', versionNumber: 1, note: 'first cut', approvalRequestId: null };
      expect(created.statusHistory).toEqual([creation]);
      expect(created).toMatchObject({ activeVersion: null, openApprovalRequestId: null, approvalRequired: true, deprecation: null });

      const r1 = await at(T(1), () => approvals().submit({ contractId: created.id, expectedRevision: 1, approvers: ['carol'], policy: 'all', note: 'please look' }, 'bob'));
      await at(T(2), () => approvals().decide({ requestId: r1.id, verdict: 'reject', note: 'owner missing' }, 'carol'));
      const rejected = (await repo().getById(created.id))!;
      expect(rejected).toMatchObject({ status: 'draft', revision: 3, openApprovalRequestId: null, activeVersion: null });

      const v2 = await at(T(3), () => repo().update({ id: created.id, expectedRevision: 3, document: doc('orders', { purpose: 'two' }) }, 'alice'));
      // Without an active version the newest one is served.
      expect(v2).toMatchObject({ status: 'draft', version: '1.0.1', versionCount: 2, activeVersion: null, revision: 4, description: 'two' });
      expect(v2.statusHistory).toHaveLength(3);

      const r2 = await at(T(4), () => approvals().submit({ contractId: created.id, expectedRevision: 4, approvers: ['carol', 'dave'], policy: 'any' }, 'bob'));
      await at(T(5), () => approvals().decide({ requestId: r2.id, verdict: 'approve', note: 'fine' }, 'dave'));
      const deprecated = await at(T(6), () => repo().deprecate({ id: created.id, expectedRevision: 6, reason: 'moved to orders-v2' }, 'erin'));
      const retired = await at(T(7), () => repo().retire({ id: created.id, expectedRevision: 7, note: 'switched off' }, 'frank'));

      const expected: StatusChange[] = [
        creation,
        { at: T(1), by: 'bob', from: 'draft', to: 'in_review', version: '1.0.0', versionNumber: 1, note: 'please look', approvalRequestId: r1.id },
        { at: T(2), by: 'carol', from: 'in_review', to: 'draft', version: '1.0.0', versionNumber: 1, note: 'owner missing', approvalRequestId: r1.id },
        { at: T(4), by: 'bob', from: 'draft', to: 'in_review', version: '1.0.1', versionNumber: 2, note: null, approvalRequestId: r2.id },
        { at: T(5), by: 'dave', from: 'in_review', to: 'active', version: '1.0.1', versionNumber: 2, note: 'fine', approvalRequestId: r2.id },
        { at: T(6), by: 'erin', from: 'active', to: 'deprecated', version: '1.0.1', versionNumber: 2, note: 'moved to orders-v2', approvalRequestId: null },
        { at: T(7), by: 'frank', from: 'deprecated', to: 'retired', version: '1.0.1', versionNumber: 2, note: 'switched off', approvalRequestId: null },
      ];
      expect(retired.statusHistory).toEqual(expected);
      expect(deprecated.statusHistory).toEqual(expected.slice(0, 6));
      expect(deprecated).toMatchObject({ status: 'deprecated', revision: 7, deprecation: { reason: 'moved to orders-v2', replacedBy: null } });
      expect(retired).toMatchObject({ status: 'retired', revision: 8, activeVersion: 2, version: '1.0.1', versionCount: 2, updatedBy: 'frank' });
      expect(retired.updatedAt).toEqual(T(7));
      expect(await repo().getById(created.id)).toEqual(retired);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('draft revisions of an active contract', () => {
    const v1doc = doc('orders', { purpose: 'first', schemas: { orders: [{ name: 'order_id', primaryKey: true }] } });
    const v2doc = doc('orders', {
      purpose: 'second',
      schemas: { orders: [{ name: 'order_id', primaryKey: true }, { name: 'amount', logicalType: 'number' }], refunds: [{ name: 'refund_id' }] },
    });

    it('keep the active version served until the revision is approved; the catalog follows the served document', async () => {
      const created = await repo().create({ document: v1doc }, 'alice');
      const active = await moveContractTo(storage(), created.id, 'active');
      expect(active).toMatchObject({ status: 'active', activeVersion: 1, versionCount: 1, version: '1.0.0', revision: 3 });
      const activeCatalog = await catalogOf(created.id);
      expect(activeCatalog.map((e) => [e.schemaName, e.contractVersion, e.contractStatus, e.contractRevision])).toEqual([['orders', '1.0.0', 'active', 3]]);

      const revised = await repo().update({ id: created.id, expectedRevision: 3, document: v2doc }, 'bob');
      // The contract stays active and serves version 1; version 2 is its draft revision.
      expect(revised).toMatchObject({
        status: 'active',
        version: '1.0.0',
        activeVersion: 1,
        versionCount: 2,
        revision: 4,
        description: 'first',
        updatedBy: 'bob',
        openApprovalRequestId: null,
      });
      expect(json(revised.document)).toBe(json(v1doc));
      expect(revised.statusHistory).toEqual(active.statusHistory);
      expect(await repo().getById(created.id)).toEqual(revised);
      const [draft] = await repo().getVersionsByIds([`${created.id}@2`]);
      expect(draft).toMatchObject({ number: 2, version: '1.1.0', changeKind: 'update', createdBy: 'bob' });
      expect(json(draft?.document)).toBe(json(v2doc));
      expect((await versionsOf(storage(), created.id)).map((v) => v.version)).toEqual(['1.1.0', '1.0.0']);
      // The catalog still describes version 1 (at the new revision).
      const draftCatalog = await catalogOf(created.id);
      expect(draftCatalog.map((e) => [e.schemaName, e.contractVersion, e.contractStatus, e.contractRevision])).toEqual([['orders', '1.0.0', 'active', 4]]);
      expect(draftCatalog[0]!.properties.map((p) => p.path)).toEqual(['order_id']);

      // A second draft on top of the first is diffed against the newest version (1.1.0), not the served one.
      const v3input = { ...v2doc, description: { purpose: 'third' } };
      const third = await repo().update({ id: created.id, expectedRevision: 4, document: v3input }, 'bob');
      expect(third).toMatchObject({ version: '1.0.0', activeVersion: 1, versionCount: 3, revision: 5 });
      const [v3] = await repo().getVersionsByIds([`${created.id}@3`]);
      expect(v3).toMatchObject({ version: '1.1.1', requiredBump: 'patch' });

      // Submitting the revision keeps the contract active (no history entry), with the request open.
      const request = await approvals().submit({ contractId: created.id, expectedRevision: 5, approvers: [APPROVER], policy: 'all' }, REQUESTER);
      expect(request).toMatchObject({ versionNumber: 3, version: '1.1.1', status: 'open' });
      const inReview = (await repo().getById(created.id))!;
      expect(inReview).toMatchObject({ status: 'active', version: '1.0.0', activeVersion: 1, openApprovalRequestId: request.id, revision: 6 });
      expect(inReview.statusHistory).toEqual(active.statusHistory);

      // Approval switches the served document and records active → active.
      const approved = await at(T(9), () => approvals().decide({ requestId: request.id, verdict: 'approve', note: 'ship it' }, APPROVER));
      expect(approved.status).toBe('approved');
      const switched = (await repo().getById(created.id))!;
      expect(switched).toMatchObject({ status: 'active', version: '1.1.1', activeVersion: 3, versionCount: 3, revision: 7, description: 'third', openApprovalRequestId: null });
      expect(json(switched.document)).toBe(json(v3input));
      expect(switched.statusHistory).toEqual([
        ...active.statusHistory,
        { at: T(9), by: APPROVER, from: 'active', to: 'active', version: '1.1.1', versionNumber: 3, note: 'ship it', approvalRequestId: request.id },
      ]);
      const switchedCatalog = await catalogOf(created.id);
      expect(switchedCatalog.map((e) => [e.schemaName, e.contractVersion, e.contractStatus, e.contractRevision])).toEqual([
        ['orders', '1.1.1', 'active', 7],
        ['refunds', '1.1.1', 'active', 7],
      ]);
      expect(switchedCatalog[0]!.properties.map((p) => p.path)).toEqual(['order_id', 'amount']);
    });

    it('keep the active version when the revision is rejected or withdrawn, and take new drafts afterwards', async () => {
      const created = await repo().create({ document: v1doc }, 'alice');
      const active = await moveContractTo(storage(), created.id, 'active');
      const revised = await repo().update({ id: created.id, expectedRevision: active.revision, document: v2doc }, 'bob');

      const r1 = await approvals().submit({ contractId: created.id, expectedRevision: revised.revision, approvers: ['carol'], policy: 'all' }, 'bob');
      await approvals().decide({ requestId: r1.id, verdict: 'reject', note: 'not yet' }, 'carol');
      const afterReject = (await repo().getById(created.id))!;
      expect(afterReject).toMatchObject({ status: 'active', activeVersion: 1, version: '1.0.0', versionCount: 2, openApprovalRequestId: null, revision: revised.revision + 2 });
      expect(json(afterReject.document)).toBe(json(v1doc));
      expect(afterReject.statusHistory).toEqual(active.statusHistory);

      const r2 = await approvals().submit({ contractId: created.id, expectedRevision: afterReject.revision, approvers: ['carol'], policy: 'all' }, 'bob');
      expect(r2.versionNumber).toBe(2);
      await approvals().withdraw({ requestId: r2.id }, { name: 'bob', admin: false });
      const afterWithdraw = (await repo().getById(created.id))!;
      expect(afterWithdraw).toMatchObject({ status: 'active', activeVersion: 1, version: '1.0.0', openApprovalRequestId: null, revision: afterReject.revision + 2 });
      expect(afterWithdraw.statusHistory).toEqual(active.statusHistory);
      expect((await catalogOf(created.id)).map((e) => e.contractVersion)).toEqual(['1.0.0']);

      const again = await repo().update({ id: created.id, expectedRevision: afterWithdraw.revision, document: { ...v2doc, description: { purpose: 'again' } } }, 'bob');
      expect(again).toMatchObject({ versionCount: 3, activeVersion: 1, version: '1.0.0' });
    });

    it('refuse a review of a newest version that is already active', async () => {
      const created = await repo().create({ document: v1doc }, 'alice');
      const active = await moveContractTo(storage(), created.id, 'active');
      const before = await snapshot(storage(), created.id);
      await rejection(approvals().submit({ contractId: created.id, expectedRevision: active.revision, approvers: ['carol'], policy: 'all' }, 'bob'), InvalidStateError);
      expect(await snapshot(storage(), created.id)).toEqual(before);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('no new version', () => {
    it('while an approval request is open (draft in review, or a revision of an active contract)', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      await approvals().submit({ contractId: created.id, expectedRevision: 1, approvers: ['carol'], policy: 'all' }, 'bob');
      let before = await snapshot(storage(), created.id);
      await rejection(repo().update({ id: created.id, expectedRevision: 2, document: doc('orders', { purpose: 'x' }) }, 'bob'), InvalidStateError);
      await rejection(repo().rollback({ id: created.id, expectedRevision: 2, toVersion: '1.0.0' }, 'bob'), InvalidStateError);
      expect(await snapshot(storage(), created.id)).toEqual(before);

      const active = await moveContractTo(storage(), created.id, 'active');
      const revised = await repo().update({ id: created.id, expectedRevision: active.revision, document: doc('orders', { purpose: 'x' }) }, 'bob');
      await approvals().submit({ contractId: created.id, expectedRevision: revised.revision, approvers: ['carol'], policy: 'all' }, 'bob');
      before = await snapshot(storage(), created.id);
      await rejection(repo().update({ id: created.id, expectedRevision: revised.revision + 1, document: doc('orders', { purpose: 'y' }) }, 'bob'), InvalidStateError);
      await rejection(repo().rollback({ id: created.id, expectedRevision: revised.revision + 1, toVersion: '1.0.0' }, 'bob'), InvalidStateError);
      expect(await snapshot(storage(), created.id)).toEqual(before);
    });

    it('once deprecated or retired', async () => {
      const created = await repo().create({ document: doc('orders') }, 'alice');
      for (const status of ['deprecated', 'retired'] as const) {
        const current = await moveContractTo(storage(), created.id, status);
        const before = await snapshot(storage(), created.id);
        const error = await rejection(repo().update({ id: created.id, expectedRevision: current.revision, document: doc('orders', { purpose: 'x' }) }, 'bob'), InvalidStateError);
        expect(error.reason).toContain(status);
        await rejection(repo().rollback({ id: created.id, expectedRevision: current.revision, toVersion: '1.0.0' }, 'bob'), InvalidStateError);
        // Nor a review: deprecated and retired contracts cannot go back to in_review.
        await rejection(approvals().submit({ contractId: created.id, expectedRevision: current.revision, approvers: ['carol'], policy: 'all' }, 'bob'), InvalidTransitionError);
        expect(await snapshot(storage(), created.id)).toEqual(before);
      }
    });
  });

});
