/**
 * Approvals through GraphQL, with named principals: two editors (ana requests, bob does not), three approvers (carol,
 * dave, erin) and an admin — requests, decisions, rejection, withdrawal and listing. The race of two approvers runs on
 * every backend.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import type { Role } from '../../src/auth/principal.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  ApprovalRequestsDocument,
  ApproveDocument,
  ContractLifecycleDocument,
  CreateContractDocument,
  MyPendingApprovalsDocument,
  RejectDocument,
  SubmitForReviewDocument,
  UpdateContractDocument,
  WithdrawApprovalRequestDocument,
  type SubmitForReviewInput,
} from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

function fail(e: unknown): never {
  throw e;
}

/** Narrows a mutation result union to one member, failing with the whole value when it is another. */
function expectType<T extends { __typename: string }, N extends T['__typename']>(value: T, typename: N): Extract<T, { __typename: N }> {
  expect(value.__typename, JSON.stringify(value)).toBe(typename);
  return value as Extract<T, { __typename: N }>;
}

const PEOPLE = { ana: 'editor', bob: 'editor', carol: 'approver', dave: 'approver', erin: 'approver', root: 'admin' } as const satisfies Record<string, Role>;
type Person = keyof typeof PEOPLE;

/** One client per person over the same storage, each with its own API key named after the person. */
function people(storage: StorageBackend): Record<Person, TestClient> {
  const keys = Object.entries(PEOPLE).map(([name, role]) => ({ name, role, key: randomBytes(24).toString('base64url') }));
  const apiKeys = keys.map(({ name, role, key }) => ({ name, roles: [role as Role], sha256: hashApiKey(key) }));
  return Object.fromEntries(
    keys.map(({ name, key }) => [name, createTestClient(storage, fail, { as: { headers: { 'x-api-key': key } }, auth: { apiKeys } })]),
  ) as Record<Person, TestClient>;
}

async function createContract(client: TestClient, name: string, version = '1.0.0'): Promise<string> {
  const r = await client.run(CreateContractDocument, { input: { document: contractDocument({ name, version }) } });
  return expectType(r.createContract, 'CreateContractSuccess').contract.id;
}

async function lifecycle(client: TestClient, id: string) {
  const r = await client.run(ContractLifecycleDocument, { id });
  if (!r.contract) throw new Error(`contract ${id} not found`);
  return r.contract;
}

async function submit(client: TestClient, input: Omit<SubmitForReviewInput, 'expectedRevision'> & { expectedRevision?: number }) {
  const expectedRevision = input.expectedRevision ?? (await lifecycle(client, input.contractId)).revision;
  return (await client.run(SubmitForReviewDocument, { input: { ...input, expectedRevision } })).submitForReview;
}

async function openRequest(client: TestClient, input: Omit<SubmitForReviewInput, 'expectedRevision'>) {
  return expectType(await submit(client, input), 'SubmitForReviewSuccess').approvalRequest;
}

async function approve(client: TestClient, requestId: string, note?: string) {
  return (await client.run(ApproveDocument, { input: { requestId, note } })).approve;
}

async function reject(client: TestClient, requestId: string, reason: string) {
  return (await client.run(RejectDocument, { input: { requestId, reason } })).reject;
}

describe('approvals API', () => {
  it('a draft becomes active only through an approved request: ALL of two approvers, each deciding once', async () => {
    const p = people(createMemoryStorage());
    const contractId = await createContract(p.ana, 'orders');
    const request = await openRequest(p.ana, { contractId, approvers: ['carol', 'dave'], policy: 'ALL', note: 'first release' });
    expect(request).toMatchObject({
      status: 'OPEN',
      policy: 'ALL',
      approvers: ['carol', 'dave'],
      requiredApprovals: 2,
      awaiting: ['carol', 'dave'],
      requestedBy: 'ana',
      note: 'first release',
      versionString: '1.0.0',
      version: { number: 1 },
      contract: { status: 'IN_REVIEW' },
    });
    let contract = await lifecycle(p.bob, contractId);
    expect(contract.pendingApproval).toEqual({ id: request.id, status: 'OPEN' });
    expect(contract.statusHistory.map((e) => [e.from, e.to, e.by, e.approvalRequest?.id ?? null])).toEqual([
      [null, 'DRAFT', 'ana', null],
      ['DRAFT', 'IN_REVIEW', 'ana', request.id],
    ]);

    const pending = await p.carol.run(MyPendingApprovalsDocument, { first: 10 });
    expect(pending.myPendingApprovals.nodes).toEqual([{ id: request.id, viewerCanDecide: true, contract: { name: 'orders' } }]);
    expect((await p.bob.run(MyPendingApprovalsDocument, {})).myPendingApprovals.totalCount).toBe(0);

    const first = expectType(await approve(p.carol, request.id, 'schema looks right'), 'ApproveSuccess').approvalRequest;
    expect(first).toMatchObject({ status: 'OPEN', approvalCount: 1, awaiting: ['dave'], contract: { status: 'IN_REVIEW' } });
    expect(first.decisions).toMatchObject([{ approver: 'carol', verdict: 'APPROVE', note: 'schema looks right' }]);
    expect(expectType(await approve(p.carol, request.id), 'NotAllowedError').reason).toContain('already decided');
    expect(expectType(await approve(p.root, request.id), 'NotAllowedError').reason).toContain('not one of its approvers');
    const editorTries = await p.bob.request(ApproveDocument, { input: { requestId: request.id } });
    expect(editorTries.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await p.carol.run(MyPendingApprovalsDocument, {})).myPendingApprovals.totalCount).toBe(0);

    const done = expectType(await approve(p.dave, request.id), 'ApproveSuccess').approvalRequest;
    expect(done).toMatchObject({ status: 'APPROVED', approvalCount: 2, awaiting: [], resolvedBy: 'dave', contract: { status: 'ACTIVE', currentVersion: '1.0.0' } });
    expect(done.resolvedAt).not.toBeNull();
    contract = await lifecycle(p.bob, contractId);
    expect(contract).toMatchObject({ status: 'ACTIVE', activeVersion: { number: 1 }, draftVersion: null, pendingApproval: null });
    expect(contract.statusHistory.at(-1)).toMatchObject({ from: 'IN_REVIEW', to: 'ACTIVE', by: 'dave', version: '1.0.0', approvalRequest: { id: request.id } });
    expect(expectType(await approve(p.erin, request.id), 'NotAllowedError')).toBeTruthy();
  });

  it('a rejection needs a reason and sends the contract back to draft; only the requester (or an admin) withdraws', async () => {
    const p = people(createMemoryStorage());
    const contractId = await createContract(p.ana, 'payments');
    const request = await openRequest(p.ana, { contractId, approvers: ['carol', 'dave'] });
    const noReason = expectType(await reject(p.carol, request.id, '   '), 'ValidationError');
    expect(noReason.issues).toMatchObject([{ path: 'input.reason', code: 'required' }]);
    const rejected = expectType(await reject(p.carol, request.id, 'customer_id must stay required'), 'RejectSuccess').approvalRequest;
    expect(rejected).toMatchObject({ status: 'REJECTED', resolvedBy: 'carol', resolutionNote: 'customer_id must stay required', contract: { status: 'DRAFT' } });
    expect(rejected.decisions).toMatchObject([{ approver: 'carol', verdict: 'REJECT', note: 'customer_id must stay required' }]);
    expect(expectType(await approve(p.dave, request.id), 'InvalidStateError').reason).toContain('rejected');
    expect((await lifecycle(p.ana, contractId)).statusHistory.at(-1)).toMatchObject({ from: 'IN_REVIEW', to: 'DRAFT', by: 'carol', note: 'customer_id must stay required' });

    const second = await openRequest(p.ana, { contractId, approvers: ['dave'] });
    const byBob = (await p.bob.run(WithdrawApprovalRequestDocument, { input: { requestId: second.id } })).withdrawApprovalRequest;
    expect(expectType(byBob, 'NotAllowedError').reason).toContain('requester');
    const withdrawn = (await p.ana.run(WithdrawApprovalRequestDocument, { input: { requestId: second.id, note: 'more changes coming' } })).withdrawApprovalRequest;
    expect(expectType(withdrawn, 'WithdrawApprovalRequestSuccess').approvalRequest).toMatchObject({
      status: 'WITHDRAWN',
      resolvedBy: 'ana',
      resolutionNote: 'more changes coming',
      awaiting: [],
      contract: { status: 'DRAFT' },
    });
    const third = await openRequest(p.ana, { contractId, approvers: ['dave'] });
    const byAdmin = (await p.root.run(WithdrawApprovalRequestDocument, { input: { requestId: third.id } })).withdrawApprovalRequest;
    expect(expectType(byAdmin, 'WithdrawApprovalRequestSuccess').approvalRequest.resolvedBy).toBe('root');

    const all = await p.ana.run(ContractLifecycleDocument, { id: contractId });
    expect(all.contract?.approvalRequests.nodes.map((r) => r.status)).toEqual(['WITHDRAWN', 'WITHDRAWN', 'REJECTED']);
    expect(all.contract?.withdrawnRequests.totalCount).toBe(2);
  });

  it('ANY 2 of 3 resolves on the second approval; rejects once two approvals are out of reach', async () => {
    const p = people(createMemoryStorage());
    const a = await createContract(p.ana, 'a');
    const ra = await openRequest(p.ana, { contractId: a, approvers: ['carol', 'dave', 'erin'], policy: 'ANY', requiredApprovals: 2 });
    expect(expectType(await reject(p.carol, ra.id, 'not yet'), 'RejectSuccess').approvalRequest.status).toBe('OPEN');
    expect(expectType(await approve(p.dave, ra.id), 'ApproveSuccess').approvalRequest.status).toBe('OPEN');
    const approved = expectType(await approve(p.erin, ra.id), 'ApproveSuccess').approvalRequest;
    expect(approved).toMatchObject({ status: 'APPROVED', approvalCount: 2, contract: { status: 'ACTIVE' } });

    const b = await createContract(p.ana, 'b');
    const rb = await openRequest(p.ana, { contractId: b, approvers: ['carol', 'dave', 'erin'], policy: 'ANY', requiredApprovals: 2 });
    expect(expectType(await reject(p.carol, rb.id, 'no'), 'RejectSuccess').approvalRequest.status).toBe('OPEN');
    const out = expectType(await reject(p.dave, rb.id, 'no either'), 'RejectSuccess').approvalRequest;
    expect(out).toMatchObject({ status: 'REJECTED', awaiting: [], contract: { status: 'DRAFT' } });
    expect(expectType(await approve(p.erin, rb.id), 'InvalidStateError')).toBeTruthy();
  });

  it('refuses bad requests with typed errors at their paths, and writes nothing', async () => {
    const p = people(createMemoryStorage());
    const contractId = await createContract(p.ana, 'orders');
    const count = async () => (await p.root.run(ApprovalRequestsDocument, {})).approvalRequests.totalCount;

    expect(expectType(await submit(p.ana, { contractId, approvers: [] }), 'ValidationError').issues).toMatchObject([{ path: 'input.approvers' }]);
    expect(expectType(await submit(p.ana, { contractId, approvers: ['ana'] }), 'ValidationError').issues).toMatchObject([{ path: 'input.approvers[0]' }]);
    expect(expectType(await submit(p.ana, { contractId, approvers: ['carol', 'carol'] }), 'ValidationError').issues).toMatchObject([{ path: 'input.approvers[1]' }]);
    const tooMany = expectType(await submit(p.ana, { contractId, approvers: ['carol', 'dave'], policy: 'ANY', requiredApprovals: 3 }), 'ValidationError');
    expect(tooMany.issues).toMatchObject([{ path: 'input.requiredApprovals' }]);
    expect(expectType(await submit(p.ana, { contractId, approvers: ['carol'], expectedRevision: 9 }), 'ConflictError')).toMatchObject({ expectedRevision: 9, actualRevision: 1 });
    const unknown = Buffer.from('Contract:nope').toString('base64');
    expect(expectType(await submit(p.ana, { contractId: unknown, approvers: ['carol'], expectedRevision: 1 }), 'NotFoundError').resourceType).toBe('CONTRACT');
    expect(await count()).toBe(0);
    expect((await lifecycle(p.ana, contractId)).status).toBe('DRAFT');

    await openRequest(p.ana, { contractId, approvers: ['carol'] });
    const twice = expectType(await submit(p.bob, { contractId, approvers: ['dave'] }), 'InvalidStateError');
    expect(twice.reason).toContain('already open');
    const editDuringReview = await p.ana.run(UpdateContractDocument, {
      input: { id: contractId, expectedRevision: (await lifecycle(p.ana, contractId)).revision, document: contractDocument({ name: 'orders', version: '1.1.0', purpose: 'changed' }) },
    });
    expect(expectType(editDuringReview.updateContract, 'InvalidStateError').reason).toContain('withdraw');
    expect(await count()).toBe(1);
    expect((await lifecycle(p.ana, contractId)).versionCount).toBe(1);
  });

  it('lists requests across contracts by status, approver, awaiting and requester, newest first, in pages', async () => {
    const p = people(createMemoryStorage());
    const ids: string[] = [];
    const contracts: string[] = [];
    for (const name of ['c1', 'c2', 'c3', 'c4']) {
      const contractId = await createContract(p.ana, name);
      contracts.push(contractId);
      ids.push((await openRequest(name === 'c4' ? p.bob : p.ana, { contractId, approvers: name === 'c1' ? ['carol'] : ['carol', 'dave'] })).id);
    }
    expectType(await approve(p.carol, ids[0]!), 'ApproveSuccess');
    expectType(await approve(p.dave, ids[1]!), 'ApproveSuccess');
    const run = (filter: object, first = 10, after?: string | null) => p.root.run(ApprovalRequestsDocument, { filter, first, after });
    expect((await run({})).approvalRequests.nodes.map((n) => n.id)).toEqual([...ids].reverse());
    expect((await run({ status: ['APPROVED'] })).approvalRequests.nodes.map((n) => n.contract?.name)).toEqual(['c1']);
    expect((await run({ approver: 'dave' })).approvalRequests.totalCount).toBe(3);
    expect((await run({ awaiting: 'dave' })).approvalRequests.nodes.map((n) => n.contract?.name)).toEqual(['c4', 'c3']);
    expect((await run({ requestedBy: 'bob' })).approvalRequests.nodes.map((n) => n.contract?.name)).toEqual(['c4']);
    expect((await run({ contractId: contracts[2] })).approvalRequests.nodes.map((n) => n.id)).toEqual([ids[2]]);
    const page1 = await run({}, 3);
    expect(page1.approvalRequests).toMatchObject({ totalCount: 4, pageInfo: { hasNextPage: true } });
    const page2 = await run({}, 3, page1.approvalRequests.pageInfo.endCursor);
    expect(page2.approvalRequests.nodes.map((n) => n.id)).toEqual([ids[0]]);
    expect(page2.approvalRequests.pageInfo.hasNextPage).toBe(false);
    const carol = await p.carol.run(MyPendingApprovalsDocument, {});
    // carol decided c1; c2 still waits for her (only dave approved it).
    expect(carol.myPendingApprovals.nodes.map((n) => n.contract?.name)).toEqual(['c4', 'c3', 'c2']);
  });
});

describe.each(backends)('approvals API on $name: two approvers deciding at the same moment', (factory) => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  async function fresh() {
    const created = await factory.create();
    dispose = created.dispose;
    return people(created.storage);
  }

  it('ALL of two: both decisions are kept and the request resolves exactly once', async () => {
    const p = await fresh();
    for (let round = 0; round < 4; round++) {
      const contractId = await createContract(p.ana, `race_all_${round}`);
      const request = await openRequest(p.ana, { contractId, approvers: ['carol', 'dave'] });
      const results = await Promise.all([approve(p.carol, request.id), approve(p.dave, request.id)]);
      expect(results.map((r) => r.__typename)).toEqual(['ApproveSuccess', 'ApproveSuccess']);
      const contract = await lifecycle(p.root, contractId);
      const final = (await p.root.run(ApprovalRequestsDocument, { filter: { contractId } })).approvalRequests.nodes[0]!;
      expect(final.status).toBe('APPROVED');
      expect(final.awaiting).toEqual([]);
      expect(contract.status).toBe('ACTIVE');
      expect(contract.statusHistory.filter((e) => e.to === 'ACTIVE')).toHaveLength(1);
    }
  });

  it('ANY one of two: exactly one decision wins, the other finds the request closed', async () => {
    const p = await fresh();
    for (let round = 0; round < 4; round++) {
      const contractId = await createContract(p.ana, `race_any_${round}`);
      const request = await openRequest(p.ana, { contractId, approvers: ['carol', 'dave'], policy: 'ANY' });
      const results = await Promise.all([approve(p.carol, request.id), approve(p.dave, request.id)]);
      expect(results.map((r) => r.__typename).sort()).toEqual(['ApproveSuccess', 'InvalidStateError']);
      const contract = await lifecycle(p.root, contractId);
      expect(contract.statusHistory.filter((e) => e.to === 'ACTIVE')).toHaveLength(1);
      const winner = results.find((r) => r.__typename === 'ApproveSuccess');
      const decided = winner && expectType(winner, 'ApproveSuccess').approvalRequest;
      expect(decided?.decisions).toHaveLength(1);
      expect(contract.statusHistory.at(-1)?.by).toBe(decided?.decisions[0]?.approver);
    }
  });
});
