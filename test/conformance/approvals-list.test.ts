/**
 * Conformance: the ApprovalRepository of every backend (src/storage/types.ts, domain/approvals) — listing requests
 * with filters and paging.
 */
import { describe, expect, it } from 'vitest';
import type { ApprovalRequest, SubmitForReviewInput } from '../../src/domain/approvals.js';
import type { Contract } from '../../src/domain/contracts.js';
import { ValidationError } from '../../src/domain/errors.js';
import type { ApprovalFilter } from '../../src/storage/types.js';
import { backends } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { all, at, cmp, collectPages, ids, rejection, useBackend } from './helpers.js';

const T = (n: number) => new Date(Date.UTC(2030, 0, 1, 0, 0, n));

/** Requests in list order: requestedAt desc, then id desc. */
function newestFirst(requests: readonly ApprovalRequest[]): string[] {
  return [...requests].sort((a, b) => b.requestedAt.getTime() - a.requestedAt.getTime() || cmp(b.id, a.id)).map((r) => r.id);
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

});
