/**
 * Conformance: the ApprovalRepository of every backend (src/storage/types.ts, domain/approvals) — decisions under the
 * ALL and ANY policies, the contract moves they cause, and concurrent deciders.
 */
import { describe, expect, it } from 'vitest';
import { type ApprovalRequest, MAX_APPROVERS, type SubmitForReviewInput } from '../../src/domain/approvals.js';
import type { Contract } from '../../src/domain/contracts.js';
import { InvalidStateError, NotAllowedError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { at, moveContractTo, rejection, requireAtomicWrites, useBackend } from './helpers.js';

const T = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, n));

async function activations(storage: StorageBackend, contractId: string): Promise<number> {
  const contract = await storage.contracts.getById(contractId);
  return contract!.statusHistory.filter((h) => h.to === 'active').length;
}

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

  // -------------------------------------------------------------------------------------------------------------
  describe('decide', () => {
    it('lets only listed approvers decide, once; a rejection needs a reason', async () => {
      const contract = await draft('orders');
      const request = await submit(contract, { approvers: ['carol', 'dave', 'erin'], policy: 'any', requiredApprovals: 2 });
      await rejection(repo().decide({ requestId: request.id, verdict: 'approve' }, 'mallory'), NotAllowedError);
      await rejection(repo().decide({ requestId: request.id, verdict: 'approve' }, 'bob'), NotAllowedError);
      await rejection(repo().decide({ requestId: request.id, verdict: 'approve' }, null), NotAllowedError);
      await rejection(repo().decide({ requestId: 'no-such-request', verdict: 'approve' }, 'carol'), NotFoundError);
      for (const note of [undefined, null, '   ']) {
        const error = await rejection(repo().decide({ requestId: request.id, verdict: 'reject', note }, 'carol'), ValidationError);
        expect(error.issues.map((i) => i.path)).toEqual(['input.reason']);
      }
      expect(await stored(request.id)).toEqual(request);

      const once = await repo().decide({ requestId: request.id, verdict: 'approve' }, 'carol');
      expect(once).toMatchObject({ status: 'open', revision: 2, awaiting: ['dave', 'erin'] });
      await rejection(repo().decide({ requestId: request.id, verdict: 'approve' }, 'carol'), NotAllowedError);
      await rejection(repo().decide({ requestId: request.id, verdict: 'reject', note: 'changed my mind' }, 'carol'), NotAllowedError);
      expect(await stored(request.id)).toEqual(once);
    });

    it('ALL: one rejection rejects the request and moves the contract back to draft', async () => {
      const contract = await draft('orders');
      const request = await at(T(1), () => submit(contract));
      const first = await at(T(2), () => repo().decide({ requestId: request.id, verdict: 'approve', note: 'looks good' }, 'carol'));
      expect(first).toMatchObject({ status: 'open', awaiting: ['dave'], resolvedAt: null, revision: 2 });
      expect((await contracts().getById(contract.id))!.status).toBe('in_review');
      const rejected = await at(T(3), () => repo().decide({ requestId: request.id, verdict: 'reject', note: ' amounts are wrong ' }, 'dave'));
      expect(rejected).toEqual<ApprovalRequest>({
        ...request,
        status: 'rejected',
        decisions: [
          { approver: 'carol', verdict: 'approve', note: 'looks good', at: T(2) },
          { approver: 'dave', verdict: 'reject', note: 'amounts are wrong', at: T(3) },
        ],
        awaiting: [],
        resolvedAt: T(3),
        resolvedBy: 'dave',
        resolutionNote: 'amounts are wrong',
        revision: 3,
      });
      expect(await stored(request.id)).toEqual(rejected);
      const after = (await contracts().getById(contract.id))!;
      expect(after).toMatchObject({ status: 'draft', openApprovalRequestId: null, revision: 3, activeVersion: null });
      expect(after.statusHistory.at(-1)).toEqual({
        at: T(3),
        by: 'dave',
        from: 'in_review',
        to: 'draft',
        version: '1.0.0',
        versionNumber: 1,
        note: 'amounts are wrong',
        approvalRequestId: request.id,
      });
    });

    it('ALL: a rejection first rejects at once; every approval activates the version', async () => {
      const a = await draft('a');
      const ra = await submit(a);
      expect(await repo().decide({ requestId: ra.id, verdict: 'reject', note: 'no' }, 'carol')).toMatchObject({ status: 'rejected', resolvedBy: 'carol', awaiting: [] });
      expect((await contracts().getById(a.id))!.status).toBe('draft');

      const b = await draft('b');
      const rb = await submit(b);
      await repo().decide({ requestId: rb.id, verdict: 'approve' }, 'dave');
      const approved = await at(T(5), () => repo().decide({ requestId: rb.id, verdict: 'approve', note: 'ok' }, 'carol'));
      expect(approved).toMatchObject({ status: 'approved', resolvedBy: 'carol', resolvedAt: T(5), resolutionNote: 'ok', awaiting: [] });
      expect(approved.decisions.map((d) => [d.approver, d.verdict])).toEqual([
        ['dave', 'approve'],
        ['carol', 'approve'],
      ]);
      const after = (await contracts().getById(b.id))!;
      expect(after).toMatchObject({ status: 'active', activeVersion: 1, openApprovalRequestId: null, revision: 3 });
      expect(after.statusHistory.at(-1)).toMatchObject({ at: T(5), by: 'carol', from: 'in_review', to: 'active', approvalRequestId: rb.id, note: 'ok' });
    });

    it('ANY 2 of 3: resolves on the second approval, and rejects once two rejections make it unreachable', async () => {
      const a = await draft('a');
      const ra = await submit(a, { approvers: ['carol', 'dave', 'erin'], policy: 'any', requiredApprovals: 2 });
      expect(await repo().decide({ requestId: ra.id, verdict: 'approve' }, 'carol')).toMatchObject({ status: 'open', awaiting: ['dave', 'erin'] });
      expect(await repo().decide({ requestId: ra.id, verdict: 'reject', note: 'meh' }, 'dave')).toMatchObject({ status: 'open', awaiting: ['erin'] });
      const approved = await repo().decide({ requestId: ra.id, verdict: 'approve' }, 'erin');
      expect(approved).toMatchObject({ status: 'approved', resolvedBy: 'erin', awaiting: [], revision: 4 });
      expect(approved.decisions.map((d) => [d.approver, d.verdict, d.note])).toEqual([
        ['carol', 'approve', null],
        ['dave', 'reject', 'meh'],
        ['erin', 'approve', null],
      ]);
      expect(await contracts().getById(a.id)).toMatchObject({ status: 'active', activeVersion: 1 });

      const b = await draft('b');
      const rb = await submit(b, { approvers: ['carol', 'dave', 'erin'], policy: 'any', requiredApprovals: 2 });
      expect(await repo().decide({ requestId: rb.id, verdict: 'reject', note: 'no' }, 'carol')).toMatchObject({ status: 'open' });
      const rejected = await repo().decide({ requestId: rb.id, verdict: 'reject', note: 'also no' }, 'dave');
      expect(rejected).toMatchObject({ status: 'rejected', resolvedBy: 'dave', resolutionNote: 'also no', awaiting: [] });
      expect(await contracts().getById(b.id)).toMatchObject({ status: 'draft', openApprovalRequestId: null });
      // Closed: the approver left cannot decide any more.
      await rejection(repo().decide({ requestId: rb.id, verdict: 'approve' }, 'erin'), InvalidStateError);
      expect(await stored(rb.id)).toEqual(rejected);
    });

    it('refuses decisions on closed requests with InvalidStateError', async () => {
      const contract = await draft('orders');
      const request = await submit(contract, { policy: 'any' });
      const approved = await repo().decide({ requestId: request.id, verdict: 'approve' }, 'carol');
      expect(approved.status).toBe('approved');
      const before = await contracts().getById(contract.id);
      await rejection(repo().decide({ requestId: request.id, verdict: 'approve' }, 'dave'), InvalidStateError);
      await rejection(repo().decide({ requestId: request.id, verdict: 'reject', note: 'late' }, 'dave'), InvalidStateError);
      await rejection(repo().withdraw({ requestId: request.id }, { name: 'bob', admin: false }), InvalidStateError);
      expect(await stored(request.id)).toEqual(approved);
      expect(await contracts().getById(contract.id)).toEqual(before);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('concurrent decisions', () => {
    it('ALL of 2: both decisions are recorded and the request is approved exactly once', async (ctx) => {
      requireAtomicWrites(ctx, storage());
      for (let round = 0; round < 5; round++) {
        const contract = await draft(`all-${round}`);
        const request = await submit(contract);
        const results = await Promise.all([
          repo().decide({ requestId: request.id, verdict: 'approve', note: 'c' }, 'carol'),
          repo().decide({ requestId: request.id, verdict: 'approve', note: 'd' }, 'dave'),
        ]);
        expect(results.map((r) => r.status).sort()).toEqual(['approved', 'open']);
        const final = await stored(request.id);
        expect(final).toMatchObject({ status: 'approved', revision: 3, awaiting: [] });
        expect(final.decisions.map((d) => d.approver).sort()).toEqual(['carol', 'dave']);
        const after = (await contracts().getById(contract.id))!;
        expect(after).toMatchObject({ status: 'active', activeVersion: 1, openApprovalRequestId: null, revision: 3 });
        expect(after.statusHistory.filter((h) => h.from === 'in_review' && h.to === 'active')).toHaveLength(1);
        expect(await activations(storage(), contract.id)).toBe(1);
      }
    });

    it('ALL of the maximum 20 approvers deciding at once: every decision is recorded, the request approved once', async (ctx) => {
      requireAtomicWrites(ctx, storage());
      const contract = await draft('twenty');
      const approvers = Array.from({ length: MAX_APPROVERS }, (_, i) => `approver-${String(i).padStart(2, '0')}`);
      const request = await repo().submit({ contractId: contract.id, expectedRevision: contract.revision, approvers, policy: 'all' }, 'alice');
      const results = await Promise.all(approvers.map((a) => repo().decide({ requestId: request.id, verdict: 'approve' }, a)));
      expect(results.filter((r) => r.status === 'approved')).toHaveLength(1);
      const final = await stored(request.id);
      expect(final).toMatchObject({ status: 'approved', revision: 1 + MAX_APPROVERS, awaiting: [] });
      expect(final.decisions.map((d) => d.approver).sort()).toEqual(approvers);
      expect(await activations(storage(), contract.id)).toBe(1);
    });

    it('ANY 1 of 2: exactly one decision wins, the other is refused with InvalidStateError', async (ctx) => {
      requireAtomicWrites(ctx, storage());
      for (let round = 0; round < 5; round++) {
        const contract = await draft(`any-${round}`);
        const request = await submit(contract, { policy: 'any' });
        const results = await Promise.allSettled([
          repo().decide({ requestId: request.id, verdict: 'approve' }, 'carol'),
          repo().decide({ requestId: request.id, verdict: 'approve' }, 'dave'),
        ]);
        const won = results.filter((r): r is PromiseFulfilledResult<ApprovalRequest> => r.status === 'fulfilled');
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(1);
        expect(lost[0]!.reason).toBeInstanceOf(InvalidStateError);
        const final = await stored(request.id);
        expect(final).toEqual(won[0]!.value);
        expect(final).toMatchObject({ status: 'approved', revision: 2 });
        expect(final.decisions).toHaveLength(1);
        const after = (await contracts().getById(contract.id))!;
        expect(after).toMatchObject({ status: 'active', revision: 3 });
        expect(await activations(storage(), contract.id)).toBe(1);
      }
    });

    it('ALL of 2 on a revision of an active contract: one active → active entry', async (ctx) => {
      requireAtomicWrites(ctx, storage());
      for (let round = 0; round < 5; round++) {
        const contract = await draft(`rev-${round}`);
        const active = await moveContractTo(storage(), contract.id, 'active');
        const revised = await contracts().update(
          { id: contract.id, expectedRevision: active.revision, document: contractDocument({ name: `rev-${round}`, purpose: 'two' }) },
          'bob',
        );
        const request = await submit(revised);
        await Promise.all([
          repo().decide({ requestId: request.id, verdict: 'approve' }, 'carol'),
          repo().decide({ requestId: request.id, verdict: 'approve' }, 'dave'),
        ]);
        const after = (await contracts().getById(contract.id))!;
        expect(after).toMatchObject({ status: 'active', activeVersion: 2, version: '1.0.1', openApprovalRequestId: null });
        expect(after.statusHistory.filter((h) => h.from === 'active' && h.to === 'active')).toHaveLength(1);
      }
    });
  });

});
