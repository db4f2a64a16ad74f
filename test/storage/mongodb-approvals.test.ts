/**
 * What only the MongoDB backend has to get right about the lifecycle and approval requests: the served document and
 * its derived fields (catalog, search, odcsId) after an activation, contracts stored before the lifecycle existed,
 * the two-write protocol of approvals (unconfirmed requests, closed but unapplied requests, reconcile, apply on
 * touch), concurrent decisions on FerretDB, and the withdrawal of a deleted contract's request.
 */
import type { Document } from 'mongodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { planDecision } from '../../src/domain/approvals.js';
import { ConflictError, InvalidStateError, NotFoundError } from '../../src/domain/errors.js';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { mongoBackend } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

let storage: MongoStorageBackend;
let dispose: () => Promise<void>;

beforeEach(async () => {
  const backend = await mongoBackend.create();
  storage = backend.storage as MongoStorageBackend;
  dispose = backend.dispose;
});
afterEach(() => dispose());

const v1 = () => contractDocument({ id: 'urn:test:one', name: 'orders', schemas: { orders: [{ name: 'order_id', primaryKey: true }] } });
const v2 = () =>
  contractDocument({
    id: 'urn:test:one',
    name: 'orders',
    version: '1.1.0',
    schemas: { orders: [{ name: 'order_id', primaryKey: true }], shipments: [{ name: 'parcel_id' }] },
  });

async function activeContract() {
  const created = await storage.contracts.create({ document: v1() }, 'alice');
  const request = await storage.approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: ['bob'], policy: 'all' }, 'alice');
  await storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, 'bob');
  return (await storage.contracts.getById(created.id))!;
}

interface RawDocument extends Document {
  _id: string;
}

function raw(collection: string) {
  return storage.db.collection<RawDocument>(collection);
}

describe('the served document', () => {
  it('stays v1 while a draft revision exists, and the catalog and search follow the activation; the ODCS id (never changing) finds it throughout', async () => {
    const active = await activeContract();
    expect(active.status).toBe('active');
    expect(active.activeVersion).toBe(1);
    const drafted = await storage.contracts.update({ id: active.id, expectedRevision: active.revision, document: v2() }, 'alice');
    expect([drafted.versionCount, drafted.activeVersion, drafted.version]).toEqual([2, 1, '1.0.0']);
    expect((await storage.contracts.getByOdcsId('urn:test:one'))?.id).toBe(active.id);
    expect((await storage.contracts.search('parcel', { first: 5 })).items).toHaveLength(0);
    expect((await storage.contracts.list({ schemaName: 'shipments' }, { field: 'name', direction: 'asc' }, { first: 5 })).items).toHaveLength(0);

    const request = await storage.approvals.submit({ contractId: active.id, expectedRevision: drafted.revision, approvers: ['bob'], policy: 'any' }, 'alice');
    expect((await storage.contracts.getById(active.id))?.status).toBe('active');
    await storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, 'bob');

    const served = (await storage.contracts.getById(active.id))!;
    expect([served.activeVersion, served.version, served.openApprovalRequestId]).toEqual([2, '1.1.0', null]);
    expect(served.statusHistory.map((h) => `${h.from}>${h.to}@${h.versionNumber}`)).toEqual(['null>draft@1', 'draft>in_review@1', 'in_review>active@1', 'active>active@2']);
    expect((await storage.contracts.getByOdcsId('urn:test:one'))?.id).toBe(active.id);
    expect((await storage.contracts.search('parcel', { first: 5 })).items.map((h) => h.contract.id)).toEqual([active.id]);
    expect((await storage.contracts.list({ schemaName: 'shipments' }, { field: 'name', direction: 'asc' }, { first: 5 })).items).toHaveLength(1);
    const catalog = (await storage.schemaCatalog.listByContractIds([active.id]))[0]!;
    expect(catalog.map((e) => [e.schemaName, e.contractVersion, e.contractStatus]).sort()).toEqual([
      ['orders', '1.1.0', 'active'],
      ['shipments', '1.1.0', 'active'],
    ]);
  });

  it('stores the status history as dates, and the deprecation', async () => {
    const active = await activeContract();
    const other = await storage.contracts.create({ document: contractDocument({ name: 'next' }) }, 'alice');
    await storage.contracts.setSettings({ id: other.id, expectedRevision: 1, approvalRequired: false }, 'admin');
    const next = await storage.contracts.activate({ id: other.id, expectedRevision: 2 }, 'admin');
    expect(next.statusHistory.map((h) => h.to)).toEqual(['draft', 'in_review', 'active']);
    const deprecated = await storage.contracts.deprecate({ id: active.id, expectedRevision: active.revision, reason: 'moved', replacedBy: other.id }, 'alice');
    const retired = await storage.contracts.retire({ id: active.id, expectedRevision: deprecated.revision }, 'alice');
    const read = (await storage.contracts.getById(active.id))!;
    expect(read).toEqual(retired);
    expect(read.deprecation).toEqual({ reason: 'moved', replacedBy: other.id });
    const stored = await raw('contracts').findOne({ _id: active.id });
    expect(stored?.statusHistory[0].at).toBeInstanceOf(Date);
  });

  it('reads contracts stored before the lifecycle existed with defaults and a first history entry', async () => {
    const active = await activeContract();
    const draft = await storage.contracts.create({ document: contractDocument({ name: 'old-draft' }) }, 'alice');
    const review = await storage.contracts.create({ document: contractDocument({ name: 'old-review' }) }, 'alice');
    const unset = { $unset: { activeVersion: '', approvalRequired: '', openApprovalRequestId: '', statusHistory: '', deprecation: '' } };
    await raw('contracts').updateMany({}, unset);
    await raw('contracts').updateOne({ _id: review.id }, { $set: { status: 'in_review' } }); // the old setContractStatus could do this
    const [a, d, r] = await storage.contracts.getByIds([active.id, draft.id, review.id]);
    expect(a).toMatchObject({ status: 'active', activeVersion: 1, approvalRequired: true, openApprovalRequestId: null, deprecation: null });
    // The served version counts as active, so transitive modes keep checking it.
    expect(a?.statusHistory).toMatchObject([{ from: null, to: 'active', versionNumber: 1, note: 'status before the history was recorded' }]);
    expect(d).toMatchObject({ status: 'draft', activeVersion: null, approvalRequired: true, openApprovalRequestId: null, deprecation: null });
    expect(d?.statusHistory).toMatchObject([{ from: null, to: 'draft' }]);
    // in_review without a request could never be decided: it reads as a draft, and can be submitted for review.
    expect(r).toMatchObject({ status: 'draft', statusHistory: [{ to: 'draft', note: 'was in_review without an approval request; reads as draft' }] });
    const request = await storage.approvals.submit({ contractId: review.id, expectedRevision: r!.revision, approvers: ['bob'], policy: 'all' }, 'alice');
    expect((await storage.contracts.getById(review.id))?.openApprovalRequestId).toBe(request.id);
  });
});

describe('approval requests on MongoDB', () => {
  it('records both of two concurrent approvals under ALL and resolves once', async () => {
    const created = await storage.contracts.create({ document: v1() }, 'alice');
    const request = await storage.approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: ['bob', 'carol'], policy: 'all' }, 'alice');
    await Promise.all([
      storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, 'bob'),
      storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, 'carol'),
    ]);
    const [read] = await storage.approvals.getByIds([request.id]);
    expect(read?.status).toBe('approved');
    expect(read?.decisions.map((d) => d.approver).sort()).toEqual(['bob', 'carol']);
    expect(read?.revision).toBe(3);
    const contract = (await storage.contracts.getById(created.id))!;
    expect(contract.statusHistory.filter((h) => h.to === 'active')).toHaveLength(1);
    expect(await raw('approval_requests').findOne({ _id: request.id })).toMatchObject({ confirmed: true, applied: true });
  });

  it('lets one of two concurrent approvals win under ANY 1; the other gets InvalidStateError', async () => {
    const created = await storage.contracts.create({ document: v1() }, 'alice');
    const request = await storage.approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: ['bob', 'carol'], policy: 'any' }, 'alice');
    const results = await Promise.allSettled([
      storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, 'bob'),
      storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, 'carol'),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(InvalidStateError);
    expect((await storage.approvals.getByIds([request.id]))[0]?.decisions).toHaveLength(1);
    expect((await storage.contracts.getById(created.id))?.status).toBe('active');
  });

  it('hides an unconfirmed request, removes it once old, and confirms one its contract points at', async () => {
    const created = await storage.contracts.create({ document: v1() }, 'alice');
    const request = await storage.approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: ['bob'], policy: 'all' }, 'alice');
    // a submit that crashed after its contract write
    await raw('approval_requests').updateOne({ _id: request.id }, { $set: { confirmed: false } });
    expect(await storage.approvals.getByIds([request.id])).toEqual([null]);
    expect((await storage.approvals.list({}, { first: 5 })).items).toHaveLength(0);
    // a submit that crashed after its insert, long ago
    const orphan = { ...(await raw('approval_requests').findOne({ _id: request.id }))!, _id: 'orphan', requestedAt: new Date(Date.now() - 120_000) };
    await raw('approval_requests').insertOne(orphan);
    await storage.approvals.reconcile();
    expect(await raw('approval_requests').findOne({ _id: 'orphan' })).toBeNull();
    expect(ids(await storage.approvals.getByIds([request.id, 'orphan']))).toEqual([request.id, null]);
  });

  it('completes the contract move of a closed request whose second write did not happen (reconcile)', async () => {
    const created = await storage.contracts.create({ document: v1() }, 'alice');
    const request = await storage.approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: ['bob'], policy: 'all' }, 'alice');
    const approved = planDecision(request, { requestId: request.id, verdict: 'approve' }, 'bob', new Date());
    await raw('approval_requests').updateOne(
      { _id: request.id },
      { $set: { status: approved.status, decisions: approved.decisions, awaiting: [], resolvedAt: approved.resolvedAt, resolvedBy: 'bob', revision: 2, applied: false } },
    );
    expect((await storage.contracts.getById(created.id))?.status).toBe('in_review');
    expect(await storage.approvals.reconcile()).toBe(1);
    const contract = (await storage.contracts.getById(created.id))!;
    expect([contract.status, contract.activeVersion, contract.openApprovalRequestId]).toEqual(['active', 1, null]);
    expect(contract.statusHistory.at(-1)).toMatchObject({ by: 'bob', approvalRequestId: request.id, at: approved.resolvedAt });
    expect(await storage.approvals.reconcile()).toBe(0);
  });

  it('completes a crashed approval when the contract or the request is touched again', async () => {
    for (const touch of ['update', 'withdraw'] as const) {
      const created = await storage.contracts.create({ document: contractDocument({ name: `crashed-${touch}` }) }, 'alice');
      const request = await storage.approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: ['bob'], policy: 'all' }, 'alice');
      const approved = planDecision(request, { requestId: request.id, verdict: 'approve' }, 'bob', new Date());
      await raw('approval_requests').updateOne(
        { _id: request.id },
        { $set: { status: approved.status, decisions: approved.decisions, awaiting: [], resolvedAt: approved.resolvedAt, resolvedBy: 'bob', revision: 2, applied: false } },
      );
      if (touch === 'update') {
        // The caller read revision 2 (in review); the completed move makes it stale: a ConflictError naming revision 3.
        const error = await storage.contracts.update({ id: created.id, expectedRevision: 2, document: contractDocument({ name: `crashed-${touch}`, version: '1.1.0' }) }, 'alice').catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConflictError);
        expect((error as ConflictError).actualRevision).toBe(3);
      } else {
        await expect(storage.approvals.withdraw({ requestId: request.id }, { name: 'alice', admin: false })).rejects.toBeInstanceOf(InvalidStateError);
      }
      const contract = (await storage.contracts.getById(created.id))!;
      expect([contract.status, contract.activeVersion, contract.openApprovalRequestId]).toEqual(['active', 1, null]);
      expect(contract.statusHistory.filter((h) => h.to === 'active')).toHaveLength(1);
    }
  });

  it('completes a crashed rejection when the contract is submitted again (apply on touch)', async () => {
    const created = await storage.contracts.create({ document: v1() }, 'alice');
    const request = await storage.approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: ['bob'], policy: 'all' }, 'alice');
    const rejected = planDecision(request, { requestId: request.id, verdict: 'reject', note: 'no' }, 'bob', new Date());
    await raw('approval_requests').updateOne(
      { _id: request.id },
      { $set: { status: rejected.status, decisions: rejected.decisions, awaiting: [], resolvedAt: rejected.resolvedAt, resolvedBy: 'bob', revision: 2, applied: false } },
    );
    const again = await storage.approvals.submit({ contractId: created.id, expectedRevision: 3, approvers: ['carol'], policy: 'all' }, 'alice');
    const contract = (await storage.contracts.getById(created.id))!;
    expect([contract.status, contract.openApprovalRequestId, contract.revision]).toEqual(['in_review', again.id, 4]);
    expect(contract.statusHistory.map((h) => h.to)).toEqual(['draft', 'in_review', 'draft', 'in_review']);
  });

  it('withdraws the open request of a deleted contract', async () => {
    const created = await storage.contracts.create({ document: v1() }, 'alice');
    const request = await storage.approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: ['bob'], policy: 'all' }, 'alice');
    await storage.contracts.delete(created.id, null, 'admin');
    const [read] = await storage.approvals.getByIds([request.id]);
    expect(read).toMatchObject({ status: 'withdrawn', awaiting: [], resolvedBy: 'admin', resolutionNote: 'contract deleted', revision: 2 });
    await expect(storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, 'bob')).rejects.toBeInstanceOf(InvalidStateError);
    await expect(storage.approvals.decide({ requestId: 'nope', verdict: 'approve' }, 'bob')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('writes nothing when the contract changed between the read and the write of a submit', async () => {
    const created = await storage.contracts.create({ document: v1() }, 'alice');
    const submits = await Promise.allSettled(
      ['bob', 'carol', 'dave'].map((approver) => storage.approvals.submit({ contractId: created.id, expectedRevision: 1, approvers: [approver], policy: 'all' }, 'alice')),
    );
    expect(submits.filter((s) => s.status === 'fulfilled')).toHaveLength(1);
    expect(await raw('approval_requests').countDocuments({})).toBe(1);
  });
});

function ids(items: readonly ({ id: string } | null)[]): (string | null)[] {
  return items.map((i) => i?.id ?? null);
}
