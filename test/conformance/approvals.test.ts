/**
 * Conformance: the ApprovalRepository of every backend (src/storage/types.ts, domain/approvals) — submitting a
 * contract's newest version for review, decisions under the ALL and ANY policies, withdrawal, the contract moves they
 * cause, listing with filters and paging, concurrent deciders, and a deleted contract's open request.
 */
import { describe, expect, it } from 'vitest';
import { type ApprovalRequest, MAX_APPROVERS, type SubmitForReviewInput } from '../../src/domain/approvals.js';
import type { Contract } from '../../src/domain/contracts.js';
import {
  ConflictError,
  InvalidStateError,
  InvalidTransitionError,
  NotAllowedError,
  NotFoundError,
  ValidationError,
} from '../../src/domain/errors.js';
import type { ApprovalFilter, StorageBackend } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, cmp, collectPages, ids, moveContractTo, rejection, useBackend } from './helpers.js';

const T = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, n));

/** Requests in list order: requestedAt desc, then id desc. */
function newestFirst(requests: readonly ApprovalRequest[]): string[] {
  return [...requests].sort((a, b) => b.requestedAt.getTime() - a.requestedAt.getTime() || cmp(b.id, a.id)).map((r) => r.id);
}

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
  describe('list', () => {
    /**
     * r1 (a, bob, T1, carol+dave ALL) rejected by carol; r2 (a, bob, T2, carol) open; r3 (b, erin, T3, carol+dave
     * ANY 1) approved by dave; r4 (c, bob, T4, dave+frank ALL) open, dave approved; r5 (d, erin, T4, frank) withdrawn.
     */
    async function seed() {
      const [a, b, c, d] = [await draft('a'), await draft('b'), await draft('c'), await draft('d')];
      const r1 = await at(T(1), () => submit(a));
      await repo().decide({ requestId: r1.id, verdict: 'reject', note: 'no' }, 'carol');
      const aAfterReject = (await contracts().getById(a.id))!;
      const r2 = await at(T(2), () => submit(aAfterReject, { approvers: ['carol'] }));
      const r3 = await at(T(3), () => submit(b, { policy: 'any' }, 'erin'));
      await repo().decide({ requestId: r3.id, verdict: 'approve' }, 'dave');
      const r4 = await at(T(4), () => submit(c, { approvers: ['dave', 'frank'] }));
      await repo().decide({ requestId: r4.id, verdict: 'approve' }, 'dave');
      const r5 = await at(T(4), () => submit(d, { approvers: ['frank'] }, 'erin'));
      await repo().withdraw({ requestId: r5.id }, { name: 'erin', admin: false });
      const requests = (await repo().getByIds([r1.id, r2.id, r3.id, r4.id, r5.id])) as ApprovalRequest[];
      const [s1, s2, s3, s4, s5] = requests;
      return { a, b, c, d, r: { r1: s1!, r2: s2!, r3: s3!, r4: s4!, r5: s5! }, requests };
    }

    it('lists newest first (requestedAt desc, then id desc) and pages through every request once', async () => {
      const { requests } = await seed();
      const expected = newestFirst(requests);
      expect(await listIds({})).toEqual(expected);
      const listed = await all((page) => repo().list({}, page));
      expect(listed).toEqual(expected.map((id) => requests.find((r) => r.id === id)));
      for (const first of [1, 2, 3]) {
        const { items, pages, totalCounts } = await collectPages((page) => repo().list({}, page), first);
        expect(ids(items)).toEqual(expected);
        expect(pages.flat()).toHaveLength(5);
        expect(new Set(totalCounts)).toEqual(new Set([5]));
      }
      await rejection(repo().list({}, { first: 2, after: 'not-a-cursor' }), ValidationError);
    });

    it('filters by contract, status, approver, awaiting and requester, with paging and totalCount', async () => {
      const { a, r, requests } = await seed();
      const order = (...list: ApprovalRequest[]) => newestFirst(list);
      expect(await listIds({ contractId: a.id })).toEqual(order(r.r1, r.r2));
      expect(await listIds({ contractId: 'no-such-contract' })).toEqual([]);
      expect(await listIds({ status: ['open'] })).toEqual(order(r.r2, r.r4));
      expect(await listIds({ status: ['approved', 'withdrawn'] })).toEqual(order(r.r3, r.r5));
      expect(await listIds({ status: ['rejected'] })).toEqual([r.r1.id]);
      expect(await listIds({ status: [] })).toEqual(newestFirst(requests));
      expect(await listIds({ approver: 'carol' })).toEqual(order(r.r1, r.r2, r.r3));
      expect(await listIds({ approver: 'frank' })).toEqual(order(r.r4, r.r5));
      expect(await listIds({ approver: 'bob' })).toEqual([]);
      // awaiting: open requests the principal has not decided yet.
      expect(await listIds({ awaiting: 'carol' })).toEqual([r.r2.id]);
      expect(await listIds({ awaiting: 'dave' })).toEqual([]);
      expect(await listIds({ awaiting: 'frank' })).toEqual([r.r4.id]);
      expect(await listIds({ requestedBy: 'erin' })).toEqual(order(r.r3, r.r5));
      expect(await listIds({ requestedBy: 'bob', status: ['open'] })).toEqual(order(r.r2, r.r4));
      expect(await listIds({ requestedBy: 'bob', approver: 'carol', status: ['rejected', 'open'] })).toEqual(order(r.r1, r.r2));

      const paged = await collectPages((page) => repo().list({ approver: 'carol' }, page), 2);
      expect(ids(paged.items)).toEqual(order(r.r1, r.r2, r.r3));
      expect(paged.pages.map((p) => p.length)).toEqual([2, 1]);
      expect(new Set(paged.totalCounts)).toEqual(new Set([3]));
    });

    it('keeps awaiting to the approvers who have not decided, and empties it once the request is closed', async () => {
      const { r } = await seed();
      expect(r.r4.awaiting).toEqual(['frank']);
      expect(r.r2.awaiting).toEqual(['carol']);
      for (const closed of [r.r1, r.r3, r.r5]) expect(closed.awaiting).toEqual([]);
      expect(r.r1).toMatchObject({ status: 'rejected', decisions: [{ approver: 'carol', verdict: 'reject', note: 'no' }] });
      expect(r.r3).toMatchObject({ status: 'approved', awaiting: [], resolvedBy: 'dave' });
      expect(r.r5).toMatchObject({ status: 'withdrawn', resolvedBy: 'erin' });
      await repo().decide({ requestId: r.r4.id, verdict: 'approve' }, 'frank');
      expect(await listIds({ awaiting: 'frank' })).toEqual([]);
      expect((await stored(r.r4.id)).awaiting).toEqual([]);
    });
  });

  // -------------------------------------------------------------------------------------------------------------
  describe('concurrent decisions', () => {
    it('ALL of 2: both decisions are recorded and the request is approved exactly once', async () => {
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

    it('ALL of the maximum 20 approvers deciding at once: every decision is recorded, the request approved once', async () => {
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

    it('ANY 1 of 2: exactly one decision wins, the other is refused with InvalidStateError', async () => {
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

    it('ALL of 2 on a revision of an active contract: one active → active entry', async () => {
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
