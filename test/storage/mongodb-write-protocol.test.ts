/**
 * The write-claim protocol's commands on the MongoDB backend (FerretDB in CI): the release of a claim is a point
 * read by `_id` and a delete by `_id` alone (FerretDB 1.x pushes down only a lone `_id` equality; `{_id, token}`
 * scanned write_claims), a create's claim on an id made for it the delete alone, and a write leaves no claim behind.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { testDatabaseName } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { ResilienceCreateDocument, ResilienceUpdateDocument } from '../gql/graphql.js';

let storage: MongoStorageBackend;
let c: TestClient;
const unexpected: unknown[] = [];

beforeAll(async () => {
  storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), monitorCommands: true, repairIntervalMs: 0 });
  c = createTestClient(storage, (e) => unexpected.push(e));
});

afterAll(async () => {
  await storage.dropDatabase();
  await storage.close();
});

/** The filters of the commands on write_claims while `run` runs. */
async function claimCommands(run: () => Promise<unknown>): Promise<{ name: string; filter: Record<string, unknown> }[]> {
  const seen: { name: string; filter: Record<string, unknown> }[] = [];
  const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
    const cmd = event.command;
    const target = cmd[event.commandName];
    if (target !== 'write_claims') return;
    if (event.commandName === 'find') seen.push({ name: 'find', filter: cmd.filter as Record<string, unknown> });
    if (event.commandName === 'delete') for (const d of cmd.deletes as { q: Record<string, unknown> }[]) seen.push({ name: 'delete', filter: d.q });
    if (event.commandName === 'update') for (const u of cmd.updates as { q: Record<string, unknown> }[]) seen.push({ name: 'update', filter: u.q });
  };
  storage.client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    storage.client.off('commandStarted', listener);
  }
  return seen;
}

it('a contract update releases its claim by an _id point read and an _id delete: no command on write_claims filters on more than _id', async () => {
  const doc = (version: string) => contractDocument({ name: 'orders', version });
  const created = await c.run(ResilienceCreateDocument, { input: { document: doc('1.0.0') } });
  if (created.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(created));
  const { id } = created.createContract.contract;
  const commands = await claimCommands(() => c.run(ResilienceUpdateDocument, { input: { id, expectedRevision: 1, document: doc('1.1.0') } }));
  expect(commands.filter((cmd) => cmd.name === 'delete')).toHaveLength(1);
  for (const cmd of commands) expect(Object.keys(cmd.filter)).toEqual(['_id']);
  expect(await storage.db.collection('write_claims').countDocuments()).toBe(0);
  expect(unexpected).toEqual([]);
});

it('a create releases its new claim by one _id delete, without reading it back; a create of a given id reads it first', async () => {
  const fresh = await claimCommands(() => c.run(ResilienceCreateDocument, { input: { document: contractDocument({ name: 'fresh_claim' }) } }));
  const given = await claimCommands(() => storage.contracts.create({ id: randomUUID(), document: contractDocument({ name: 'given_claim' }) }, 'alice'));
  if (storage.capabilities.writeProtocol === 'cas') {
    expect([...fresh, ...given]).toEqual([]); // no claims at all
  } else {
    expect(fresh).toEqual([{ name: 'delete', filter: { _id: expect.stringMatching(/^contracts\/.+@0$/) } }]);
    expect(given.map((cmd) => cmd.name)).toEqual(['find', 'delete']);
  }
  expect(await storage.db.collection('write_claims').countDocuments()).toBe(0);
  expect(unexpected).toEqual([]);
});

it('GRIOT_WRITE_PROTOCOL: auto follows the probe (claims on a server that failed it), and cas there refuses to start', async () => {
  expect(storage.capabilities.writeProtocol).toBe(storage.capabilities.atomicConditionalUpdates ? 'cas' : 'claims');
  if (storage.capabilities.atomicConditionalUpdates) return; // a server with atomic conditional updates starts with cas
  const database = testDatabaseName();
  await expect(createMongoStorage({ uri: inject('mongodbUri'), database, writeProtocol: 'cas', repairIntervalMs: 0 })).rejects.toThrow(/GRIOT_WRITE_PROTOCOL=cas.*atomic conditional update probe/);
  const claims = await createMongoStorage({ uri: inject('mongodbUri'), database, writeProtocol: 'claims', repairIntervalMs: 0 });
  expect(claims.capabilities.writeProtocol).toBe('claims');
  await claims.dropDatabase();
  await claims.close();
});

it('the CAS protocol (forced on this server, one writer): a revision write of another document is the conditional write alone, no claim', async () => {
  const cas = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), writeProtocol: 'cas', forceWriteProtocol: true, monitorCommands: true, repairIntervalMs: 0 });
  try {
    expect(cas.capabilities.writeProtocol).toBe('cas');
    const { claimsOf, configureClaims } = await import('../../src/storage/mongodb/claims.js');
    const { casReplace, casDelete } = await import('../../src/storage/mongodb/revision-writes.js');
    const claims = claimsOf(cas.db);
    configureClaims(claims, { protocol: cas.capabilities.writeProtocol });
    const probe = cas.db.collection<{ _id: string; revision: number; v: number }>('cas_probe');
    await probe.insertOne({ _id: 'x', revision: 1, v: 1 });
    const collections = { claims };
    const seen: string[] = [];
    const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
      if (event.command[event.commandName] === 'write_claims') seen.push(event.commandName);
    };
    cas.client.on('commandStarted', listener);
    expect(await casReplace(collections.claims, probe, 'x', 1, { revision: 2, v: 2 })).toBe(true);
    expect(await casReplace(collections.claims, probe, 'x', 1, { revision: 2, v: 3 })).toBe(false);
    expect((await casDelete(collections.claims, probe, 'x', 1))).toBeNull();
    expect((await casDelete(collections.claims, probe, 'x', 2))?.v).toBe(2);
    cas.client.off('commandStarted', listener);
    expect(seen).toEqual([]);
  } finally {
    await cas.dropDatabase();
    await cas.close();
  }
});

/** Every kind of contract write, in an order that is legal: each returns the contract's new revision. */
const contractWrites: { name: string; run: (s: MongoStorageBackend, id: string, revision: number) => Promise<number> }[] = [
  { name: 'update', run: async (s, id, r) => (await s.contracts.update({ id, expectedRevision: r, document: contractDocument({ name: 'shipments', version: '1.1.0' }) }, 'bob')).revision },
  { name: 'rollback', run: async (s, id, r) => (await s.contracts.rollback({ id, expectedRevision: r, toVersion: '1.0.0' }, 'bob')).revision },
  { name: 'setSettings', run: async (s, id, r) => (await s.contracts.setSettings({ id, expectedRevision: r, approvalRequired: false }, 'bob')).revision },
  { name: 'activate', run: async (s, id, r) => (await s.contracts.activate({ id, expectedRevision: r }, 'bob')).revision },
  { name: 'deprecate', run: async (s, id, r) => (await s.contracts.deprecate({ id, expectedRevision: r, reason: 'superseded' }, 'bob')).revision },
  { name: 'retire', run: async (s, id, r) => (await s.contracts.retire({ id, expectedRevision: r }, 'bob')).revision },
  { name: 'delete', run: async (s, id, r) => ((await s.contracts.delete(id, r, 'bob')), r) },
];

it.each(['claims', 'cas'] as const)('%s: the commands of every kind of contract write (cas: none on write_claims)', async (protocol) => {
  const forced = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), writeProtocol: protocol, forceWriteProtocol: true, monitorCommands: true, repairIntervalMs: 0 });
  try {
    expect(forced.capabilities.writeProtocol).toBe(protocol);
    const rows: { write: string; commands: number; claims: number }[] = [];
    const measure = async <T>(write: string, run: () => Promise<T>): Promise<T> => {
      let commands = 0;
      let claims = 0;
      const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
        commands++;
        if (event.command[event.commandName] === 'write_claims') claims++;
      };
      forced.client.on('commandStarted', listener);
      try {
        return await run();
      } finally {
        forced.client.off('commandStarted', listener);
        rows.push({ write, commands, claims });
      }
    };
    const created = await measure('create', () => forced.contracts.create({ document: contractDocument({ name: 'shipments', version: '1.0.0' }) }, 'alice'));
    let revision = created.revision;
    for (const write of contractWrites) revision = await measure(write.name, () => write.run(forced, created.id, revision));
    expect(await forced.contracts.getById(created.id)).toBeNull();
    console.log(`${protocol}: commands per contract write (of them on write_claims)\n${rows.map((r) => `${r.write.padEnd(12)} ${r.commands} (${r.claims})`).join('\n')}`);
    expect(rows.map((r) => r.write)).toEqual(['create', ...contractWrites.map((w) => w.name)]);
    for (const row of rows) {
      if (protocol === 'cas') expect(row, row.write).toMatchObject({ claims: 0 });
      else expect(row.claims, row.write).toBeGreaterThan(0);
    }
    expect(await forced.db.collection('write_claims').countDocuments()).toBe(0);
  } finally {
    await forced.dropDatabase();
    await forced.close();
  }
});

const FAILED_CHECK = { checkId: 'orders.amount.not_null', propertyPath: 'amount', status: 'failed' as const, observedValue: 1, threshold: 0, message: 'a null amount' };

/**
 * The other writes that took a claim before issue 15.2's second step: an approval decision (the approval/<id> lock),
 * a batch create (the items' `@0` claims) and a push with an idempotency key that opens an issue (the key's lock).
 * Each returns nothing; the contract `id` is a draft whose review the first decision records and the second closes.
 */
const otherWrites: { name: string; run: (s: MongoStorageBackend, ctx: { contractId: string; requestId: string }) => Promise<unknown> }[] = [
  { name: 'decide', run: (s, { requestId }) => s.approvals.decide({ requestId, verdict: 'approve' }, 'carol') },
  { name: 'decide-last', run: (s, { requestId }) => s.approvals.decide({ requestId, verdict: 'approve' }, 'dave') },
  {
    name: 'record',
    run: (s, { contractId }) =>
      s.validations.record({ contractId, schemaName: 'orders', passed: false, rowCount: 10, errorCount: 1, idempotencyKey: 'nightly-1', checks: [FAILED_CHECK] }, 'ci'),
  },
  {
    name: 'record-again',
    run: (s, { contractId }) =>
      s.validations.record({ contractId, schemaName: 'orders', passed: false, rowCount: 10, errorCount: 1, idempotencyKey: 'nightly-1', checks: [FAILED_CHECK] }, 'ci'),
  },
  {
    name: 'createMany',
    run: (s) => s.contracts.createMany(['bulk_a', 'bulk_b', 'bulk_c'].map((name) => ({ document: contractDocument({ name, version: '1.0.0' }) })), 'importer'),
  },
];

it.each(['claims', 'cas'] as const)('%s: the commands of an approval decision, a keyed push that opens an issue and a batch create (cas: none on write_claims)', async (protocol) => {
  const forced = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), writeProtocol: protocol, forceWriteProtocol: true, monitorCommands: true, repairIntervalMs: 0 });
  try {
    const contract = await forced.contracts.create({ document: contractDocument({ name: 'reviewed', version: '1.0.0' }) }, 'alice');
    const request = await forced.approvals.submit({ contractId: contract.id, expectedRevision: contract.revision, approvers: ['carol', 'dave'], policy: 'all' }, 'bob');
    const rows: { write: string; commands: number; claims: number }[] = [];
    for (const write of otherWrites) {
      let commands = 0;
      let claims = 0;
      const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
        commands++;
        if (event.command[event.commandName] === 'write_claims') claims++;
      };
      forced.client.on('commandStarted', listener);
      try {
        await write.run(forced, { contractId: contract.id, requestId: request.id });
      } finally {
        forced.client.off('commandStarted', listener);
      }
      rows.push({ write: write.name, commands, claims });
    }
    console.log(`${protocol}: commands per write (of them on write_claims)\n${rows.map((r) => `${r.write.padEnd(12)} ${r.commands} (${r.claims})`).join('\n')}`);
    expect(await forced.approvals.getByIds([request.id])).toMatchObject([{ status: 'approved' }]);
    expect((await forced.contracts.getById(contract.id))?.status).toBe('active');
    expect((await forced.contracts.list({}, { field: 'name', direction: 'asc' }, { first: 10 })).items.map((c) => c.name)).toEqual(['bulk_a', 'bulk_b', 'bulk_c', 'reviewed']);
    for (const row of rows) {
      if (protocol === 'cas') expect(row, row.write).toMatchObject({ claims: 0 });
      else expect(row.claims, row.write).toBeGreaterThan(0);
    }
    expect(await forced.db.collection('write_claims').countDocuments()).toBe(0);
    expect(await forced.db.collection('key_turns').countDocuments()).toBe(0);
    const records = await forced.validations.list({ contractId: contract.id }, 'asc', { first: 5 });
    expect(records.items).toHaveLength(1);
    const issues = await forced.issues.list({ contractId: contract.id }, { field: 'detectedAt', direction: 'asc' }, { first: 5 });
    expect(issues.items.map((i) => i.occurrences)).toEqual([1]);
  } finally {
    await forced.dropDatabase();
    await forced.close();
  }
});

it('cas: a key turn left by a writer that died (its lease ran out) is taken over at once by the next push of the key', async () => {
  const forced = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), writeProtocol: 'cas', forceWriteProtocol: true, repairIntervalMs: 0 });
  try {
    const contract = await forced.contracts.create({ document: contractDocument({ name: 'pushed', version: '1.0.0' }) }, 'alice');
    const input = { contractId: contract.id, schemaName: 'orders', passed: false, rowCount: 10, errorCount: 1, idempotencyKey: 'crashed', checks: [FAILED_CHECK] };
    // The turn the push takes (key-turns.ts: the record's idempotency key), as a killed writer left it: expired.
    const { idemKeyOf, COLLECTIONS } = await import('../../src/storage/mongodb/documents/index.js');
    const key = `${COLLECTIONS.validations}/${idemKeyOf({ id: '', contractId: contract.id, idempotencyKey: 'crashed' })}`;
    await forced.db.collection<{ _id: string; token: string; expiresAt: Date }>('key_turns').insertOne({ _id: key, token: 'dead', expiresAt: new Date(Date.now() - 1) });
    const first = await forced.validations.record(input, 'ci');
    expect(first.created).toBe(true);
    expect(await forced.validations.record(input, 'ci')).toEqual({ record: first.record, created: false });
    expect(await forced.db.collection('key_turns').countDocuments()).toBe(0);
  } finally {
    await forced.dropDatabase();
    await forced.close();
  }
});
