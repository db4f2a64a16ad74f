/**
 * The MongoDB backend: the repositories of ../types.ts on MongoDB or any MongoDB-wire server (FerretDB in tests).
 * It uses no transactions and no server feature beyond unique/compound/multikey indexes, plain queries and `$group`
 * counts; text search and aggregated sums are used only when the server proves it has them (see capabilities.ts).
 */
import { type Db, MongoClient } from 'mongodb';
import { DEFAULT_EVENT_LOG, type EventLogOptions } from '../../config.js';
import type { RegistryPolicy } from '../../domain/evolution.js';
import type { IdempotencyOptions } from '../../domain/idempotency.js';
import type { HealthReport, StorageBackend } from '../types.js';
import { MongoApprovalRepository } from './approvals.js';
import { BACKEND_NAME, type CapabilityProbeCache, detectCapabilities, type MongoCapabilities } from './capabilities.js';
import { configureCatalogWrites, DEFAULT_CATALOG_WRITE_CONCURRENCY, MongoCatalogRepository } from './catalog.js';
import { MongoContractRepository } from './contracts.js';
import { withReadSignal, withReadSignals } from './cancellation.js';
import { configureClaims, DEFAULT_CLAIM_LEASE_MS, stopRenewals } from './claims.js';
import { chooseWriteProtocol, type WriteProtocolSetting } from './write-protocol.js';
import { COLLECTIONS, collectionsOf } from './documents/index.js';
import { detectCollectionIdReads } from './id-reads.js';
import type { FaultHook, RunFaultHook } from './faults.js';
import { DEFAULT_CATALOG_READ_REPAIRS, repairDeadClaims } from './repair.js';
import { repairStaleMarks } from './contract-cas.js';
import { withTimeLimit, withTimeLimits } from './time-limits.js';
import { gateWrites, withWriteGates } from './write-gate.js';
import { StorageUnavailableError } from '../errors.js';
import { errorMessage, isUnavailableError } from './errors.js';
import { ensureIndexes } from './indexes.js';
import { backfillKeys, ensureKeyIndexes, keysOf } from './keys.js';
import { migrateNulKeys } from './nul-free.js';
import { MongoCommentRepository } from './comments.js';
import { MongoEventRepository } from './events.js';
import { SEARCH_INDEX_COLLECTION, searchIndexOf } from './search-index.js';
import { DEFAULT_SEARCH_INDEX, SearchIndexer, type SearchIndexOptions } from './search-indexer.js';
import type { Locator } from '../events/collect.js';
import { MongoIntentStore } from '../events/intents.js';
import { type RecordingBackend, withEvents } from '../events/recorder.js';
import { createMongoIdempotency } from './idempotency.js';
import { MongoIssueRepository } from './issues.js';
import { backfillOdcsIds, OdcsIdKeys } from './odcs-ids.js';
import { MongoRunRepository } from './runs.js';
import { DEFAULT_RUN_HEAD_LIMITS, type RunHeadLimits } from './run-heads.js';
import { migrateSearchFieldsOnce } from './search-migration.js';
import { configureBulkCommands, statementsPerCommand } from './bulk.js';
import { MongoValidationRepository } from './validations.js';

export interface MongoStorageOptions {
  uri: string;
  database: string;
  /** observe driver commands (tests count them) */
  monitorCommands?: boolean;
  /** Called with the client before it connects (observability follows its pool and commands). */
  onClient?: (client: MongoClient) => void;
  policy?: RegistryPolicy;
  /** How long a write claim lives without renewal (claims.ts); default DEFAULT_CLAIM_LEASE_MS. */
  claimLeaseMs?: number;
  /** How often the repair pass (repair.ts) runs after the one at start-up; 0: only at start-up. Default: 3 leases. */
  repairIntervalMs?: number;
  /** How many marked contracts one catalog read brings in step at most (repair.ts freshenCatalog). Default 50. */
  catalogReadRepairs?: number;
  /** The run heads' read-ahead windows, slot attempts and start-up pass batch (run-heads.ts); defaults DEFAULT_RUN_HEAD_LIMITS. */
  runHeads?: Partial<RunHeadLimits>;
  /** Statements one bulk write command carries at most (bulk.ts). Default: 8 on FerretDB on PostgreSQL, else no cap. */
  bulkStatementsPerCommand?: number;
  /** Commands one catalog step of a write has in flight at most (catalog.ts syncByPoints). Default 4. */
  catalogWriteConcurrency?: number;
  /** Server-side limit (`maxTimeMS`) of every operation; the client waits at most a second longer. Default 5000; 0: none. */
  operationTimeoutMs?: number;
  /** How long an operation waits for a server to send it to (and a connection to open). Default 2000. */
  serverSelectionTimeoutMs?: number;
  /** How long health() waits for the server's answer to a ping. Default 1000. */
  pingTimeoutMs?: number;
  /** Tests only: called after each step of a contract write (faults.ts). */
  faults?: FaultHook;
  /** Tests only: called after each step of a run start (faults.ts). */
  runFaults?: RunFaultHook;
  /** The change log's retention (the TTL index); DEFAULT_EVENT_LOG when absent. */
  events?: EventLogOptions;
  /** Tests only (fault injection): called after a write committed, before its events; throwing simulates a crash. */
  eventFaults?: { afterWrite?: (where: Locator) => void };
  /** GRIOT_WRITE_PROTOCOL (write-protocol.ts); default `auto`: from the atomicity probe. */
  writeProtocol?: WriteProtocolSetting;
  /** Tests only: `cas` even on a server that failed the atomicity probe (single-writer cases of the CAS path). */
  forceWriteProtocol?: boolean;
  /** Retention, lease and wait of idempotency keys (default: DEFAULT_IDEMPOTENCY_OPTIONS). */
  idempotency?: IdempotencyOptions;
  /**
   * Benchmarks only (bench/events.ts measures what the change log adds to a write): writes append no events and
   * record no intents, so no subscriber and no `events` query ever sees them. Not settable from the environment.
   */
  benchOnlyWithoutEventLog?: boolean;
  /** Tests only: probe results shared with the other backends of this process on the same URI (capabilities.ts
   *  CapabilityProbeCache). Unset (the registry's own start-up): every start-up probes the server itself. */
  capabilityProbes?: CapabilityProbeCache;
  /** The search word index's indexer (search-indexer.ts; default DEFAULT_SEARCH_INDEX). */
  searchIndex?: SearchIndexOptions;
}

/** The backend before the change-log recorder wraps it. */
type MongoStorageBackendBase = Omit<MongoStorageBackend, keyof RecordingBackend>;

export interface MongoStorageBackend extends StorageBackend, RecordingBackend {
  readonly capabilities: MongoCapabilities;
  readonly client: MongoClient;
  readonly db: Db;
  /** The search word index's indexer (null without the change log: searches read their candidates directly). */
  readonly searchIndex: SearchIndexer | null;
  dropDatabase(): Promise<void>;
}

export const DEFAULT_OPERATION_TIMEOUT_MS = 5_000;
export const DEFAULT_SERVER_SELECTION_TIMEOUT_MS = 2_000;
export const DEFAULT_PING_TIMEOUT_MS = 1_000;

/**
 * Connects, creates the indexes (idempotent), detects what the server can do, runs the one-time migrations (key
 * backfills, search fields), repairs writes a crash left half done (repair.ts for contracts, approvals.ts reconcile
 * for approvals; the repair pass then runs every few leases), and returns the backend.
 */
export async function createMongoStorage(options: MongoStorageOptions): Promise<MongoStorageBackend> {
  const operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
  const selectionTimeoutMs = options.serverSelectionTimeoutMs ?? DEFAULT_SERVER_SELECTION_TIMEOUT_MS;
  const pingTimeoutMs = options.pingTimeoutMs ?? DEFAULT_PING_TIMEOUT_MS;
  // Start-up (index builds, probes) may take long on a big database: it runs on a client of its own, without the
  // socket time limit of the serving client.
  const probed = await prepare(options, selectionTimeoutMs);
  const capabilities: MongoCapabilities = {
    ...probed,
    writeProtocol: chooseWriteProtocol(options.writeProtocol ?? 'auto', probed.atomicConditionalUpdates, options.forceWriteProtocol),
  };
  const client = new MongoClient(options.uri, {
    monitorCommands: options.monitorCommands ?? false,
    serverSelectionTimeoutMS: selectionTimeoutMs,
    connectTimeoutMS: selectionTimeoutMs,
    // A frozen server: the client gives up a second after the server-side limit would have stopped the operation.
    socketTimeoutMS: operationTimeoutMs > 0 ? operationTimeoutMs + 1_000 : 0,
    waitQueueTimeoutMS: operationTimeoutMs > 0 ? operationTimeoutMs : 0,
    // No automatic retry of a write: a retry that fails before it is sent (no primary yet) would hide that the first
    // attempt may have run, and a write whose answer was lost must not undo what that attempt points at
    // (errors.ts answerLost). Such a write fails with UNAVAILABLE, and the caller retries it.
    retryWrites: false,
  });
  options.onClient?.(client);
  await client.connect();
  try {
    const db = client.db(options.database);
    const events = new MongoEventRepository(db);
    capabilities.eventPositions = await events.usePositions(capabilities.numericIdFilters);
    events.pointPaging = capabilities.batchReads === 'points';
    const eventLog = options.events ?? DEFAULT_EVENT_LOG;
    await events.ensureIndexes(eventLog.retentionSeconds);
    const intents = new MongoIntentStore(db);
    await intents.ensureIndexes();
    // Reads of a query stop with it (its client left, its budget is spent): cancellation.ts.
    const keys = withReadSignal(withTimeLimit(keysOf(db), operationTimeoutMs));
    // The change log's intent goes out right before a write's first write command (write-gate.ts).
    const collections = withWriteGates(withReadSignals(withTimeLimits(collectionsOf(db), operationTimeoutMs)), ['claims', 'keyTurns']);
    const indexCollection = searchIndexOf(db);
    configureBulkCommands([...Object.values(collections), keys, indexCollection], statementsPerCommand(options.bulkStatementsPerCommand, capabilities.ferretdb));
    configureCatalogWrites(collections.catalog, options.catalogWriteConcurrency ?? DEFAULT_CATALOG_WRITE_CONCURRENCY);
    const odcsIds = new OdcsIdKeys(keys, collections.contracts, collections.claims);
    const { batchReads } = capabilities;
    const leaseMs = options.claimLeaseMs ?? DEFAULT_CLAIM_LEASE_MS;
    const claimSettings = configureClaims(collections.claims, { leaseMs, protocol: capabilities.writeProtocol });
    // The repair pass: dead claims, and under cas (no claims) the marks of writes cut short (contract-cas.ts).
    const repairPass = async () => {
      await repairDeadClaims(collections, claimSettings);
      if (capabilities.writeProtocol === 'cas') await repairStaleMarks(collections, !capabilities.idConditions);
    };
    await repairPass();
    const contracts = new MongoContractRepository(collections, keys, capabilities, options.policy, odcsIds, options.faults);
    const schemaCatalog = new MongoCatalogRepository(collections, batchReads, options.catalogReadRepairs ?? DEFAULT_CATALOG_READ_REPAIRS);
    const issues = new MongoIssueRepository(collections, batchReads, !capabilities.idConditions);
    const approvals = new MongoApprovalRepository(collections, batchReads);
    await approvals.reconcile();
    // Run heads left behind by starts cut short: caught up once at start-up (readers and starts do it meanwhile).
    const runs = new MongoRunRepository(collections, keys, capabilities, options.runFaults, { ...DEFAULT_RUN_HEAD_LIMITS, ...options.runHeads });
    await runs.repairHeads();
    const interval = options.repairIntervalMs ?? 3 * leaseMs;
    const repairTimer = interval > 0 ? setInterval(() => void repairPass().catch(() => undefined), interval) : null;
    repairTimer?.unref();
    const idempotency = await createMongoIdempotency(db, collections, options.idempotency, operationTimeoutMs);
    let searchIndex: SearchIndexer | null = null;
    const raw: MongoStorageBackendBase = {
      client,
      db,
      contracts,
      schemaCatalog,
      runs,
      validations: new MongoValidationRepository(collections, issues, keys, capabilities),
      issues,
      comments: new MongoCommentRepository(collections, keys, batchReads),
      approvals,
      events,
      idempotency,
      capabilities,
      health: () => health(db, pingTimeoutMs),
      isUnavailable: (error) => isUnavailableError(error) || error instanceof StorageUnavailableError,
      searchIndex: null,
      async close() {
        if (repairTimer) clearInterval(repairTimer);
        await searchIndex?.close();
        stopRenewals(claimSettings);
        await client.close();
      },
      async dropDatabase() {
        await db.dropDatabase();
      },
    };
    // Every write appends its events; writes a crash left without them are completed now (and every prune interval).
    if (options.benchOnlyWithoutEventLog) return { ...raw, repairEvents: async () => 0 };
    const storage = withEvents(raw, { log: eventLog, intents, gate: gateWrites, afterWrite: options.eventFaults?.afterWrite });
    await storage.repairEvents();
    // Searches read the word index, which follows the log (so not without it, above). Its reads and writes run
    // outside any request (no request's time limit or abort), on collections without the time limits.
    const rawDb = collectionsOf(db);
    await db.createCollection(SEARCH_INDEX_COLLECTION).catch(() => undefined); // exists already: fine
    searchIndex = new SearchIndexer(indexCollection, rawDb.contracts, events, intents, batchReads, options.searchIndex ?? DEFAULT_SEARCH_INDEX);
    contracts.searchIndexer = searchIndex;
    searchIndex.start();
    return Object.assign(storage, { searchIndex });
  } catch (error) {
    await client.close().catch(() => undefined);
    throw error;
  }
}

/** Creates the indexes (idempotent) and detects what the server can do, on a short-lived client without time limits. */
async function prepare(options: MongoStorageOptions, selectionTimeoutMs: number): Promise<MongoCapabilities> {
  const client = new MongoClient(options.uri, { serverSelectionTimeoutMS: selectionTimeoutMs });
  try {
    await client.connect();
    const db = client.db(options.database);
    await ensureIndexes(db);
    await ensureKeyIndexes(keysOf(db));
    const shared = options.capabilityProbes ? { cache: options.capabilityProbes, server: options.uri } : undefined;
    const capabilities = await detectCapabilities(db, shared);
    // FerretDB on SQLite: whether this database's tables have their companion `_id` indexes (id-reads.ts).
    if (capabilities.idReads === 'unknown') capabilities.idReads = await detectCollectionIdReads(db, COLLECTIONS.contracts);
    const collections = collectionsOf(db);
    const keys = keysOf(db);
    configureBulkCommands([...Object.values(collections), keys], statementsPerCommand(options.bulkStatementsPerCommand, capabilities.ferretdb));
    await backfillKeys(keys, collections);
    await backfillOdcsIds(new OdcsIdKeys(keys, collections.contracts), collections.contracts);
    await migrateSearchFieldsOnce(keys, collections, capabilities.idConditions);
    await migrateNulKeys(keys, collections);
    return capabilities;
  } finally {
    await client.close().catch(() => undefined);
  }
}

async function health(db: Db, timeoutMs: number): Promise<HealthReport> {
  const started = performance.now();
  const latency = () => Math.round((performance.now() - started) * 1000) / 1000;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer to ping within ${timeoutMs} ms`)), timeoutMs);
      timer.unref();
    });
    await Promise.race([db.command({ ping: 1, maxTimeMS: timeoutMs }), timeout]);
    return { ok: true, backend: BACKEND_NAME, latencyMs: latency() };
  } catch (error) {
    return { ok: false, backend: BACKEND_NAME, latencyMs: latency(), error: errorMessage(error) };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
