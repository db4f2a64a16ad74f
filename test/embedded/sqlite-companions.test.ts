/**
 * The companion `_id` indexes of FerretDB 1.24 on SQLite (src/embedded/sqlite-companions.ts), on a FerretDB of this
 * file's own (its SQLite folder must be known). Stock, FerretDB's pushed-down `_id` equality scans the table; with the
 * companions SQLite answers it from an index (the server's own explain says which), FerretDB still reads and writes
 * the same documents and lists only its own indexes, the registry's start-up sees the difference, and running the
 * script again, or after a new collection appeared, creates only what is missing.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFerretDb, type RunningFerretDb, startFerretDb } from '../../src/embedded/ferretdb.js';
import { applySqliteCompanions, COMPANION_SUFFIX, SqliteCompanionsUnavailable } from '../../src/embedded/sqlite-companions.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import { idReadsFromExplain } from '../../src/storage/mongodb/id-reads.js';

const DATABASE = 'companions';
let dir: string;
let server: RunningFerretDb;
let client: MongoClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'griot-sqlite-companions-'));
  server = await startFerretDb(await ensureFerretDb(), dir);
  client = await new MongoClient(server.uri).connect();
}, 120_000);

afterAll(async () => {
  await client?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const sqliteDir = () => join(dir, 'sqlite');

/**
 * The server's explain of an `_id` equality on `collection`. A real read of it comes first: SQLite's EXPLAIN QUERY
 * PLAN does not check the schema's version, so a FerretDB connection that has not run a statement since an index
 * appeared still explains with its old schema (a real statement re-reads it, and re-plans).
 */
async function explainId(collection: string) {
  await client.db(DATABASE).collection(collection).findOne({ _id: 'c-0' as never });
  return idReadsFromExplain(await client.db(DATABASE).command({ explain: { find: collection, filter: { _id: 'c-7' } }, verbosity: 'queryPlanner' }));
}

/** The SQLite indexes of the table behind `collection`, read from the file itself. */
function sqliteIndexes(collection: string): string[] {
  const file = join(sqliteDir(), `${DATABASE}.sqlite`);
  const table = execFileSync('sqlite3', [file, `SELECT table_name FROM _ferretdb_collections WHERE name = '${collection}'`]).toString().trim();
  return execFileSync('sqlite3', [file, `SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = '${table}' ORDER BY name`]).toString().trim().split('\n');
}

describe('FerretDB on SQLite: companion _id indexes', () => {
  it('turn the registry’s `_id` reads from table scans into index reads, and FerretDB keeps working as before', { timeout: 180_000 }, async () => {
    const first = await createMongoStorage({ uri: server.uri, database: DATABASE, repairIntervalMs: 0 });
    expect(first.capabilities.idReads).toBe('scan');
    await first.close();

    const contracts = client.db(DATABASE).collection<{ _id: string; n: number }>('contracts');
    const docs = Array.from({ length: 20 }, (_, i) => ({ _id: `c-${i}`, n: i }));
    await client.db(DATABASE).collection<{ _id: string; n: number }>('companion_probe').insertMany(docs);
    expect(await explainId('companion_probe')).toEqual({ kind: 'sqlite', reads: 'scan' });
    const ferretIndexes = (await contracts.listIndexes().toArray()).map((i) => i.name).sort();

    const applied = await applySqliteCompanions(sqliteDir());
    expect(applied.databases).toBeGreaterThanOrEqual(1);
    expect(applied.created).toBe(applied.tables);
    expect(applied.tables).toBeGreaterThan(10); // the registry's collections, the probe's among them

    expect(await explainId('companion_probe')).toEqual({ kind: 'sqlite', reads: 'index' });
    expect(sqliteIndexes('companion_probe').some((name) => name.endsWith(COMPANION_SUFFIX))).toBe(true);
    // FerretDB does not see the companion, and reads and writes by `_id` answer as before
    expect((await contracts.listIndexes().toArray()).map((i) => i.name).sort()).toEqual(ferretIndexes);
    const probe = client.db(DATABASE).collection<{ _id: string; n: number }>('companion_probe');
    expect(await probe.findOne({ _id: 'c-7' })).toEqual({ _id: 'c-7', n: 7 });
    await probe.updateOne({ _id: 'c-7' }, { $set: { n: 70 } });
    expect(await probe.findOne({ _id: 'c-7' })).toEqual({ _id: 'c-7', n: 70 });
    await expect(probe.insertOne({ _id: 'c-7', n: 0 })).rejects.toMatchObject({ code: 11000 }); // uniqueness stays FerretDB's
    expect(await probe.deleteOne({ _id: 'c-7' })).toMatchObject({ deletedCount: 1 });
    expect(await probe.countDocuments()).toBe(19);

    // The registry's next start sees index reads on its own collections.
    const second = await createMongoStorage({ uri: server.uri, database: DATABASE, repairIntervalMs: 0 });
    expect(second.capabilities.idReads).toBe('index');
    await second.close();

    // Again: nothing to do. After a new collection: only its companion.
    expect(await applySqliteCompanions(sqliteDir())).toEqual({ ...applied, created: 0 });
    await client.db(DATABASE).collection('later').insertOne({ _id: 'x' } as never);
    expect(await explainId('later')).toEqual({ kind: 'sqlite', reads: 'scan' });
    expect(await applySqliteCompanions(sqliteDir())).toEqual({ ...applied, tables: applied.tables + 1, created: 1 });
    expect(await explainId('later')).toEqual({ kind: 'sqlite', reads: 'index' });

    // Dropping a collection drops its companion with its table; the collection can be made again.
    await probe.drop();
    await probe.insertOne({ _id: 'c-1', n: 1 });
    expect(await probe.findOne({ _id: 'c-1' })).toEqual({ _id: 'c-1', n: 1 });
    expect(sqliteIndexes('companion_probe').some((name) => name.endsWith(COMPANION_SUFFIX))).toBe(false);
  });

  it('says what is missing instead of failing obscurely', async () => {
    await expect(applySqliteCompanions(join(dir, 'nowhere'))).rejects.toThrow(SqliteCompanionsUnavailable);
    await expect(applySqliteCompanions(sqliteDir(), { ...process.env, SQLITE3_BIN: join(dir, 'no-sqlite3') })).rejects.toThrow(
      /the sqlite3 shell could not run .*apt-get install sqlite3/,
    );
  });
});
