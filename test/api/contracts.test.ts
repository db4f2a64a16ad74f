/** Contracts through the GraphQL API (yoga in-process) on the MongoDB backend. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ContractByNameDocument,
  ContractsDocument,
  ContractVersionsDocument,
  CreateContractDocument,
  DeleteContractDocument,
  GetContractDocument,
  NodeDocument,
  NodesDocument,
  RollbackContractDocument,
  RetireContractDocument,
  UpdateContractDocument,
} from '../gql/graphql.js';
import { mongoBackend } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import type { StorageBackend } from '../../src/storage/types.js';

let client: TestClient;
let storage: StorageBackend;
let dispose: () => Promise<void>;
const unexpected: unknown[] = [];

beforeAll(async () => {
  const backend = await mongoBackend.create();
  storage = backend.storage;
  dispose = backend.dispose;
  client = createTestClient(storage, (e) => unexpected.push(e));
});

afterAll(async () => {
  expect(unexpected).toEqual([]);
  await dispose();
});

async function create(name: string, extra: Parameters<typeof contractDocument>[0] = {}) {
  const result = await client.run(CreateContractDocument, { input: { document: contractDocument({ name, ...extra }) } });
  if (result.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(result));
  return result.createContract.contract;
}

describe('createContract', () => {
  it('stores the document exactly as sent and returns registry metadata beside it', async () => {
    const document = contractDocument({
      name: 'api_orders',
      team: 'sales-data',
      purpose: 'Orders of the web shop',
      extra: { 'x-custom': { 'a.b': 1, $ref: 'kept', nested: [[1, 2], [3]] }, zeta: true, alpha: false },
    });
    const result = await client.run(CreateContractDocument, { input: { document } });
    expect(result.createContract.__typename).toBe('CreateContractSuccess');
    if (result.createContract.__typename !== 'CreateContractSuccess') return;
    const c = result.createContract.contract;
    expect(c).toMatchObject({ name: 'api_orders', owner: 'sales-data', status: 'DRAFT', currentVersion: '1.0.0', versionCount: 1, revision: 1, description: 'Orders of the web shop', apiVersion: 'v3.1.0' });
    expect(JSON.stringify(c.document)).toBe(JSON.stringify(document));

    const read = await client.run(GetContractDocument, { id: c.id });
    expect(JSON.stringify(read.contract?.document)).toBe(JSON.stringify(document));
    expect(read.contract?.schemas[0]?.properties[0]).toMatchObject({ name: 'order_id', path: 'order_id', primaryKey: true, logicalType: 'string' });
  });

  it('refuses an invalid document with a typed error naming the path, and writes nothing', async () => {
    const document = contractDocument({ name: 'broken', schemas: { orders: [{ name: 'id' }, { name: 'x', logicalType: 'strnig' }] } });
    const before = await client.run(ContractsDocument, {});
    const result = await client.run(CreateContractDocument, { input: { document } });
    expect(result.createContract.__typename).toBe('ValidationError');
    if (result.createContract.__typename !== 'ValidationError') return;
    expect(result.createContract.issues.map((i) => i.path)).toEqual(['document.schema[0].properties[1].logicalType']);
    expect(result.createContract.code).toBe('VALIDATION_FAILED');
    const after = await client.run(ContractsDocument, {});
    expect(after.contracts.totalCount).toBe(before.contracts.totalCount);
    expect((await client.run(ContractByNameDocument, { name: 'broken' })).contractByName).toBeNull();
  });

  it('refuses a document that is not an object, and a missing required key', async () => {
    const notObject = await client.run(CreateContractDocument, { input: { document: [1, 2] } });
    expect(notObject.createContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'document', code: 'invalid_type' }] });
    const { apiVersion: _drop, ...noApiVersion } = contractDocument({ name: 'no_api' });
    const missing = await client.run(CreateContractDocument, { input: { document: noApiVersion } });
    expect(missing.createContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'document.apiVersion', message: 'is required' }] });
  });

  it('refuses a taken name with AlreadyExistsError', async () => {
    await create('api_unique');
    const again = await client.run(CreateContractDocument, { input: { document: contractDocument({ id: 'urn:test:api_unique:2', name: 'api_unique' }) } });
    expect(again.createContract).toMatchObject({ __typename: 'AlreadyExistsError', uniqueField: 'NAME', value: 'api_unique' });
  });
});

describe('updateContract, versions and rollback', () => {
  it('writes versions, refuses stale revisions, and rolls back as a new version', async () => {
    const c = await create('api_versions');
    // Only an addition (amount), so the declared 1.1.0 is the required minor bump. The order_id property keeps its
    // primaryKey: true from version 1 — dropping it would change the primary key, a breaking change needing 2.0.0.
    const v2doc = contractDocument({ name: 'api_versions', version: '1.1.0', schemas: { orders: [{ name: 'order_id', primaryKey: true }, { name: 'amount', logicalType: 'number' }] } });
    const v2 = await client.run(UpdateContractDocument, { input: { id: c.id, expectedRevision: 1, document: v2doc, note: 'add amount' } });
    expect(v2.updateContract).toMatchObject({ __typename: 'UpdateContractSuccess', contract: { currentVersion: '1.1.0', revision: 2, versionCount: 2 } });

    const stale = await client.run(UpdateContractDocument, { input: { id: c.id, expectedRevision: 1, document: contractDocument({ name: 'api_versions', version: '9.0.0' }) } });
    expect(stale.updateContract).toMatchObject({ __typename: 'ConflictError', expectedRevision: 1, actualRevision: 2 });

    // Rolling back to 1.0.0 removes amount again: breaking, so refused without acceptBreakingChanges, writing nothing...
    const refused = await client.run(RollbackContractDocument, { input: { id: c.id, expectedRevision: 2, toVersion: '1.0.0', note: 'revert' } });
    expect(refused.rollbackContract).toMatchObject({ __typename: 'IncompatibleChangeError', code: 'INCOMPATIBLE_CHANGE' });
    if (refused.rollbackContract.__typename === 'IncompatibleChangeError') expect(refused.rollbackContract.message).toContain('orders.amount');
    expect((await client.run(GetContractDocument, { id: c.id })).contract).toMatchObject({ currentVersion: '1.1.0', revision: 2, versionCount: 2 });

    // ...and written with it, at the major bump of 1.1.0: 2.0.0 (it used to be the patch 1.1.1).
    const rolled = await client.run(RollbackContractDocument, { input: { id: c.id, expectedRevision: 2, toVersion: '1.0.0', note: 'revert', acceptBreakingChanges: true } });
    expect(rolled.rollbackContract).toMatchObject({ __typename: 'RollbackContractSuccess', contract: { currentVersion: '2.0.0', revision: 3, versionCount: 3 } });
    if (rolled.rollbackContract.__typename !== 'RollbackContractSuccess') return;
    // The restored document, carrying the registry's version (in place: key order kept).
    expect(JSON.stringify(rolled.rollbackContract.contract.document)).toBe(JSON.stringify({ ...(c.document as object), version: '2.0.0' }));

    const page1 = await client.run(ContractVersionsDocument, { id: c.id, first: 2, version: '1.1.0' });
    const versions = page1.contract!.versions;
    expect(versions.totalCount).toBe(3);
    expect(versions.nodes.map((v) => [v.number, v.version, v.changeKind])).toEqual([
      [3, '2.0.0', 'ROLLBACK'],
      [2, '1.1.0', 'UPDATE'],
    ]);
    // The accepted breaking change is recorded on the version (test/operations does not select it: read from storage).
    const raw = await storage.contracts.getByName('api_versions');
    const [stored] = await storage.contracts.getVersionsByIds([`${raw!.id}@3`]);
    expect(stored).toMatchObject({ changeKind: 'rollback', requiredBump: 'major', breakingChangesAccepted: true });
    expect(stored?.changes.map((ch) => [ch.ruleId, ch.readablePath])).toEqual([['property-removed', 'orders.amount']]);
    expect(versions.nodes[0]).toMatchObject({ restoredFrom: '1.0.0', note: 'revert', contract: { id: c.id } });
    expect(versions.pageInfo.hasNextPage).toBe(true);
    expect(JSON.stringify(page1.contract!.version?.document)).toBe(JSON.stringify(v2doc));
    const page2 = await client.run(ContractVersionsDocument, { id: c.id, first: 2, after: versions.pageInfo.endCursor, version: '0.0.1' });
    expect(page2.contract!.versions.nodes.map((v) => v.version)).toEqual(['1.0.0']);
    expect(page2.contract!.versions.pageInfo.hasNextPage).toBe(false);
    expect(page2.contract!.version).toBeNull();

    const missing = await client.run(RollbackContractDocument, { input: { id: c.id, expectedRevision: 3, toVersion: '7.7.7' } });
    expect(missing.rollbackContract).toMatchObject({ __typename: 'NotFoundError', resourceType: 'CONTRACT_VERSION' });
  });

  it('never loses an update when two writers race from the same revision', async () => {
    const c = await create('api_race');
    const writes = await Promise.all(
      ['2.0.0', '3.0.0'].map((version) =>
        client.run(UpdateContractDocument, { input: { id: c.id, expectedRevision: 1, document: contractDocument({ name: 'api_race', version }) } }),
      ),
    );
    const kinds = writes.map((w) => w.updateContract.__typename).sort();
    expect(kinds).toEqual(['ConflictError', 'UpdateContractSuccess']);
    const versions = await client.run(ContractVersionsDocument, { id: c.id, version: '1.0.0' });
    expect(versions.contract!.versions.totalCount).toBe(2);
  });

  it('refuses a version that does not increase, naming the input path', async () => {
    const c = await create('api_semver', { version: '2.0.0' });
    const lower = await client.run(UpdateContractDocument, { input: { id: c.id, expectedRevision: 1, version: '1.5.0', document: contractDocument({ name: 'api_semver', version: '2.0.0' }) } });
    expect(lower.updateContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'version' }] });
  });

  it('gives typed errors for unknown and malformed ids', async () => {
    const unknownId = Buffer.from('Contract:does-not-exist').toString('base64');
    const notFound = await client.run(UpdateContractDocument, { input: { id: unknownId, expectedRevision: 1, document: contractDocument({ name: 'x' }) } });
    expect(notFound.updateContract).toMatchObject({ __typename: 'NotFoundError', resourceType: 'CONTRACT' });
    const malformed = await client.run(UpdateContractDocument, { input: { id: 'not-a-global-id', expectedRevision: 1, document: contractDocument({ name: 'x' }) } });
    expect(malformed.updateContract).toMatchObject({ __typename: 'ValidationError', issues: [{ path: 'input.id' }] });
    const badRevision = await client.run(UpdateContractDocument, { input: { id: unknownId, expectedRevision: 0, document: contractDocument({ name: 'x' }) } });
    expect(badRevision.updateContract).toMatchObject({ __typename: 'ValidationError' });
    if (badRevision.updateContract.__typename === 'ValidationError') expect(badRevision.updateContract.issues[0]?.path).toContain('expectedRevision');
  });
});

describe('status and delete', () => {
  it('refuses a status change the lifecycle does not allow, and writes nothing', async () => {
    const c = await create('api_status');
    const illegal = await client.run(RetireContractDocument, { input: { id: c.id, expectedRevision: 1 } });
    expect(illegal.retireContract).toMatchObject({ __typename: 'InvalidTransitionError', from: 'draft', to: 'retired', allowed: ['in_review'] });
    const read = await client.run(GetContractDocument, { id: c.id });
    expect(read.contract).toMatchObject({ status: 'DRAFT', revision: 1 });
  });

  it('deletes a contract with its versions; a stale revision deletes nothing', async () => {
    const c = await create('api_delete');
    const stale = await client.run(DeleteContractDocument, { input: { id: c.id, expectedRevision: 5 } });
    expect(stale.deleteContract).toMatchObject({ __typename: 'ConflictError' });
    expect((await client.run(GetContractDocument, { id: c.id })).contract).not.toBeNull();
    const deleted = await client.run(DeleteContractDocument, { input: { id: c.id, expectedRevision: 1 } });
    expect(deleted.deleteContract).toMatchObject({ __typename: 'DeleteContractSuccess', deleted: { deletedContractId: c.id, name: 'api_delete', versionCount: 1 } });
    expect((await client.run(GetContractDocument, { id: c.id })).contract).toBeNull();
    expect((await client.run(NodeDocument, { id: c.id })).node).toBeNull();
    const again = await client.run(DeleteContractDocument, { input: { id: c.id } });
    expect(again.deleteContract).toMatchObject({ __typename: 'NotFoundError' });
  });
});

describe('queries', () => {
  it('resolves global ids through node and nodes, in order, with null for missing', async () => {
    const a = await create('api_node_a');
    const b = await client.run(ContractByNameDocument, { name: 'api_node_a' });
    expect(b.contractByName?.id).toBe(a.id);
    const node = await client.run(NodeDocument, { id: a.id });
    expect(node.node).toMatchObject({ __typename: 'Contract', id: a.id, name: 'api_node_a' });
    const missing = Buffer.from('Contract:nope').toString('base64');
    const nodes = await client.run(NodesDocument, { ids: [missing, a.id] });
    expect(nodes.nodes).toEqual([null, { __typename: 'Contract', id: a.id, name: 'api_node_a' }]);
  });

  it('lists with filters, a stable order and cursor paging with totalCount', async () => {
    for (const [name, team] of [['list_c', 'team-x'], ['list_a', 'team-x'], ['list_b', 'team-y']] as const) await create(name, { team, schemas: { [`${name}_tbl`]: [{ name: 'id' }] } });
    const byOwner = await client.run(ContractsDocument, { filter: { owner: 'team-x' }, orderBy: { field: 'NAME', direction: 'ASC' }, first: 1 });
    expect(byOwner.contracts.totalCount).toBe(2);
    expect(byOwner.contracts.edges.map((e) => e.node.name)).toEqual(['list_a']);
    expect(byOwner.contracts.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const next = await client.run(ContractsDocument, { filter: { owner: 'team-x' }, orderBy: { field: 'NAME', direction: 'ASC' }, first: 1, after: byOwner.contracts.pageInfo.endCursor });
    expect(next.contracts.edges.map((e) => e.node.name)).toEqual(['list_c']);
    expect(next.contracts.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });

    const bySchema = await client.run(ContractsDocument, { filter: { schemaName: 'LIST_B_TBL' } });
    expect(bySchema.contracts.edges.map((e) => e.node.name)).toEqual(['list_b']);
    const desc = await client.run(ContractsDocument, { filter: { owner: 'team-x' }, orderBy: { field: 'NAME', direction: 'DESC' } });
    expect(desc.contracts.edges.map((e) => e.node.name)).toEqual(['list_c', 'list_a']);
    const drafts = await client.run(ContractsDocument, { filter: { status: ['ACTIVE'] } });
    expect(drafts.contracts.totalCount).toBe(0);
  });

  it('caps first at 100 and rejects bad cursors with a clear error, no stack trace', async () => {
    const tooMany = await client.request(ContractsDocument, { first: 101 });
    // Refused before execution (while the operation's cost is measured): no data at all.
    expect(tooMany.data ?? null).toBeNull();
    expect(tooMany.errors?.[0]?.message).toMatch(/first.*at most 100/);
    expect(JSON.stringify(tooMany)).not.toMatch(/at .*\.ts:\d+/);
    const badCursor = await client.request(ContractsDocument, { after: 'garbage' });
    expect(badCursor.errors?.[0]).toMatchObject({ extensions: { code: 'VALIDATION_FAILED' } });
    expect(badCursor.errors?.[0]?.message).toContain('after');
    expect(JSON.stringify(badCursor)).not.toContain('stack');
  });
});
