/**
 * A frozen or lost database (a TCP proxy between the driver and the test database, frozen or cut): queries and
 * mutations fail within the time limits with a typed UNAVAILABLE error (never INTERNAL_SERVER_ERROR), /ready turns
 * 503 at once, and when the database is back everything works again — including a write that was cut mid-way by the
 * lost database: the next correct write succeeds at once (the claim was this server's own) and nothing is torn.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { WriteStep } from '../../src/storage/mongodb/faults.js';
import { testDatabaseName } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { ResilienceCreateDocument, ResilienceStateDocument, ResilienceUpdateDocument } from '../gql/graphql.js';

const OPERATION_MS = 800;
const SELECTION_MS = 500;
const READY_MS = 300;
/** What a request may take at most while the database is away: a few operations' limits. */
const BUDGET_MS = 6_000;

let proxy: TcpProxy;
let storage: MongoStorageBackend;
let client: TestClient;
let cutAt: WriteStep | null = null;
const unexpected: unknown[] = [];

beforeAll(async () => {
  proxy = await startTcpProxy(inject('mongodbUri'));
  storage = await createMongoStorage({
    uri: proxy.uri,
    database: testDatabaseName(),
    operationTimeoutMs: OPERATION_MS,
    serverSelectionTimeoutMs: SELECTION_MS,
    pingTimeoutMs: READY_MS,
    claimLeaseMs: 10_000,
    repairIntervalMs: 0,
    // The database is lost right after this step of a contract write (the write then fails on its next step).
    faults: (step) => {
      if (step === cutAt) proxy.cut();
    },
  });
  client = createTestClient(storage, (e) => unexpected.push(e));
});

afterAll(async () => {
  proxy.restore();
  await storage.dropDatabase().catch(() => undefined);
  await storage.close();
  await proxy.close();
});

const doc = (version: string, extra = 0) =>
  contractDocument({ name: 'outage', version, schemas: { orders: [{ name: 'order_id', primaryKey: true }, ...Array.from({ length: extra }, (_, i) => ({ name: `p${i}` }))] } });

async function timed<T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await run();
  return { value, ms: performance.now() - started };
}

async function expectUnavailable(): Promise<void> {
  const read = await timed(() => client.request(ResilienceStateDocument, { name: 'outage' }));
  expect(read.ms).toBeLessThan(BUDGET_MS);
  expect(read.value.errors?.length).toBeGreaterThan(0);
  for (const e of read.value.errors ?? []) expect(e.extensions?.code).toBe('UNAVAILABLE');
  const write = await timed(() => client.request(ResilienceCreateDocument, { input: { document: doc("1.0.0") } }));
  expect(write.ms).toBeLessThan(BUDGET_MS);
  expect(write.value.errors?.map((e) => e.extensions?.code)).toEqual(['UNAVAILABLE']);
  expect(write.value.errors?.[0]?.message).not.toContain('Mongo');
  const ready = await timed(() => client.fetch('/ready'));
  expect(ready.value.status).toBe(503);
  expect(ready.ms).toBeLessThan(READY_MS + 500);
}

async function expectServing(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await client.fetch('/ready')).status !== 200) {
    if (Date.now() > deadline) throw new Error('the storage did not come back');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const read = await client.request(ResilienceStateDocument, { name: 'outage' });
  expect(read.errors).toBeUndefined();
}

it('serves while the database answers', async () => {
  const created = await client.run(ResilienceCreateDocument, { input: { document: doc('1.0.0') } });
  expect(created.createContract.__typename).toBe('CreateContractSuccess');
  expect((await client.fetch('/ready')).status).toBe(200);
});

it('a frozen database: UNAVAILABLE within the budget, /ready 503; then back to serving', async () => {
  proxy.freeze();
  try {
    await expectUnavailable();
  } finally {
    proxy.restore();
  }
  await expectServing();
  expect(unexpected).toEqual([]);
});

it('a lost database: UNAVAILABLE within the budget, /ready 503; then back to serving', async () => {
  proxy.cut();
  try {
    await expectUnavailable();
  } finally {
    proxy.restore();
  }
  await expectServing();
  expect(unexpected).toEqual([]);
});

it('a write cut by the lost database blocks nothing: the next correct write succeeds at once, nothing is torn', async () => {
  for (const step of ['update:version', 'update:contract'] as const) {
    const before = (await client.run(ResilienceStateDocument, { name: 'outage' })).contractByName!;
    const [, minor] = before.currentVersion.split('.').map(Number);
    cutAt = step;
    const cut = await client.request(ResilienceUpdateDocument, {
      input: { id: before.id, expectedRevision: before.revision, document: doc(`1.${minor! + 1}.0`, minor! + 1) },
    });
    cutAt = null;
    expect(cut.errors?.map((e) => e.extensions?.code)).toEqual(['UNAVAILABLE']);
    proxy.restore();
    await expectServing();

    const now = (await client.run(ResilienceStateDocument, { name: 'outage' })).contractByName!;
    // The cut write either happened (cut after its contract step) or did not; the reader sees one or the other whole.
    expect(now.catalogEntries.map((e) => e.contractVersion)).toEqual([now.currentVersion]);
    expect(now.versions.totalCount).toBe(now.versionCount);
    const [, m] = now.currentVersion.split('.').map(Number);
    const next = await timed(() =>
      client.run(ResilienceUpdateDocument, { input: { id: now.id, expectedRevision: now.revision, document: doc(`1.${m! + 1}.0`, m! + 1) } }),
    );
    expect(next.value.updateContract).toMatchObject({ __typename: 'UpdateContractSuccess', contract: { revision: now.revision + 1 } });
    expect(next.ms).toBeLessThan(5_000); // no waiting for the dead claim's lease (10 s): it was this server's own
  }
  // A claim whose release was lost with the database is left only on a revision the contract has moved past (it
  // blocks nobody; the repair pass removes it): none on the current one.
  const current = (await client.run(ResilienceStateDocument, { name: 'outage' })).contractByName!;
  const left = await storage.db.collection<{ _id: string }>('write_claims').find({}).toArray();
  for (const claim of left) expect(Number(claim._id.split('@').pop())).toBeLessThan(current.revision);
  expect(unexpected).toEqual([]);
});
