/**
 * The MongoDB backend: the repositories of ../types.ts on MongoDB or any MongoDB-wire server (FerretDB in tests).
 * It uses no transactions and no server feature beyond unique/compound/multikey indexes, plain queries and `$group`
 * counts; text search and aggregated sums are used only when the server proves it has them (see capabilities.ts).
 */
import { type Db, MongoClient } from 'mongodb';
import type { RegistryPolicy } from '../../domain/evolution.js';
import type { HealthReport, StorageBackend } from '../types.js';
import { MongoApprovalRepository } from './approvals.js';
import { BACKEND_NAME, detectCapabilities, type MongoCapabilities } from './capabilities.js';
import { MongoCatalogRepository } from './catalog.js';
import { MongoContractRepository } from './contracts.js';
import { collectionsOf } from './documents/index.js';
import { errorMessage } from './errors.js';
import { ensureIndexes } from './indexes.js';
import { backfillKeys, ensureKeyIndexes, keysOf } from './keys.js';
import { migrateNulKeys } from './nul-free.js';
import { MongoCommentRepository } from './comments.js';
import { MongoIssueRepository } from './issues.js';
import { backfillOdcsIds, OdcsIdKeys } from './odcs-ids.js';
import { MongoRunRepository } from './runs.js';
import { migrateSearchFields } from './search-migration.js';
import { MongoValidationRepository } from './validations.js';

export interface MongoStorageOptions {
  uri: string;
  database: string;
  /** observe driver commands (tests count them) */
  monitorCommands?: boolean;
  /** Called with the client before it connects (observability follows its pool and commands). */
  onClient?: (client: MongoClient) => void;
  policy?: RegistryPolicy;
}

export interface MongoStorageBackend extends StorageBackend {
  readonly capabilities: MongoCapabilities;
  readonly client: MongoClient;
  readonly db: Db;
  dropDatabase(): Promise<void>;
}

/** How long health() waits for the server's answer before reporting it unhealthy. */
const HEALTH_TIMEOUT_MS = 5_000;

/**
 * Connects, creates the indexes (idempotent), detects what the server can do, completes approval writes a crash
 * left half done (approvals.ts reconcile), rewrites search fields an older version stored (search-migration.ts), and returns the backend.
 */
export async function createMongoStorage(options: MongoStorageOptions): Promise<MongoStorageBackend> {
  const client = new MongoClient(options.uri, { monitorCommands: options.monitorCommands ?? false });
  options.onClient?.(client);
  await client.connect();
  try {
    const db = client.db(options.database);
    await ensureIndexes(db);
    const keys = keysOf(db);
    await ensureKeyIndexes(keys);
    const capabilities = await detectCapabilities(db);
    const collections = collectionsOf(db);
    await backfillKeys(keys, collections);
    const odcsIds = new OdcsIdKeys(keys, collections.contracts);
    await backfillOdcsIds(odcsIds, collections.contracts);
    await migrateNulKeys(keys, collections);
    const { batchReads } = capabilities;
    const contracts = new MongoContractRepository(collections, keys, capabilities, options.policy, odcsIds);
    const schemaCatalog = new MongoCatalogRepository(collections, batchReads);
    const issues = new MongoIssueRepository(collections, batchReads);
    const approvals = new MongoApprovalRepository(collections, batchReads);
    await approvals.reconcile();
    await migrateSearchFields(collections);
    return {
      client,
      db,
      contracts,
      schemaCatalog,
      runs: new MongoRunRepository(collections, keys, capabilities),
      validations: new MongoValidationRepository(collections, issues, keys, capabilities),
      issues,
      comments: new MongoCommentRepository(collections, keys, batchReads),
      approvals,
      capabilities,
      health: () => health(db),
      async close() {
        await client.close();
      },
      async dropDatabase() {
        await db.dropDatabase();
      },
    };
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

async function health(db: Db): Promise<HealthReport> {
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 1000) / 1000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to ping within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
      timer.unref();
    });
    await Promise.race([db.command({ ping: 1 }), timeout]);
    return { ok: true, backend: BACKEND_NAME, latencyMs: latency() };
  } catch (error) {
    return { ok: false, backend: BACKEND_NAME, latencyMs: latency(), error: errorMessage(error) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
