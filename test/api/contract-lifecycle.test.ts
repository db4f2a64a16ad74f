/**
 * The contract lifecycle through GraphQL, with named principals: two editors (ana requests, bob does not), three
 * approvers (carol, dave, erin) and an admin — draft revisions of an active contract, previewContractUpdate, deprecate
 * and retire, and activation with approval waived.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import type { Role } from '../../src/auth/principal.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import {
  ActivateContractDocument,
  ApproveDocument,
  ContractLifecycleDocument,
  CreateContractDocument,
  DeprecateContractDocument,
  ImportContractDocument,
  PreviewContractUpdateDocument,
  RetireContractDocument,
  SetContractApprovalPolicyDocument,
  SubmitForReviewDocument,
  UpdateContractDocument,
  type SubmitForReviewInput,
} from '../gql/graphql.js';
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

/** Activates a draft contract through an ALL request of carol alone. */
async function activate(p: Record<Person, TestClient>, contractId: string) {
  const request = await openRequest(p.ana, { contractId, approvers: ['carol'] });
  expectType(await approve(p.carol, request.id), 'ApproveSuccess');
}

describe('contract lifecycle API', () => {
  it('editing an active contract writes a draft revision; the active version stays served until the revision is approved', async () => {
    const p = people(createMemoryStorage());
    const contractId = await createContract(p.ana, 'orders');
    await activate(p, contractId);
    const active = await lifecycle(p.ana, contractId);
    const columns = (c: typeof active) => c.schemas.flatMap((s) => s.properties.map((x) => x.name));
    const before = columns(active);

    const revised = contractDocument({ name: 'orders', version: '1.1.0' }) as { schema: { properties: object[] }[] };
    revised.schema[0]!.properties.push({ name: 'gift_note', logicalType: 'string' });
    const updated = await p.ana.run(UpdateContractDocument, { input: { id: contractId, expectedRevision: active.revision, document: revised } });
    expectType(updated.updateContract, 'UpdateContractSuccess');
    let contract = await lifecycle(p.bob, contractId);
    expect(contract).toMatchObject({
      status: 'ACTIVE',
      currentVersion: '1.0.0',
      versionCount: 2,
      current: { number: 1 },
      activeVersion: { number: 1 },
      latestVersion: { number: 2, version: '1.1.0' },
      draftVersion: { number: 2, version: '1.1.0' },
    });
    expect(columns(contract)).toEqual(before);

    const request = await openRequest(p.ana, { contractId, approvers: ['dave'] });
    expect(request).toMatchObject({ versionString: '1.1.0', version: { number: 2 }, contract: { status: 'ACTIVE', currentVersion: '1.0.0' } });
    contract = await lifecycle(p.bob, contractId);
    expect(contract.statusHistory).toHaveLength(3); // created, in review, active: the open revision changes no status
    expectType(await approve(p.dave, request.id), 'ApproveSuccess');
    contract = await lifecycle(p.bob, contractId);
    expect(contract).toMatchObject({ status: 'ACTIVE', currentVersion: '1.1.0', current: { number: 2 }, activeVersion: { number: 2 }, draftVersion: null });
    expect(columns(contract)).toEqual([...before, 'gift_note']);
    expect(contract.statusHistory.at(-1)).toMatchObject({ from: 'ACTIVE', to: 'ACTIVE', version: '1.1.0', by: 'dave', contractVersion: { number: 2 } });
  });

  it('previewContractUpdate judges against the newest version, as updateContract does, and says when it would refuse', async () => {
    const p = people(createMemoryStorage());
    const contractId = await createContract(p.ana, 'orders');
    await activate(p, contractId);
    const revision = (await lifecycle(p.ana, contractId)).revision;
    const draft = contractDocument({ name: 'orders', version: '1.1.0', purpose: 'draft wording' });
    expectType((await p.ana.run(UpdateContractDocument, { input: { id: contractId, expectedRevision: revision, document: draft } })).updateContract, 'UpdateContractSuccess');

    // The served version is 1.0.0; the next version follows the draft 1.1.0.
    const next = contractDocument({ name: 'orders', version: '1.1.0', purpose: 'final wording' });
    const preview = (await p.ana.run(PreviewContractUpdateDocument, { id: contractId, document: next })).previewContractUpdate;
    expect(preview).toMatchObject({ currentVersion: '1.1.0', version: '1.1.1', refusedBecause: null });
    const written = await p.ana.run(UpdateContractDocument, { input: { id: contractId, expectedRevision: revision + 1, document: next } });
    expect(expectType(written.updateContract, 'UpdateContractSuccess').contract).toMatchObject({ currentVersion: '1.0.0', versionCount: 3 });
    expect((await lifecycle(p.ana, contractId)).latestVersion).toEqual({ number: 3, version: '1.1.1' });

    // Re-importing what export writes (the served document) or the newest draft changes nothing.
    // (the served document of an active contract says `status: active`: README, the served document)
    for (const text of [JSON.stringify({ ...contractDocument({ name: 'orders' }), status: 'active' }), JSON.stringify(next)]) {
      const imported = (await p.ana.run(ImportContractDocument, { input: { text } })).importContract;
      expect(expectType(imported, 'ImportContractSuccess').result).toMatchObject({ outcome: 'UNCHANGED' });
    }
    expect((await lifecycle(p.ana, contractId)).versionCount).toBe(3);

    await openRequest(p.ana, { contractId, approvers: ['carol'] });
    const blocked = (await p.ana.run(PreviewContractUpdateDocument, { id: contractId, document: contractDocument({ name: 'orders', version: '1.2.0' }) })).previewContractUpdate;
    expect(blocked.refusedBecause).toContain('approval request');
  });

  it.each([
    { v2Activated: true, checkedAgainst: 3, compatible: false },
    { v2Activated: false, checkedAgainst: 2, compatible: true },
  ])('under a transitive mode, preview and update check the newest and the ever-active versions (v2 activated: $v2Activated)', async ({ v2Activated, checkedAgainst, compatible }) => {
    const storage = createMemoryStorage();
    const p = people(storage);
    const orders = (amount?: string) =>
      contractDocument({ name: 'orders', schemas: { orders: [{ name: 'order_id', primaryKey: true, required: true }, ...(amount ? [{ name: 'amount', logicalType: amount }] : [])] } });
    const activateNewest = async (id: string) => {
      const c = (await storage.contracts.getById(id))!;
      const request = await storage.approvals.submit({ contractId: id, expectedRevision: c.revision, approvers: ['carol'], policy: 'all' }, 'ana');
      await storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, 'carol');
      return (await storage.contracts.getById(id))!;
    };
    // v1 active without amount; v2 adds amount: number (activated or left a draft); v3 removes it (accepted).
    const created = await storage.contracts.create({ document: orders() }, 'ana');
    await storage.contracts.setSettings({ id: created.id, expectedRevision: 1, compatibility: 'BACKWARD_TRANSITIVE' }, 'root');
    let c = await activateNewest(created.id);
    c = await storage.contracts.update({ id: c.id, expectedRevision: c.revision, document: orders('number') }, 'ana');
    if (v2Activated) c = await activateNewest(created.id);
    c = await storage.contracts.update({ id: c.id, expectedRevision: c.revision, document: orders(), acceptBreakingChanges: true }, 'ana');

    const id = Buffer.from(`Contract:${c.id}`).toString('base64');
    const narrowed = orders('integer'); // narrows v2's amount: incompatible with v2 only
    const preview = (await p.ana.run(PreviewContractUpdateDocument, { id, document: narrowed })).previewContractUpdate;
    expect(preview.compatibility).toMatchObject({ mode: 'BACKWARD_TRANSITIVE', compatible, checkedAgainst });
    const update = (await p.ana.run(UpdateContractDocument, { input: { id, expectedRevision: c.revision, document: narrowed } })).updateContract;
    if (compatible) expect(expectType(update, 'UpdateContractSuccess').contract.versionCount).toBe(4);
    else expect(expectType(update, 'IncompatibleChangeError').message).toContain('BACKWARD_TRANSITIVE');
  });

  it('deprecates with a reason and an active replacement, then retires for good', async () => {
    const p = people(createMemoryStorage());
    const oldId = await createContract(p.ana, 'orders_v1');
    const newId = await createContract(p.ana, 'orders_v2');
    const deprecate = async (input: { replacedBy?: string; reason: string }) =>
      (await p.ana.run(DeprecateContractDocument, { input: { id: oldId, expectedRevision: (await lifecycle(p.ana, oldId)).revision, ...input } })).deprecateContract;

    expect(expectType(await deprecate({ reason: 'replaced' }), 'InvalidTransitionError')).toMatchObject({ from: 'draft', to: 'deprecated' });
    await activate(p, oldId);
    expect(expectType(await deprecate({ reason: ' ' }), 'ValidationError').issues).toMatchObject([{ path: 'input.reason' }]);
    expect(expectType(await deprecate({ reason: 'replaced', replacedBy: newId }), 'ValidationError').issues).toMatchObject([{ path: 'input.replacedBy' }]);
    expect(expectType(await deprecate({ reason: 'replaced', replacedBy: oldId }), 'ValidationError').issues).toMatchObject([{ path: 'input.replacedBy' }]);
    expect(expectType(await deprecate({ reason: 'replaced', replacedBy: Buffer.from('Contract:gone').toString('base64') }), 'NotFoundError')).toBeTruthy();
    expect((await lifecycle(p.ana, oldId)).status).toBe('ACTIVE');

    await activate(p, newId);
    const deprecated = expectType(await deprecate({ reason: 'v2 splits orders and lines', replacedBy: newId }), 'DeprecateContractSuccess').contract;
    expect(deprecated).toMatchObject({ status: 'DEPRECATED', deprecation: { reason: 'v2 splits orders and lines', deprecatedBy: 'ana', replacedBy: { id: newId, name: 'orders_v2' } } });
    expect(deprecated.statusHistory.at(-1)).toMatchObject({ from: 'ACTIVE', to: 'DEPRECATED', note: 'v2 splits orders and lines' });
    const edit = await p.ana.run(UpdateContractDocument, {
      input: { id: oldId, expectedRevision: deprecated.revision, document: contractDocument({ name: 'orders_v1', version: '1.0.1', purpose: 'typo' }) },
    });
    expect(expectType(edit.updateContract, 'InvalidStateError').reason).toContain('deprecated');

    const retire = async () => (await p.ana.run(RetireContractDocument, { input: { id: oldId, expectedRevision: (await lifecycle(p.ana, oldId)).revision, note: 'no readers left' } })).retireContract;
    const retired = expectType(await retire(), 'RetireContractSuccess').contract;
    expect(retired.statusHistory.at(-1)).toMatchObject({ from: 'DEPRECATED', to: 'RETIRED', note: 'no readers left', by: 'ana' });
    expect(expectType(await retire(), 'InvalidTransitionError')).toMatchObject({ from: 'retired', allowed: [] });
    expect(expectType(await submit(p.ana, { contractId: oldId, approvers: ['carol'] }), 'InvalidTransitionError')).toMatchObject({ from: 'retired' });
  });

  it('activation without a request needs an admin to waive approval for that contract', async () => {
    const p = people(createMemoryStorage());
    const contractId = await createContract(p.ana, 'events');
    const activateNow = async (client: TestClient) =>
      (await client.run(ActivateContractDocument, { input: { id: contractId, expectedRevision: (await lifecycle(client, contractId)).revision } })).activateContract;
    expect(expectType(await activateNow(p.ana), 'InvalidStateError').reason).toContain('approved approval request');
    const policy = (client: TestClient, expectedRevision = 1) => client.request(SetContractApprovalPolicyDocument, { input: { id: contractId, expectedRevision, approvalRequired: false } });
    expect((await policy(p.ana)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const stale = (await policy(p.root, 7)).data?.setContractApprovalPolicy;
    expect(stale && expectType(stale, 'ConflictError')).toMatchObject({ expectedRevision: 7, actualRevision: 1 });
    expect((await lifecycle(p.ana, contractId)).approvalRequired).toBe(true);
    const waived = (await policy(p.root)).data?.setContractApprovalPolicy;
    expect(waived && expectType(waived, 'SetContractApprovalPolicySuccess').contract).toMatchObject({ approvalRequired: false, revision: 2 });
    const activated = expectType(await activateNow(p.ana), 'ActivateContractSuccess').contract;
    expect(activated).toMatchObject({ status: 'ACTIVE', activeVersion: { number: 1 } });
    expect(activated.statusHistory.map((e) => [e.from, e.to, e.by])).toEqual([
      [null, 'DRAFT', 'ana'],
      ['DRAFT', 'IN_REVIEW', 'ana'],
      ['IN_REVIEW', 'ACTIVE', 'ana'],
    ]);
    expect(expectType(await activateNow(p.ana), 'InvalidStateError').reason).toContain('already active');
  });
});
