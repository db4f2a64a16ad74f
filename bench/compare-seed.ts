/**
 * The seed of the side-by-side benchmark's databases (bench/compare.ts) on a MongoDB-wire server, before the
 * registry under measurement opens them (bench/compare-stand.ts): contracts 0..N-1 into every database, then
 * N..10N-1 into the large one, through the registry's own batch create (bench/seed.ts: the stored documents, keys,
 * catalog entries and change-log events a bulk import writes). Two things make it faster, neither changing what is
 * stored:
 *  - the seeding storages have a claim lease longer than any batch, so no batch renews its claims while it runs
 *    (each renewal is an updateMany over the batch's claims that queues behind the inserts; on FerretDB/SQLite the
 *    renewals took more summed time than the inserts themselves);
 *  - the secondary indexes of `contracts` and `schema_catalog` (non-unique: no write depends on them; the unique
 *    ones stay) are dropped before the seed and built again after it, once over the whole collection, with the
 *    registry's own index descriptions; the registry then opens the database as it opens any existing one.
 * BENCH_SEED_FAST=0 seeds the plain way instead (bench/compare.ts: into the registry's own storages, every index in
 * place), for comparison.
 */
import { randomBytes } from 'node:crypto';
import type { IndexDescription } from 'mongodb';
import { COLLECTIONS } from '../src/storage/mongodb/documents/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../src/storage/mongodb/index.js';
import { CATALOG_INDEXES, CONTRACT_INDEXES } from '../src/storage/mongodb/indexes.js';
import { seedContracts } from './seed.js';

const DEFERRED: [string, IndexDescription[]][] = [
  [COLLECTIONS.contracts, CONTRACT_INDEXES.filter((i) => !i.unique)],
  [COLLECTIONS.catalog, CATALOG_INDEXES.filter((i) => !i.unique)],
];

export interface SeedSettings {
  uri: string;
  /** N: the first database gets N contracts, the second (if `growth`) 10×N. */
  n: number;
  growth: boolean;
  lanes: number;
  timeoutMs: number;
  connectTimeoutMs: number;
  /** As the registry under measurement gets it (compare-stand.ts benchBulkStatements). */
  bulkStatementsPerCommand: number | undefined;
  onRetry: (error: unknown) => void;
}

export interface Seeded {
  /** The scratch databases, N first. */
  databases: string[];
  sizes: number[];
  /** The seeded ids of each database. */
  ids: string[][];
  /** Seconds spent building the deferred indexes again. */
  indexSeconds: number;
}

export async function seedDatabases(s: SeedSettings): Promise<Seeded> {
  const sizes = s.growth ? [s.n, 10 * s.n] : [s.n];
  const databases = sizes.map(() => `griot_bench_${randomBytes(4).toString('hex')}`);
  const seeders: MongoStorageBackend[] = [];
  let ok = false;
  try {
    // Opened side by side (on FerretDB/SQLite each database is a file of its own).
    const opened = await Promise.allSettled(
      databases.map((database) =>
        createMongoStorage({
          uri: s.uri,
          database,
          operationTimeoutMs: s.timeoutMs,
          serverSelectionTimeoutMs: s.connectTimeoutMs,
          claimLeaseMs: 3_600_000,
          repairIntervalMs: 0,
          bulkStatementsPerCommand: s.bulkStatementsPerCommand,
        }),
      ),
    );
    for (const o of opened) if (o.status === 'fulfilled') seeders.push(o.value);
    for (const o of opened) if (o.status === 'rejected') throw o.reason;
    await Promise.all(seeders.map((st) => eachDeferred((c, i) => st.db.collection(c).dropIndex(i.name!))));
    const first = await seedContracts(seeders, 0, s.n, { lanes: s.lanes, onRetry: s.onRetry });
    const ids = sizes.map(() => [...first]);
    if (seeders[1]) ids[1]!.push(...(await seedContracts([seeders[1]], s.n, 10 * s.n, { lanes: s.lanes, onRetry: s.onRetry })));
    const indexStart = performance.now();
    await Promise.all(seeders.map((st) => eachDeferred((c, i) => st.db.collection(c).createIndexes([i]))));
    ok = true;
    return { databases, sizes, ids, indexSeconds: (performance.now() - indexStart) / 1000 };
  } finally {
    for (const st of seeders) {
      if (!ok) await st.dropDatabase().catch(() => undefined);
      await st.close().catch(() => undefined);
    }
  }
}

/** One index at a time (FerretDB 1.24 mishandles multi-index createIndexes, indexes.ts). */
async function eachDeferred(f: (collection: string, index: IndexDescription) => Promise<unknown>): Promise<void> {
  for (const [collection, indexes] of DEFERRED) for (const index of indexes) await f(collection, index);
}
