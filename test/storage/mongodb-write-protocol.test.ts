/**
 * The write-claim protocol's commands on the MongoDB backend (FerretDB in CI): the release of a claim is a point
 * read by `_id` and a delete by `_id` alone (FerretDB 1.x pushes down only a lone `_id` equality; `{_id, token}`
 * scanned write_claims), and a write leaves no claim behind.
 */
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
    const { casReplace, casDelete, claimsOf, configureClaims } = await import('../../src/storage/mongodb/claims.js');
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
