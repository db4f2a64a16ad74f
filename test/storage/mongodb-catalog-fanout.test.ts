/**
 * The point reads and writes by `_id` of one catalog step (src/storage/mongodb/catalog.ts syncByPoints: a read per
 * entry, an insert per new entry, the replaces and removals as bulk commands of at most that many statements, bulk.ts) go at
 * most GRIOT_CATALOG_WRITE_CONCURRENCY at a time: on FerretDB on PostgreSQL every command in flight
 * holds a connection of its pool, and unbounded a contract of 80 schemas sent 80 at once. Observed through the
 * driver's command monitoring (commands on schema_catalog started and not yet ended), on the two ways into that
 * step: a contract update where `{_id, revision}` is a scan (FerretDB on SQLite; elsewhere the update takes the bulk
 * path, one command at a time), and, on every server, a catalog read repairing a contract whose update was cut after
 * its contract step. Either way the catalog afterwards agrees with the contract.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { JsonObject } from '../../src/domain/odcs.js';
import { statementsPerCommand } from '../../src/storage/mongodb/bulk.js';
import { DEFAULT_CATALOG_WRITE_CONCURRENCY } from '../../src/storage/mongodb/catalog.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { WriteStep } from '../../src/storage/mongodb/faults.js';
import { CATALOG_REPAIRS_AT_ONCE } from '../../src/storage/mongodb/repair.js';
import { capabilityProbes, testDatabaseName } from '../support/backends.js';

const SCHEMAS = 80;
const opened: MongoStorageBackend[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) {
    await s.dropDatabase();
    await s.close();
  }
});

/** `count` schemas t000…, each with one property; `description` marks the revision. */
function contractDoc(count: number, description: string, first = 0): JsonObject {
  const schema = Array.from({ length: count }, (_, i) => ({
    name: `t${String(first + i).padStart(3, '0')}`,
    description,
    properties: [{ name: 'id', logicalType: 'string' }],
  }));
  return { apiVersion: 'v3.1.0', kind: 'DataContract', id: 'urn:test:fanout', name: 'fanout', version: '1.0.0', status: 'draft', schema };
}

async function open(catalogWriteConcurrency?: number, faults?: (step: WriteStep) => void): Promise<MongoStorageBackend> {
  // A long time limit: this counts commands, and a catalog step of 80 entries can take seconds on a loaded FerretDB.
  const storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), capabilityProbes, monitorCommands: true, catalogWriteConcurrency, faults, operationTimeoutMs: 60_000 });
  opened.push(storage);
  return storage;
}

interface Observed {
  /** Commands on schema_catalog started while `run` ran. */
  started: number;
  /** The most of them in flight (started, not yet succeeded or failed) at once. */
  maxInFlight: number;
}

async function observeCatalogCommands(storage: MongoStorageBackend, run: () => Promise<unknown>): Promise<Observed> {
  const inFlight = new Set<number>();
  const seen: Observed = { started: 0, maxInFlight: 0 };
  const started = (event: { commandName: string; command: Record<string, unknown>; requestId: number }) => {
    if (event.command[event.commandName] !== 'schema_catalog') return;
    inFlight.add(event.requestId);
    seen.started++;
    seen.maxInFlight = Math.max(seen.maxInFlight, inFlight.size);
  };
  const ended = (event: { requestId: number }) => void inFlight.delete(event.requestId);
  storage.client.on('commandStarted', started);
  storage.client.on('commandSucceeded', ended);
  storage.client.on('commandFailed', ended);
  try {
    await run();
  } finally {
    storage.client.off('commandStarted', started);
    storage.client.off('commandSucceeded', ended);
    storage.client.off('commandFailed', ended);
  }
  expect(inFlight.size).toBe(0); // nothing of the step is still running once it returned
  return seen;
}

/** The catalog of the contract, as read back: schema names, descriptions and revisions. */
async function catalogOf(storage: MongoStorageBackend, id: string): Promise<{ names: string[]; descriptions: Set<string | null>; revisions: Set<number> }> {
  const [entries = []] = await storage.schemaCatalog.listByContractIds([id]);
  return { names: entries.map((e) => e.schemaName), descriptions: new Set(entries.map((e) => e.description)), revisions: new Set(entries.map((e) => e.contractRevision)) };
}

/** Statements per bulk command of the step: K of this server (bulk.ts: 8 on FerretDB, no cap of ours elsewhere), at most the step's bound. */
const statementsOf = (storage: MongoStorageBackend, bound: number) => Math.min(statementsPerCommand(undefined, storage.capabilities.ferretdb), bound);

const names = (count: number, first = 0) => Array.from({ length: count }, (_, i) => `t${String(first + i).padStart(3, '0')}`);

describe('catalog step fan-out', () => {
  it.each([
    ['the default', undefined, DEFAULT_CATALOG_WRITE_CONCURRENCY],
    ['a configured bound', 3, 3],
  ])(`a contract update of ${SCHEMAS} schemas (some replaced, some added, some dropped) under %s`, async (_, configured, bound) => {
    const storage = await open(configured);
    const c = await storage.contracts.create({ document: contractDoc(SCHEMAS, 'first') }, 'alice');
    // Schemas t010…t089: 70 rewritten, 10 new, t000…t009 dropped.
    const seen = await observeCatalogCommands(storage, () => storage.contracts.update({ id: c.id, expectedRevision: 1, document: contractDoc(SCHEMAS, 'second', 10), acceptBreakingChanges: true }, 'bob'));
    expect(seen.maxInFlight).toBeLessThanOrEqual(bound);
    if (!storage.capabilities.idConditions) {
      // The points path: a read of every entry of either revision (90), then 10 inserts, and the 70 replaces and 10
      // removals in bulk commands of at most min(K, bound) statements (fewer commands than writes).
      expect(seen.started).toBeGreaterThanOrEqual(90 + 10 + Math.ceil(80 / statementsOf(storage, bound)));
      expect(seen.started).toBeLessThan(90 + 10 + 80);
      expect(seen.maxInFlight).toBeGreaterThan(1); // bounded, still concurrent
    }
    expect(await catalogOf(storage, c.id)).toEqual({ names: names(SCHEMAS, 10), descriptions: new Set(['second']), revisions: new Set([2]) });
  });

  it(`a catalog read repairing a cut update of ${SCHEMAS} schemas, on every server`, async () => {
    let cut = false;
    const bound = 3;
    const storage = await open(bound, (step) => {
      if (cut && step === 'update:contract') throw new Error('database lost after the contract step');
    });
    const c = await storage.contracts.create({ document: contractDoc(SCHEMAS, 'first') }, 'alice');
    cut = true;
    await expect(storage.contracts.update({ id: c.id, expectedRevision: 1, document: contractDoc(SCHEMAS, 'second') }, 'bob')).rejects.toThrow('database lost');
    cut = false;
    let read: Awaited<ReturnType<typeof catalogOf>> | null = null;
    const seen = await observeCatalogCommands(storage, async () => {
      read = await catalogOf(storage, c.id);
    });
    // The read found revision 1's entries behind revision 2 and rewrote all 80 by `_id`: 80 point reads, then the 80
    // replaces in bulk commands of at most min(K, bound) statements.
    expect(seen.started).toBeGreaterThanOrEqual(SCHEMAS + Math.ceil(SCHEMAS / statementsOf(storage, bound)));
    expect(seen.started).toBeLessThan(2 * SCHEMAS);
    expect(seen.maxInFlight).toBeLessThanOrEqual(bound);
    expect(seen.maxInFlight).toBeGreaterThan(1);
    expect(read).toEqual({ names: names(SCHEMAS), descriptions: new Set(['second']), revisions: new Set([2]) });
  });

  it('a catalog read repairing several cut updates repairs a few contracts at a time', async () => {
    const contracts = CATALOG_REPAIRS_AT_ONCE + 2;
    const schemas = 40;
    let cut = false;
    const bound = 3;
    const storage = await open(bound, (step) => {
      if (cut && step === 'update:contract') throw new Error('database lost after the contract step');
    });
    const doc = (i: number, description: string) => ({ ...contractDoc(schemas, description), id: `urn:test:fanout-${i}`, name: `fanout_${i}` });
    const ids: string[] = [];
    for (let i = 0; i < contracts; i++) ids.push((await storage.contracts.create({ document: doc(i, 'first') }, 'alice')).id);
    cut = true;
    for (const [i, id] of ids.entries()) {
      await expect(storage.contracts.update({ id, expectedRevision: 1, document: doc(i, 'second') }, 'bob')).rejects.toThrow('database lost');
    }
    cut = false;
    let read: Awaited<ReturnType<typeof storage.schemaCatalog.listByContractIds>> = [];
    const seen = await observeCatalogCommands(storage, async () => {
      read = await storage.schemaCatalog.listByContractIds(ids);
    });
    expect(seen.started).toBeGreaterThanOrEqual((schemas + Math.ceil(schemas / statementsOf(storage, bound))) * contracts);
    expect(seen.started).toBeLessThan(2 * schemas * contracts);
    // Each contract's step keeps `bound` in flight; all of them at once (before: up to 32 contracts) would be more.
    expect(seen.maxInFlight).toBeLessThanOrEqual(bound * CATALOG_REPAIRS_AT_ONCE);
    expect(seen.maxInFlight).toBeGreaterThan(bound);
    expect(read.map((entries) => entries.length)).toEqual(ids.map(() => schemas));
    expect(new Set(read.flat().map((e) => `${e.description}@${e.contractRevision}`))).toEqual(new Set(['second@2']));
  });
});
