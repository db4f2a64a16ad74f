/**
 * Bulk writes go in commands of at most GRIOT_BULK_STATEMENTS_PER_COMMAND statements (src/storage/mongodb/bulk.ts):
 * by default 8 where start-up found FerretDB (on PostgreSQL a command of ~50 matching statements exhausts its pool,
 * on SQLite one of ~100 the database file's), one command per bulk elsewhere; a configured value applies on every
 * server. Counted on a catalog rebuild of a contract with 120 schemas (all 120 entries rewritten, in one bulk): in
 * one command, that rebuild never returned on FerretDB/SQLite.
 */
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { JsonObject } from '../../src/domain/odcs.js';
import { FERRETDB_STATEMENTS_PER_COMMAND } from '../../src/storage/mongodb/bulk.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { capabilityProbes, testDatabaseName } from '../support/backends.js';

const SCHEMAS = 120;
const opened: MongoStorageBackend[] = [];

afterEach(async () => {
  for (const s of opened.splice(0)) {
    await s.dropDatabase();
    await s.close();
  }
});

function contractDoc(description: string): JsonObject {
  const schema = Array.from({ length: SCHEMAS }, (_, i) => ({ name: `t${i}`, description, properties: [{ name: 'id', logicalType: 'string' }] }));
  return { apiVersion: 'v3.1.0', kind: 'DataContract', id: 'urn:test:wide', name: 'wide', version: '1.0.0', status: 'draft', schema };
}

/**
 * The statement count of every `update` command on schema_catalog sent by a catalog rebuild (80 matching replaces).
 * A long time limit: this counts commands, and one 80-statement command took over 5 s on FerretDB/SQLite under load.
 */
async function catalogUpdateCommands(bulkStatementsPerCommand?: number): Promise<{ sizes: number[]; ferretdb: boolean }> {
  const storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), capabilityProbes, monitorCommands: true, bulkStatementsPerCommand, operationTimeoutMs: 60_000 });
  opened.push(storage);
  const c = await storage.contracts.create({ document: contractDoc('wide') }, 'alice');
  const sizes: number[] = [];
  const listener = (event: { commandName: string; command: { update?: unknown; updates?: unknown[] } }) => {
    if (event.commandName === 'update' && event.command.update === 'schema_catalog') sizes.push(event.command.updates?.length ?? 0);
  };
  storage.client.on('commandStarted', listener);
  try {
    await storage.schemaCatalog.rebuild();
  } finally {
    storage.client.off('commandStarted', listener);
  }
  const [entries] = await storage.schemaCatalog.listByContractIds([c.id]);
  expect(entries?.map((e) => e.description)).toEqual(Array(SCHEMAS).fill('wide'));
  return { sizes, ferretdb: storage.capabilities.ferretdb };
}

describe('bulk write commands', () => {
  it('by default: at most 8 statements a command on FerretDB (either backend), one command elsewhere', async () => {
    const { sizes, ferretdb } = await catalogUpdateCommands();
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(SCHEMAS);
    if (ferretdb) expect(Math.max(...sizes)).toBe(FERRETDB_STATEMENTS_PER_COMMAND);
    else expect(sizes).toEqual([SCHEMAS]);
  });

  it('a configured size applies on any server', async () => {
    const { sizes } = await catalogUpdateCommands(7);
    expect(sizes).toEqual([...Array(Math.floor(SCHEMAS / 7)).fill(7), SCHEMAS % 7]);
  });
});
