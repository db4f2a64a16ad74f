/**
 * The change log through GraphQL (issue 14.2), on every backend: `events` pages in position order with cursors a
 * client keeps to get exactly what it missed, both directions, filters with global ids, RegistryEvent as a Node,
 * read scopes, and typed errors for a bad cursor, a wrong ID and an expired cursor.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StorageBackend } from '../../src/storage/types.js';
import { EventNodeDocument, EventsCreateContractDocument, EventsDocument, EventsUpdateContractDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

function fail(e: unknown): never {
  throw e;
}

describe.each(backends)('events API ($name backend)', (backend) => {
  let storage: StorageBackend;
  let dispose: () => Promise<void>;
  let admin: TestClient;

  beforeEach(async () => {
    ({ storage, dispose } = await backend.create());
    admin = createTestClient(storage, fail, { as: 'admin' });
  });
  afterEach(async () => {
    await dispose();
  });

  async function create(name: string): Promise<string> {
    const r = await admin.run(EventsCreateContractDocument, { input: { document: contractDocument({ name, version: '1.0.0' }) } });
    if (r.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(r.createContract));
    return r.createContract.contract.id;
  }

  async function update(id: string, name: string, version: string): Promise<void> {
    const schemas = { orders: [{ name: 'order_id', primaryKey: true }, { name: `col_${version.replaceAll('.', '_')}` }] };
    const r = await admin.run(EventsUpdateContractDocument, { input: { id, expectedRevision: 1, document: contractDocument({ name, version, schemas }) } });
    if (r.updateContract.__typename !== 'UpdateContractSuccess') throw new Error(JSON.stringify(r.updateContract));
  }

  it('lists the log oldest first with global ids; a kept endCursor gives exactly the events since, none twice', async () => {
    const orders = await create('orders');
    const first = await admin.run(EventsDocument, { first: 10 });
    expect(first.events.totalCount).toBe(1);
    const created = first.events.edges[0]!.node;
    expect(created).toMatchObject({
      position: 1,
      type: 'CONTRACT_CREATED' as const,
      subjectKind: 'CONTRACT',
      subjectId: orders,
      contractId: orders,
      contract: { id: orders, name: 'orders' },
      actor: 'test-admin',
      revision: 1,
      version: '1.0.0',
      summary: { name: 'orders', status: 'draft' },
      audience: [],
    });
    expect(first.events.edges[0]!.cursor).toBe(created.cursor);
    expect(first.events.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: false, endCursor: created.cursor });

    const kept = first.events.pageInfo.endCursor!;
    const customers = await create('customers');
    await update(orders, 'orders', '1.1.0');
    const missed = await admin.run(EventsDocument, { after: kept, first: 10 });
    expect(missed.events.edges.map((e) => [e.node.position, e.node.type, e.node.contractId])).toEqual([
      [2, 'CONTRACT_CREATED' as const, customers],
      [3, 'CONTRACT_VERSION_PUBLISHED' as const, orders],
    ]);
    expect(missed.events.edges[1]!.node.summary).toMatchObject({ requiredBump: 'minor', breaking: false, number: 2 });
    expect(missed.events.pageInfo.hasPreviousPage).toBe(true);
    const nothingNew = await admin.run(EventsDocument, { after: missed.events.pageInfo.endCursor, first: 10 });
    expect(nothingNew.events.edges).toEqual([]);
  });

  it('pages forward and backward with the same cursors, and filters by types, contract and actor', async () => {
    const a = await create('alpha');
    const b = await create('beta');
    await update(a, 'alpha', '1.1.0');
    await update(b, 'beta', '1.1.0');
    const page1 = await admin.run(EventsDocument, { first: 3 });
    expect(page1.events.edges.map((e) => e.node.position)).toEqual([1, 2, 3]);
    expect(page1.events.pageInfo.hasNextPage).toBe(true);
    const page2 = await admin.run(EventsDocument, { first: 3, after: page1.events.pageInfo.endCursor });
    expect(page2.events.edges.map((e) => e.node.position)).toEqual([4]);
    expect(page2.events.pageInfo.hasNextPage).toBe(false);
    const back = await admin.run(EventsDocument, { last: 2, before: page2.events.pageInfo.startCursor });
    expect(back.events.edges.map((e) => e.node.position)).toEqual([2, 3]);
    expect(back.events.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: true });
    const tail = await admin.run(EventsDocument, { last: 1 });
    expect(tail.events.edges.map((e) => e.node.position)).toEqual([4]);

    const versions = await admin.run(EventsDocument, { filter: { types: ['CONTRACT_VERSION_PUBLISHED' as const] }, first: 10 });
    expect(versions.events.edges.map((e) => e.node.contractId)).toEqual([a, b]);
    expect(versions.events.totalCount).toBe(2);
    const ofB = await admin.run(EventsDocument, { filter: { contractId: b }, first: 10 });
    expect(ofB.events.edges.map((e) => e.node.type)).toEqual(['CONTRACT_CREATED' as const, 'CONTRACT_VERSION_PUBLISHED' as const]);
    const byNobody = await admin.run(EventsDocument, { filter: { actor: 'nobody' }, first: 10 });
    expect(byNobody.events.edges).toEqual([]);
  });

  it('an event is a Node: node(id) gives it back', async () => {
    await create('orders');
    const { events } = await admin.run(EventsDocument, { first: 1 });
    const event = events.edges[0]!.node;
    const r = await admin.run(EventNodeDocument, { id: event.id });
    expect(r.node).toMatchObject({ __typename: 'RegistryEvent', position: 1, key: event.key });
  });

  it('readers may read it, callers without credentials may not', async () => {
    await create('orders');
    const viewer = createTestClient(storage, fail, { as: 'viewer' });
    expect((await viewer.run(EventsDocument, { first: 5 })).events.edges).toHaveLength(1);
    const anonymous = createTestClient(storage, fail, { as: null });
    const r = await anonymous.request(EventsDocument, { first: 5 });
    expect(r.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('typed errors: a cursor that is not the log’s, a filter id of another type, an expired cursor', async () => {
    const orders = await create('orders');
    await create('customers');
    await create('products');
    const bad = await admin.request(EventsDocument, { after: 'bm9wZQ', first: 5 });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'after' })] });
    const wrongId = await admin.request(EventsDocument, { filter: { contractId: Buffer.from(`Run:${orders}`).toString('base64') }, first: 5 });
    expect(wrongId.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION_FAILED', issues: [expect.objectContaining({ path: 'filter.contractId' })] });
    const { events } = await admin.run(EventsDocument, { first: 1 });
    await storage.events.prune(new Date(Date.now() + 60_000));
    const expired = await admin.request(EventsDocument, { after: events.pageInfo.endCursor, first: 5 });
    expect(expired.errors?.[0]?.extensions?.code).toBe('CURSOR_EXPIRED');
    expect(expired.errors?.[0]?.message).toMatch(/oldest kept event is at position 3/);
    expect(expired.data).toBeNull();
  });
});
