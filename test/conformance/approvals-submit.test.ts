/**
 * Conformance: the ApprovalRepository of every backend (src/storage/types.ts, domain/approvals) — submitting a
 * contract's newest version for review, withdrawal, and a deleted contract's open request.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest, SubmitForReviewInput } from '../../src/domain/approvals.js';
import type { Contract } from '../../src/domain/contracts.js';
import {
  ConflictError,
  InvalidStateError,
  InvalidTransitionError,
  NotAllowedError,
  NotFoundError,
  ValidationError,
} from '../../src/domain/errors.js';
import type { ApprovalFilter } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, ids, moveContractTo, rejection, useBackend } from './helpers.js';

const T = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, n));

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const repo = () => storage().approvals;
  const contracts = () => storage().contracts;

  async function draft(name: string): Promise<Contract> {
    return contracts().create({ document: contractDocument({ name }) }, 'alice');
  }

  async function submit(contract: Contract, input: Partial<SubmitForReviewInput> = {}, by: string | null = 'bob'): Promise<ApprovalRequest> {
    return repo().submit({ contractId: contract.id, expectedRevision: contract.revision, approvers: ['carol', 'dave'], policy: 'all', ...input }, by);
  }

  async function stored(id: string): Promise<ApprovalRequest> {
    const [request] = await repo().getByIds([id]);
    expect(request).not.toBeNull();
    return request!;
  }

  async function listIds(filter: ApprovalFilter): Promise<string[]> {
    const page = await repo().list(filter, { first: 100 });
    expect(await page.totalCount()).toBe(page.items.length);
    return ids(page.items) as string[];
  }

  // -------------------------------------------------------------------------------------------------------------
  describe('submit', () => {
    it('opens a request for the newest version and moves a draft contract to in_review', async () => {
      const contract = await draft('orders');
      const request = await at(T(1), () => submit(contract, { approvers: [' carol ', 'dave'], note: ' please look ' }));
      expect(typeof request.id).toBe('string');
      expect(request).toEqual<ApprovalRequest>({
        id: request.id,
        contractId: contract.id,
        versionNumber: 1,
        version: '1.0.0',
        approvers: ['carol', 'dave'],
        policy: 'all',
        requiredApprovals: 2,
        status: 'open',
        decisions: [],
        awaiting: ['carol', 'dave'],
        note: 'please look',
        requestedBy: 'bob',
        requestedAt: T(1),
        resolvedAt: null,
        resolvedBy: null,
        resolutionNote: null,
        revision: 1,
      });
      expect(await repo().getByIds([request.id, 'no-such-request'])).toEqual([request, null]);
      expect(await repo().getByIds([])).toEqual([]);
      const after = await contracts().getById(contract.id);
      expect(after).toMatchObject({ status: 'in_review', openApprovalRequestId: request.id, revision: 2, updatedBy: 'bob', versionCount: 1 });
      expect(after!.updatedAt).toEqual(T(1));
      expect((await storage().schemaCatalog.listByContractIds([contract.id]))[0]!.map((e) => [e.contractStatus, e.contractRevision])).toEqual([['in_review', 2]]);
    });

    it('keeps an active contract active when its draft revision is submitted', async () => {
      const contract = await draft('orders');
      const active = await moveContractTo(storage(), contract.id, 'active');
      const revised = await contracts().update({ id: contract.id, expectedRevision: active.revision, document: contractDocument({ name: 'orders', purpose: 'two' }) }, 'bob');
      const request = await submit(revised, { policy: 'any' });
      expect(request).toMatchObject({ versionNumber: 2, version: '1.0.1', policy: 'any', requiredApprovals: 1 });
      expect(await contracts().getById(contract.id)).toMatchObject({ status: 'active', activeVersion: 1, version: '1.0.0', openApprovalRequestId: request.id });
    });

    it('allows at most one open request per contract', async () => {
      const contract = await draft('orders');
      const first = await submit(contract);
      const current = (await contracts().getById(contract.id))!;
      await rejection(submit(current, { approvers: ['erin'] }), InvalidStateError);
      expect(await all((page) => repo().list({ contractId: contract.id }, page))).toEqual([first]);
      expect(await contracts().getById(contract.id)).toEqual(current);
    });

    it('reports invalid input at its path and writes nothing', async () => {
      const contract = await draft('orders');
      const cases: [Partial<SubmitForReviewInput>, string[]][] = [
        [{ approvers: [] }, ['input.approvers']],
        [{ approvers: ['carol', 'carol'] }, ['input.approvers[1]']],
        [{ approvers: ['carol', 'bob'] }, ['input.approvers[1]']],
        [{ approvers: ['carol', '  '] }, ['input.approvers[1]']],
        [{ approvers: Array.from({ length: 21 }, (_, i) => `p${i}`) }, ['input.approvers']],
        [{ policy: 'any', requiredApprovals: 0 }, ['input.requiredApprovals']],
        [{ policy: 'any', requiredApprovals: 3 }, ['input.requiredApprovals']],
        [{ policy: 'all', requiredApprovals: 1 }, ['input.requiredApprovals']],
        [{ note: 'x'.repeat(2001) }, ['input.note']],
      ];
      for (const [input, paths] of cases) {
        const error = await rejection(submit(contract, input), ValidationError);
        expect(error.issues.map((i) => i.path), JSON.stringify(input)).toEqual(paths);
      }
      await rejection(submit(contract, {}, null), NotAllowedError);
      await rejection(repo().submit({ contractId: 'no-such-contract', expectedRevision: 1, approvers: ['carol'], policy: 'all' }, 'bob'), NotFoundError);
      expect(await contracts().getById(contract.id)).toEqual(contract);
      expect(await all((page) => repo().list({}, page))).toEqual([]);
      // ALL with requiredApprovals equal to the number of approvers is fine.
      expect(await submit(contract, { policy: 'all', requiredApprovals: 2 })).toMatchObject({ requiredApprovals: 2 });
    });

    it('rejects a stale expectedRevision with ConflictError and writes nothing', async () => {
      const contract = await draft('orders');
      const changed = await contracts().setSettings({ id: contract.id, expectedRevision: 1, autoOpenIssues: false }, 'admin');
      const error = await rejection(submit(contract), ConflictError);
      expect([error.expectedRevision, error.actualRevision]).toEqual([1, 2]);
      expect(await contracts().getById(contract.id)).toEqual(changed);
      expect(await all((page) => repo().list({}, page))).toEqual([]);
    });

    it('refuses deprecated and retired contracts with InvalidTransitionError', async () => {
      const contract = await draft('orders');
      const deprecated = await moveContractTo(storage(), contract.id, 'deprecated');
      await rejection(submit(deprecated), InvalidTransitionError);
      const retired = await moveContractTo(storage(), contract.id, 'retired');
      await rejection(submit(retired), InvalidTransitionError);
      expect(await contracts().getById(contract.id)).toEqual(retired);
      expect(await listIds({ contractId: contract.id, status: ['open'] })).toEqual([]);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('withdraw', () => {
    it('by the requester: the contract goes back to draft; others may not', async () => {
      const contract = await draft('orders');
      const request = await submit(contract);
      await repo().decide({ requestId: request.id, verdict: 'approve' }, 'carol');
      await rejection(repo().withdraw({ requestId: request.id }, { name: 'carol', admin: false }), NotAllowedError);
      await rejection(repo().withdraw({ requestId: request.id }, { name: null, admin: false }), NotAllowedError);
      await rejection(repo().withdraw({ requestId: 'no-such-request' }, { name: 'bob', admin: false }), NotFoundError);
      expect((await stored(request.id)).status).toBe('open');

      const withdrawn = await at(T(4), () => repo().withdraw({ requestId: request.id, note: 'wrong version' }, { name: 'bob', admin: false }));
      expect(withdrawn).toMatchObject({ status: 'withdrawn', awaiting: [], resolvedAt: T(4), resolvedBy: 'bob', resolutionNote: 'wrong version', revision: 3 });
      expect(withdrawn.decisions).toHaveLength(1);
      expect(await stored(request.id)).toEqual(withdrawn);
      const after = (await contracts().getById(contract.id))!;
      expect(after).toMatchObject({ status: 'draft', openApprovalRequestId: null, revision: 3 });
      expect(after.statusHistory.at(-1)).toEqual({
        at: T(4),
        by: 'bob',
        from: 'in_review',
        to: 'draft',
        version: '1.0.0',
        versionNumber: 1,
        note: 'wrong version',
        approvalRequestId: request.id,
      });
      await rejection(repo().decide({ requestId: request.id, verdict: 'approve' }, 'dave'), InvalidStateError);
      await rejection(repo().withdraw({ requestId: request.id }, { name: 'bob', admin: false }), InvalidStateError);
      // A new request can be opened.
      expect(await submit(after)).toMatchObject({ status: 'open' });
    });

    it('by an admin', async () => {
      const contract = await draft('orders');
      const request = await submit(contract);
      const withdrawn = await repo().withdraw({ requestId: request.id }, { name: 'root', admin: true });
      expect(withdrawn).toMatchObject({ status: 'withdrawn', resolvedBy: 'root', resolutionNote: null });
      expect(await contracts().getById(contract.id)).toMatchObject({ status: 'draft', openApprovalRequestId: null, updatedBy: 'root' });
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('contract delete', () => {
    it("withdraws the contract's open request and leaves its closed ones alone", async () => {
      const contract = await draft('orders');
      const closed = await submit(contract, { policy: 'any' });
      const rejected = await repo().decide({ requestId: closed.id, verdict: 'reject', note: 'no' }, 'carol');
      // ANY 1 of 2: one rejection leaves dave, so it is still open.
      expect(rejected.status).toBe('open');
      await repo().decide({ requestId: closed.id, verdict: 'reject', note: 'no' }, 'dave');
      const closedBefore = await stored(closed.id);
      expect(closedBefore.status).toBe('rejected');

      const current = (await contracts().getById(contract.id))!;
      const open = await submit(current);
      const before = Date.now();
      await contracts().delete(contract.id, current.revision + 1, 'admin');
      const withdrawn = await stored(open.id);
      expect(withdrawn).toMatchObject({ status: 'withdrawn', resolutionNote: 'contract deleted', awaiting: [], resolvedBy: 'admin', revision: open.revision + 1 });
      expect(withdrawn.resolvedAt!.getTime()).toBeGreaterThanOrEqual(before);
      expect(withdrawn.decisions).toEqual([]);
      expect(await stored(closed.id)).toEqual(closedBefore);
      expect(await contracts().getById(contract.id)).toBeNull();
      await rejection(repo().decide({ requestId: open.id, verdict: 'approve' }, 'carol'), InvalidStateError);
    });
  });
});
