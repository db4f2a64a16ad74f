/**
 * Crash-safe contract writes, by fault injection on the MongoDB backend (FerretDB in CI): a write is stopped after
 * each of its steps in turn (the hook never returns, then the backend is closed: a process killed there, with no
 * compensation, no claim release and no lease renewal). Then, on a new backend instance over the same database (a
 * restarted or a second server): readers see no torn state, the next correct write succeeds without waiting for a
 * long timeout, and once the dead writer's lease ran out a start-up repair pass leaves no claim, no orphan version
 * and no catalog entry behind its contract.
 */
import { afterAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { WRITE_STEPS, type WriteStep } from '../../src/storage/mongodb/faults.js';
import { capabilityProbes, testDatabaseName } from '../support/backends.js';
import { releaseDatabase, takeDatabase } from '../support/database-pool.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { ResilienceCatalogDocument, ResilienceCreateDocument, ResilienceDeleteDocument, ResilienceSettingsDocument, ResilienceStateDocument, ResilienceUpdateDocument } from '../gql/graphql.js';

/** A short lease keeps the test quick; the time a dead writer blocks its revision is at most one lease. */
const LEASE_MS = 800;
const NAME = 'orders';
// The single writes of the API; a batch create's steps (createMany:*) are cut in test/conformance/bulk-import.test.ts.
const steps = Object.entries(WRITE_STEPS)
  .filter(([kind]) => kind !== 'createMany')
  .flatMap(([kind, list]) => list.map((s) => `${kind}:${s}` as WriteStep));
const timings: { protocol: string; step: WriteStep; ms: number }[] = [];
const unexpected: unknown[] = [];

afterAll(() => {
  const rows = timings.map((t) => `${t.protocol.padEnd(7)}${t.step.padEnd(18)} ${Math.round(t.ms)} ms`).join('\n');
  console.log(`time from the kill until the next correct write succeeded (lease ${LEASE_MS} ms):\n${rows}`);
});

/** Both write protocols: `claims`, and `cas` (forced where the server failed the atomicity probe: these cases have
 *  one writer at a time, but for the concurrent one, which runs where the probe passed). */
const PROTOCOLS = ['claims', 'cas'] as const;
type Protocol = (typeof PROTOCOLS)[number];

function open(database: string, protocol: Protocol, faults?: (step: WriteStep) => Promise<void> | void): Promise<MongoStorageBackend> {
  return createMongoStorage({ uri: inject('mongodbUri'), database, capabilityProbes, claimLeaseMs: LEASE_MS, repairIntervalMs: 0, faults, writeProtocol: protocol, forceWriteProtocol: true });
}

function client(storage: MongoStorageBackend): TestClient {
  return createTestClient(storage, (e) => unexpected.push(e));
}

/** The document of version `version`, with one more property per version (a minor, compatible change). */
function documentAt(version: string) {
  const minor = Number(version.split('.')[1]);
  const properties = [{ name: 'order_id', primaryKey: true }, ...Array.from({ length: minor }, (_, i) => ({ name: `p${i + 1}` }))];
  return contractDocument({ name: NAME, version, schemas: { orders: properties } });
}

function nextMinor(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${minor! + 1}.0`;
}

/** What a reader sees: a contract whose versions, catalog entries and schema catalog all agree with it. */
async function expectConsistent(c: TestClient): Promise<{ id: string; revision: number; currentVersion: string } | null> {
  const state = await c.run(ResilienceStateDocument, { name: NAME });
  const catalog = state.schemaCatalog.nodes.filter((n) => n.contractName === NAME);
  const contract = state.contractByName;
  if (!contract) {
    expect(catalog).toEqual([]);
    return null;
  }
  expect(contract.versions.totalCount).toBe(contract.versionCount);
  expect(contract.versions.nodes.map((v) => v.version)).toContain(contract.currentVersion);
  expect(contract.catalogEntries).toEqual([{ schemaName: 'orders', contractVersion: contract.currentVersion }]);
  expect(catalog).toEqual([{ contractName: NAME, contractVersion: contract.currentVersion, schemaName: 'orders' }]);
  return contract;
}

/** The write that is cut short. */
function startWrite(c: TestClient, step: WriteStep, id: string | null): void {
  const kind = step.split(':')[0];
  if (kind === 'create') void c.request(ResilienceCreateDocument, { input: { document: documentAt('1.0.0') } });
  else if (kind === 'update') void c.request(ResilienceUpdateDocument, { input: { id: id!, expectedRevision: 1, document: documentAt('1.1.0') } });
  else if (kind === 'metadata') void c.request(ResilienceSettingsDocument, { input: { id: id!, expectedRevision: 1, autoOpenIssues: false } });
  else void c.request(ResilienceDeleteDocument, { input: { id: id!, expectedRevision: 1 } });
}

/** Raw state once the repair pass ran: no claim, no orphan version, every catalog entry at its contract's revision. */
async function expectRepaired(storage: MongoStorageBackend): Promise<void> {
  const db = storage.db;
  expect(await db.collection('write_claims').countDocuments()).toBe(0);
  expect(await db.collection('catalog_pending').countDocuments()).toBe(0);
  const contracts = await db.collection('contracts').find({}, { projection: { revision: 1, versionCount: 1 } }).toArray();
  const byId = new Map(contracts.map((c) => [c._id as unknown as string, c]));
  for (const v of await db.collection('contract_versions').find({}, { projection: { contractId: 1, number: 1 } }).toArray()) {
    expect(v.number).toBeLessThanOrEqual(byId.get(v.contractId)?.versionCount ?? -1);
  }
  for (const e of await db.collection('schema_catalog').find({}, { projection: { contractId: 1, contractRevision: 1 } }).toArray()) {
    expect(e.contractRevision).toBe(byId.get(e.contractId)?.revision);
  }
}

it.each(PROTOCOLS.flatMap((protocol) => steps.map((step) => [protocol, step] as const)))('%s: a write killed after %s leaves nothing that blocks or misleads', async (protocol, step) => {
  // An emptied database of an earlier case (support/database-pool.ts): collections and indexes built, no documents.
  const database = takeDatabase(inject('mongodbUri')) ?? testDatabaseName();
  let armed = false;
  let reached!: () => void;
  const atStep = new Promise<void>((resolve) => (reached = resolve));
  const a = await open(database, protocol, (s) => {
    if (!armed || s !== step) return;
    reached();
    return new Promise<void>(() => undefined); // the process dies here
  });
  let id: string | null = null;
  if (!step.startsWith('create:')) {
    const created = await client(a).run(ResilienceCreateDocument, { input: { document: documentAt('1.0.0') } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
    id = created.createContract.contract.id;
  }
  armed = true;
  startWrite(client(a), step, id);
  await atStep;
  await a.close();
  const killedAt = performance.now();

  const b = await open(database, protocol);
  try {
    const cb = client(b);
    const before = await expectConsistent(cb);
    if (before) {
      const version = nextMinor(before.currentVersion);
      const updated = await cb.run(ResilienceUpdateDocument, { input: { id: before.id, expectedRevision: before.revision, document: documentAt(version) } });
      expect(updated.updateContract).toMatchObject({ __typename: 'UpdateContractSuccess', contract: { currentVersion: version, revision: before.revision + 1 } });
    } else {
      const created = await cb.run(ResilienceCreateDocument, { input: { document: documentAt('1.0.0') } });
      expect(created.createContract).toMatchObject({ __typename: 'CreateContractSuccess', contract: { currentVersion: '1.0.0' } });
    }
    timings.push({ protocol, step, ms: performance.now() - killedAt });
    await expectConsistent(cb);
  } finally {
    await b.close();
  }

  // The dead writer's lease runs out: its claims were taken or renewed before the kill, so they have expired once a
  // lease (and a margin) has passed since then; the work on `b` above already spent part of it.
  const leaseLeft = killedAt + LEASE_MS + 100 - performance.now();
  if (leaseLeft > 0) await new Promise((resolve) => setTimeout(resolve, leaseLeft));
  const c = await open(database, protocol); // its start-up pass repairs what the dead write left
  try {
    await expectRepaired(c);
    await expectConsistent(client(c));
  } finally {
    await c.close();
    await releaseDatabase(inject('mongodbUri'), database);
  }
  expect(unexpected).toEqual([]);
});

it('claims: a writer stalled after its contract step: filtered catalog reads at once, on its server and another, name the new revision', async () => {
  const database = testDatabaseName();
  let armed = false;
  let reached!: () => void;
  const atStep = new Promise<void>((resolve) => (reached = resolve));
  const a = await open(database, 'claims', (s) => {
    if (!armed || s !== 'update:contract') return;
    reached();
    return new Promise<void>(() => undefined); // stalled: its claim is live, its catalog step never comes
  });
  const b = await open(database, 'claims');
  try {
    const created = await client(a).run(ResilienceCreateDocument, { input: { document: documentAt('1.0.0') } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
    armed = true;
    // 1.1.0 adds the property p1: only the new revision's entry matches a filter on it.
    void client(a).request(ResilienceUpdateDocument, { input: { id: created.createContract.contract.id, expectedRevision: 1, document: documentAt('1.1.0') } });
    await atStep;
    for (const c of [client(a), client(b), client(a)]) {
      const added = await c.run(ResilienceCatalogDocument, { name: NAME, filter: { propertyWord: 'p1' } });
      expect(added.contractByName).toEqual({ revision: 2, currentVersion: '1.1.0' });
      expect(added.schemaCatalog.nodes).toEqual([{ contractName: NAME, contractVersion: '1.1.0', schemaName: 'orders' }]);
      const byName = await c.run(ResilienceCatalogDocument, { name: NAME, filter: { propertyName: 'p1', schemaNamePrefix: 'ord' } });
      expect(byName.schemaCatalog.nodes).toEqual([{ contractName: NAME, contractVersion: '1.1.0', schemaName: 'orders' }]);
      await expectConsistent(c);
    }
  } finally {
    await b.dropDatabase();
    await Promise.all([a.close(), b.close()]);
  }
  expect(unexpected).toEqual([]);
});

it.for(PROTOCOLS)('%s: of 20 concurrent updates at one revision exactly one wins, and every ConflictError names the actual, different revision', async (protocol, ctx) => {
  const database = testDatabaseName();
  const storage = await open(database, protocol);
  try {
    // Decided from the probe: where conditional updates are not atomic, only claims make one winner per revision.
    ctx.skip(protocol === 'cas' && !storage.capabilities.atomicConditionalUpdates, 'needs atomic conditional updates: runs on MongoDB');
    const c = client(storage);
    const created = await c.run(ResilienceCreateDocument, { input: { document: documentAt('1.0.0') } });
    if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
    const id = created.createContract.contract.id;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => c.run(ResilienceUpdateDocument, { input: { id, expectedRevision: 1, document: documentAt('1.1.0') } })),
    );
    const outcomes = results.map((r) => r.updateContract);
    expect(outcomes.filter((o) => o.__typename === 'UpdateContractSuccess')).toHaveLength(1);
    const conflicts = outcomes.filter((o) => o.__typename === 'ConflictError');
    expect(conflicts).toHaveLength(19);
    for (const conflict of conflicts) expect(conflict).toMatchObject({ expectedRevision: 1, actualRevision: 2 });
    await expectConsistent(c);
    await expectRepaired(storage);
  } finally {
    await storage.dropDatabase();
    await storage.close();
  }
});
