/**
 * Configuration, read once from the environment (and an optional `.env` file in the working directory) and
 * validated. A bad value stops start-up with one line naming the variable and what it expects.
 */
import { existsSync } from 'node:fs';
import { z } from 'zod';
import { COMPATIBILITY_MODES } from './domain/compatibility.js';
import type { RegistryPolicy } from './domain/evolution.js';
import type { ApiKeyEntry } from './auth/api-keys.js';
import type { JwtOptions } from './auth/jwt.js';
import { ROLES } from './auth/principal.js';
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './observability/logger.js';
import { DEFAULT_LIMITS, type LimitsOptions, nestingNeeded } from './http/limits-options.js';
import { type ExposureOptions, INTROSPECTION_MODES } from './http/exposure.js';
import { DEFAULT_IDEMPOTENCY_OPTIONS, type IdempotencyOptions } from './domain/idempotency.js';
import { DEFAULT_LIVE, type LiveOptions } from './live/options.js';
import { WRITE_PROTOCOLS, type WriteProtocolSetting } from './storage/mongodb/write-protocol.js';

const apiKeyEntry = z.object({
  name: z.string().min(1),
  roles: z.array(z.enum(ROLES)).min(1),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/).transform((h) => h.toLowerCase()),
}).strict();

const API_KEYS_EXPECTED = `a JSON array of {"name": "…", "roles": [${ROLES.join('|')}…], "sha256": "<64 hex digits>"} (make the hash with npm run hash-key)`;

const apiKeys = z.string().transform((text, ctx) => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    ctx.addIssue({ code: 'custom', message: API_KEYS_EXPECTED });
    return z.NEVER;
  }
  const parsed = z.array(apiKeyEntry).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    ctx.addIssue({ code: 'custom', message: `${API_KEYS_EXPECTED}; at ${issue.path.join('.') || '(root)'}: ${issue.message}` });
    return z.NEVER;
  }
  const names = new Set<string>();
  for (const entry of parsed.data) {
    if (names.has(entry.name)) {
      ctx.addIssue({ code: 'custom', message: `${API_KEYS_EXPECTED}; the name ${JSON.stringify(entry.name)} is used twice` });
      return z.NEVER;
    }
    names.add(entry.name);
  }
  return parsed.data as ApiKeyEntry[];
});

/** Variables whose values are never echoed in an error. */
const SECRET_VARIABLES = new Set(['GRIOT_JWT_SECRET', 'GRIOT_METRICS_TOKEN', 'GRIOT_REDIS_URL']);

/**
 * The most GRIOT_MAX_NESTING may be: what GRIOT_MAX_DEPTH's maximum (1000) needs. graphql-js's parser recurses a few
 * calls per level; on Node's default stack it runs out at about 1,500 levels of nested object literals (the
 * deepest-recursing kind), about 2,000 of selections or lists (test/api/limits.test.ts parses 1,024 of each).
 */
const MAX_NESTING = 1024;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('127.0.0.1'),
  GRIOT_STORAGE: z.enum(['mongodb', 'memory']).default('mongodb'),
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'a MongoDB connection string (mongodb://… or mongodb+srv://…)')
    .optional(),
  MONGODB_DATABASE: z
    .string()
    .regex(/^[^/\\. "$*<>:|?]{1,63}$/, 'a MongoDB database name (1-63 characters, none of / \\ . " $ * < > : | ?)')
    .default('griot'),
  GRIOT_DATA_DIR: z.string().min(1).default('.griot'),
  GRIOT_GRAPHIQL: bool.optional(),
  GRIOT_COMPATIBILITY: z.enum(COMPATIBILITY_MODES).default('BACKWARD'),
  GRIOT_INVALID_DOCUMENTS: z.enum(['reject', 'warn']).default('reject'),
  GRIOT_API_KEYS: apiKeys.optional(),
  GRIOT_JWT_SECRET: z
    .string()
    .refine((s) => Buffer.byteLength(s, 'utf8') >= 32, 'an HS256 secret of at least 32 bytes')
    .optional(),
  GRIOT_JWKS_URL: z
    .string()
    .regex(/^https?:\/\/\S+$/, 'an http(s) URL of a JWKS document')
    .refine((u) => URL.canParse(u), 'an http(s) URL of a JWKS document')
    .optional(),
  GRIOT_JWT_ISSUER: z.string().min(1).optional(),
  GRIOT_JWT_AUDIENCE: z.string().min(1).optional(),
  GRIOT_JWT_ROLES_CLAIM: z.string().regex(/^[A-Za-z0-9_:./-]+$/, 'a claim name').default('roles'),
  GRIOT_ANONYMOUS_READ: bool.default(false),
  // Observability (issue 12): logs, metrics, request ids.
  GRIOT_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  GRIOT_LOG_FORMAT: z.enum(LOG_FORMATS).optional(),
  GRIOT_REQUEST_ID_MAX_LENGTH: z.coerce.number().int().min(8).max(1024).default(128),
  GRIOT_METRICS: z.enum(['on', 'off']).default('on'),
  GRIOT_METRICS_TOKEN: z.string().min(16, 'a bearer token of at least 16 characters').regex(/^\S+$/, 'a bearer token without spaces').optional(),
  GRIOT_METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  GRIOT_METRICS_MAX_OPERATION_NAMES: z.coerce.number().int().min(0).max(100_000).default(200),
  // armor (issue 10): operation limits, request budget, value limits, exposure.
  GRIOT_MAX_DEPTH: z.coerce.number().int().min(1).max(1000).default(DEFAULT_LIMITS.maxDepth),
  GRIOT_MAX_ALIASES: z.coerce.number().int().min(0).max(100_000).default(DEFAULT_LIMITS.maxAliases),
  GRIOT_MAX_TOKENS: z.coerce.number().int().min(100).max(1_000_000).default(DEFAULT_LIMITS.maxTokens),
  // unset: 128, or what GRIOT_MAX_DEPTH and GRIOT_MAX_DOCUMENT_DEPTH need when more (limits-options.ts nestingNeeded)
  GRIOT_MAX_NESTING: z.coerce.number().int().min(16).max(MAX_NESTING).optional(),
  GRIOT_MAX_DIRECTIVES: z.coerce.number().int().min(0).max(10_000).default(DEFAULT_LIMITS.maxDirectives),
  GRIOT_MAX_COST: z.coerce.number().int().min(1).max(1e9).default(DEFAULT_LIMITS.maxCost),
  GRIOT_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_LIMITS.requestTimeoutMs),
  GRIOT_MAX_DOCUMENT_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(DEFAULT_LIMITS.maxDocumentBytes),
  GRIOT_MAX_DOCUMENT_DEPTH: z.coerce.number().int().min(4).max(90).default(DEFAULT_LIMITS.maxDocumentDepth),
  GRIOT_MAX_REQUEST_BYTES: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(DEFAULT_LIMITS.maxRequestBytes),
  GRIOT_INTROSPECTION: z.enum(INTROSPECTION_MODES).optional(),
  GRIOT_CORS_ORIGINS: z
    .string()
    .transform((text) => text.split(',').map((o) => o.trim()).filter(Boolean))
    .refine((list) => list.every((o) => /^https?:\/\/[^/\s]+$/.test(o)), 'a comma-separated list of origins (scheme://host[:port], no path)')
    .optional(),
  GRIOT_RATE_LIMIT_MAX: z.coerce.number().int().min(0).max(1_000_000).default(0),
  GRIOT_RATE_LIMIT_WINDOW: z.string().regex(/^[1-9][0-9]*(ms|s|m|h)$/, 'a window such as 500ms, 10s, 1m or 1h').default('1m'),
  // Start and stop (firstrun): the embedded databases' cache, how long start-up waits for the database, the
  // shutdown grace period.
  GRIOT_CACHE_DIR: z.string().min(1).optional(),
  GRIOT_START_DB_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  GRIOT_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  GRIOT_SHUTDOWN_LINGER_MS: z.coerce.number().int().min(0).max(60_000).default(1_000),
  // resilience: write claims and the repair of cut writes (src/storage/mongodb/claims.ts, repair.ts)
  GRIOT_CLAIM_LEASE_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  GRIOT_REPAIR_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(15_000),
  GRIOT_CATALOG_READ_REPAIRS: z.coerce.number().int().min(1).max(10_000).default(50),
  // run heads (src/storage/mongodb/run-heads.ts): read-ahead when a head is behind, slot attempts, start-up pass batch
  GRIOT_RUN_HEAD_AHEAD_WINDOW: z.coerce.number().int().min(1).max(1_000).default(8),
  GRIOT_RUN_HEAD_AHEAD_WINDOWS: z.coerce.number().int().min(1).max(1_000).default(4),
  GRIOT_RUN_SLOT_ATTEMPTS: z.coerce.number().int().min(1).max(10_000).default(64),
  GRIOT_RUN_HEAD_PASS_BATCH: z.coerce.number().int().min(1).max(100_000).default(256),
  GRIOT_WRITE_PROTOCOL: z.enum(WRITE_PROTOCOLS).default('auto'),
  // unset: 8 on FerretDB on PostgreSQL, no cap elsewhere (src/storage/mongodb/bulk.ts)
  GRIOT_BULK_STATEMENTS_PER_COMMAND: z.coerce.number().int().min(1).max(100_000).optional(),
  // commands one catalog step of a write has in flight at most (src/storage/mongodb/catalog.ts syncByPoints)
  GRIOT_CATALOG_WRITE_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(4),
  // search: the word index's indexer (src/storage/mongodb/search-indexer.ts)
  GRIOT_SEARCH_INDEX_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(5_000),
  GRIOT_SEARCH_INDEX_BATCH: z.coerce.number().int().min(1).max(100_000).default(500),
  GRIOT_SEARCH_INDEX_LAG: z.coerce.number().int().min(0).max(100_000).default(32),
  GRIOT_SEARCH_TAIL_MAX: z.coerce.number().int().min(0).max(100_000).default(1_000),
  // entries in the head of a word's version: what a one-word search reads when its page is all there (search-index.ts)
  GRIOT_SEARCH_HEAD_ENTRIES: z.coerce.number().int().min(1).max(100_000).default(200),
  // resilience: database time limits (src/storage/mongodb/index.ts, time-limits.ts)
  GRIOT_DB_OPERATION_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
  GRIOT_DB_SERVER_SELECTION_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  GRIOT_READY_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  // events (issue 14): the change log's retention, how often expired events are pruned (and half-done writes
  // repaired), and how old a write's intent must be before the repair pass completes it.
  GRIOT_EVENT_RETENTION_SECONDS: z.coerce.number().int().min(60).max(10 * 366 * 86_400).default(30 * 86_400),
  GRIOT_EVENT_PRUNE_INTERVAL_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  GRIOT_EVENT_REPAIR_GRACE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  // Bulk writes (issue 15.2): how many files `griot-registry import` writes at once.
  GRIOT_IMPORT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  GRIOT_IMPORT_BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(100),
  // idempotency (issue 10.8): how long keys are kept, how long a pending key belongs to its request, how long a
  // retry waits for an identical request still running.
  GRIOT_IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().min(60).max(90 * 24 * 3600).default(DEFAULT_IDEMPOTENCY_OPTIONS.ttlMs / 1000),
  GRIOT_IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(100).max(3_600_000).default(DEFAULT_IDEMPOTENCY_OPTIONS.leaseMs),
  GRIOT_IDEMPOTENCY_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(DEFAULT_IDEMPOTENCY_OPTIONS.waitMs),
  // live (issue 14.3-14.5): subscriptions over SSE, their limits, and the fan-out bus across instances.
  GRIOT_REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, 'a Redis URL (redis://host:port or rediss://…)').refine((u) => URL.canParse(u), 'a Redis URL (redis://host:port or rediss://…)').optional(),
  GRIOT_SUBSCRIPTIONS_MAX: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_LIVE.maxSubscriptions),
  GRIOT_SUBSCRIPTIONS_PER_PRINCIPAL: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_LIVE.maxPerPrincipal),
  GRIOT_SUBSCRIPTION_HEARTBEAT_MS: z.coerce.number().int().min(50).max(3_600_000).default(DEFAULT_LIVE.heartbeatMs),
  GRIOT_SUBSCRIPTION_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(DEFAULT_LIVE.pollMs),
  GRIOT_SUBSCRIPTION_BUFFER: z.coerce.number().int().min(1).max(1_000_000).default(DEFAULT_LIVE.bufferSize),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  storage: 'mongodb' | 'memory';
  /** `dataDir`: the data folder of `npm start` (embedded database, development key, server record). */
  mongodb: {
    uri: string | null;
    database: string;
    dataDir: string;
    /** How long a write claim lives unless its writer renews it (a dead writer blocks its revision this long at most). */
    claimLeaseMs: number;
    /** How often the repair pass of cut writes runs after the one at start-up (0: only at start-up). */
    repairIntervalMs: number;
    /** How many contracts with a write in flight or cut short one schema-catalog read brings in step at most. */
    catalogReadRepairs: number;
    runHeads: { aheadWindow: number; aheadWindows: number; slotAttempts: number; passBatch: number };
    /** auto (from the start-up probe), claims or cas (src/storage/mongodb/write-protocol.ts). */
    writeProtocol: WriteProtocolSetting;
    /** Statements one bulk write command carries at most; undefined: 8 on FerretDB on PostgreSQL, else no cap (bulk.ts). */
    bulkStatementsPerCommand?: number;
    /** Commands the point reads and writes of one catalog step have in flight at most (catalog.ts syncByPoints). */
    catalogWriteConcurrency: number;
    /** Server-side limit (maxTimeMS) of each database operation; 0: none. */
    operationTimeoutMs: number;
    /** How long an operation waits for a server (and a connection) before it fails as unavailable. */
    serverSelectionTimeoutMs: number;
    /** How long /ready waits for the database's answer to a ping. */
    readyTimeoutMs: number;
    /** The search word index: indexer interval and batch, the lag that starts it, the most a search merges. */
    searchIndex: { intervalMs: number; batch: number; lag: number; tailMax: number; headEntries: number };
  };
  lifecycle: {
    /** Where the embedded databases' binaries and markers are cached (null: ~/.cache/griot-registry). */
    cacheDir: string | null;
    /** Start-up fails when the database has not answered within this time. */
    startDbTimeoutMs: number;
    /** On SIGTERM/SIGINT, in-flight requests get this long to finish. */
    shutdownGraceMs: number;
    /** After the drain, idle keep-alive connections stay open this long, so a request already sent on one is
     *  answered as not run instead of being reset. */
    shutdownLingerMs: number;
  };
  graphiql: boolean;
  /** `griot-registry import`: files written at once (services/bulk.ts). */
  import: { concurrency: number; batchSize: number };
  policy: RegistryPolicy;
  limits: LimitsOptions;
  exposure: ExposureOptions;
  auth: {
    apiKeys: ApiKeyEntry[];
    /** Null when neither GRIOT_JWT_SECRET nor GRIOT_JWKS_URL is set (bearer tokens are then refused). */
    jwt: JwtOptions | null;
    anonymousRead: boolean;
  };
  log: { level: LogLevel; format: LogFormat; requestIdMaxLength: number };
  /** Idempotency keys: retention, the lease of a pending key, a retry's wait (src/services/idempotency.ts). */
  idempotency: IdempotencyOptions;
  /** Who may read /metrics (src/observability/setup.ts). */
  metrics: { enabled: boolean; token: string | null; port: number | null; maxOperationNames: number };
  /** The change log (src/storage/events). */
  events: EventLogOptions;
  /** Subscriptions: limits, heartbeats and the fan-out bus (src/live/). */
  live: LiveOptions;
}

export interface EventLogOptions {
  /** Events are deleted this long after they were appended (TTL index and prune). */
  retentionSeconds: number;
  /** How often this process prunes expired events and repairs writes whose event is missing. */
  pruneIntervalSeconds: number;
  /** An intent (a write begun, its event not yet appended) older than this is completed by the repair pass. */
  repairGraceSeconds: number;
}

export const DEFAULT_EVENT_LOG: EventLogOptions = { retentionSeconds: 30 * 86_400, pruneIntervalSeconds: 300, repairGraceSeconds: 60 };

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Loads `.env` (when present) into process.env without overriding variables that are already set. */
export function loadDotEnv(path = '.env'): void {
  if (existsSync(path)) process.loadEnvFile(path);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const variable = String(issue.path[0]);
    const got = input[variable];
    const shown = SECRET_VARIABLES.has(variable) ? `<${Buffer.byteLength(got ?? '', 'utf8')} bytes, not shown>` : JSON.stringify(got);
    throw new ConfigError(`Invalid configuration: ${variable}=${shown} — expected ${expectation(issue)}`);
  }
  const c = parsed.data;
  if (c.GRIOT_EVENT_PRUNE_INTERVAL_SECONDS * 2 > c.GRIOT_EVENT_RETENTION_SECONDS) {
    throw new ConfigError(
      `Invalid configuration: GRIOT_EVENT_PRUNE_INTERVAL_SECONDS=${c.GRIOT_EVENT_PRUNE_INTERVAL_SECONDS} — expected at most half of GRIOT_EVENT_RETENTION_SECONDS (${c.GRIOT_EVENT_RETENTION_SECONDS})`,
    );
  }
  // A pending idempotency key must outlive the request holding it (src/services/idempotency.ts).
  if (c.GRIOT_IDEMPOTENCY_LEASE_MS < c.GRIOT_REQUEST_TIMEOUT_MS) {
    throw new ConfigError(
      `Invalid configuration: GRIOT_IDEMPOTENCY_LEASE_MS=${JSON.stringify(String(c.GRIOT_IDEMPOTENCY_LEASE_MS))} — expected a number of milliseconds at least GRIOT_REQUEST_TIMEOUT_MS (${c.GRIOT_REQUEST_TIMEOUT_MS})`,
    );
  }
  // An operation within the depth limits must not be refused for its nesting.
  const nestingFloor = nestingNeeded(c.GRIOT_MAX_DEPTH, c.GRIOT_MAX_DOCUMENT_DEPTH);
  if (c.GRIOT_MAX_NESTING !== undefined && c.GRIOT_MAX_NESTING < nestingFloor) {
    throw new ConfigError(
      `Invalid configuration: GRIOT_MAX_NESTING=${JSON.stringify(String(c.GRIOT_MAX_NESTING))} — expected a number at least ${nestingFloor} (what GRIOT_MAX_DEPTH=${c.GRIOT_MAX_DEPTH} and GRIOT_MAX_DOCUMENT_DEPTH=${c.GRIOT_MAX_DOCUMENT_DEPTH} need)`,
    );
  }
  // A document within its own limit must fit in a request.
  if (c.GRIOT_MAX_REQUEST_BYTES < c.GRIOT_MAX_DOCUMENT_BYTES) {
    throw new ConfigError(
      `Invalid configuration: GRIOT_MAX_REQUEST_BYTES=${JSON.stringify(String(c.GRIOT_MAX_REQUEST_BYTES))} — expected a number at least GRIOT_MAX_DOCUMENT_BYTES (${c.GRIOT_MAX_DOCUMENT_BYTES}): a document within its limit must fit in a request`,
    );
  }
  return {
    env: c.NODE_ENV,
    port: c.PORT,
    host: c.HOST,
    storage: c.GRIOT_STORAGE,
    mongodb: {
      uri: c.MONGODB_URI ?? null,
      database: c.MONGODB_DATABASE,
      dataDir: c.GRIOT_DATA_DIR,
      claimLeaseMs: c.GRIOT_CLAIM_LEASE_MS,
      repairIntervalMs: c.GRIOT_REPAIR_INTERVAL_MS,
      catalogReadRepairs: c.GRIOT_CATALOG_READ_REPAIRS,
      runHeads: { aheadWindow: c.GRIOT_RUN_HEAD_AHEAD_WINDOW, aheadWindows: c.GRIOT_RUN_HEAD_AHEAD_WINDOWS, slotAttempts: c.GRIOT_RUN_SLOT_ATTEMPTS, passBatch: c.GRIOT_RUN_HEAD_PASS_BATCH },
      writeProtocol: c.GRIOT_WRITE_PROTOCOL,
      bulkStatementsPerCommand: c.GRIOT_BULK_STATEMENTS_PER_COMMAND,
      catalogWriteConcurrency: c.GRIOT_CATALOG_WRITE_CONCURRENCY,
      operationTimeoutMs: c.GRIOT_DB_OPERATION_TIMEOUT_MS,
      serverSelectionTimeoutMs: c.GRIOT_DB_SERVER_SELECTION_TIMEOUT_MS,
      readyTimeoutMs: c.GRIOT_READY_TIMEOUT_MS,
      searchIndex: { intervalMs: c.GRIOT_SEARCH_INDEX_INTERVAL_MS, batch: c.GRIOT_SEARCH_INDEX_BATCH, lag: c.GRIOT_SEARCH_INDEX_LAG, tailMax: c.GRIOT_SEARCH_TAIL_MAX, headEntries: c.GRIOT_SEARCH_HEAD_ENTRIES },
    },
    lifecycle: { cacheDir: c.GRIOT_CACHE_DIR ?? null, startDbTimeoutMs: c.GRIOT_START_DB_TIMEOUT_MS, shutdownGraceMs: c.GRIOT_SHUTDOWN_GRACE_MS, shutdownLingerMs: c.GRIOT_SHUTDOWN_LINGER_MS },
    graphiql: c.GRIOT_GRAPHIQL ?? c.NODE_ENV !== 'production',
    import: { concurrency: c.GRIOT_IMPORT_CONCURRENCY, batchSize: c.GRIOT_IMPORT_BATCH_SIZE },
    policy: { defaultCompatibility: c.GRIOT_COMPATIBILITY, invalidDocuments: c.GRIOT_INVALID_DOCUMENTS },
    limits: {
      maxDepth: c.GRIOT_MAX_DEPTH,
      maxAliases: c.GRIOT_MAX_ALIASES,
      maxTokens: c.GRIOT_MAX_TOKENS,
      maxNesting: c.GRIOT_MAX_NESTING ?? Math.max(DEFAULT_LIMITS.maxNesting, nestingFloor),
      maxDirectives: c.GRIOT_MAX_DIRECTIVES,
      maxCost: c.GRIOT_MAX_COST,
      requestTimeoutMs: c.GRIOT_REQUEST_TIMEOUT_MS,
      maxDocumentBytes: c.GRIOT_MAX_DOCUMENT_BYTES,
      maxDocumentDepth: c.GRIOT_MAX_DOCUMENT_DEPTH,
      maxRequestBytes: c.GRIOT_MAX_REQUEST_BYTES,
    },
    exposure: {
      introspection: c.GRIOT_INTROSPECTION ?? (c.NODE_ENV === 'production' ? 'off' : 'authenticated'),
      corsOrigins: c.GRIOT_CORS_ORIGINS ?? [],
      rateLimit: c.GRIOT_RATE_LIMIT_MAX > 0 ? { max: c.GRIOT_RATE_LIMIT_MAX, window: c.GRIOT_RATE_LIMIT_WINDOW } : null,
    },
    auth: {
      apiKeys: c.GRIOT_API_KEYS ?? [],
      jwt:
        c.GRIOT_JWT_SECRET || c.GRIOT_JWKS_URL
          ? {
              secret: c.GRIOT_JWT_SECRET ?? null,
              jwksUrl: c.GRIOT_JWKS_URL ?? null,
              issuer: c.GRIOT_JWT_ISSUER ?? null,
              audience: c.GRIOT_JWT_AUDIENCE ?? null,
              rolesClaim: c.GRIOT_JWT_ROLES_CLAIM,
            }
          : null,
      anonymousRead: c.GRIOT_ANONYMOUS_READ,
    },
    log: {
      level: c.GRIOT_LOG_LEVEL,
      format: c.GRIOT_LOG_FORMAT ?? (c.NODE_ENV === 'development' ? 'pretty' : 'json'),
      requestIdMaxLength: c.GRIOT_REQUEST_ID_MAX_LENGTH,
    },
    idempotency: { ttlMs: c.GRIOT_IDEMPOTENCY_TTL_SECONDS * 1000, leaseMs: c.GRIOT_IDEMPOTENCY_LEASE_MS, waitMs: c.GRIOT_IDEMPOTENCY_WAIT_MS },
    metrics: { enabled: c.GRIOT_METRICS === 'on', token: c.GRIOT_METRICS_TOKEN ?? null, port: c.GRIOT_METRICS_PORT ?? null, maxOperationNames: c.GRIOT_METRICS_MAX_OPERATION_NAMES },
    events: {
      retentionSeconds: c.GRIOT_EVENT_RETENTION_SECONDS,
      pruneIntervalSeconds: c.GRIOT_EVENT_PRUNE_INTERVAL_SECONDS,
      repairGraceSeconds: c.GRIOT_EVENT_REPAIR_GRACE_SECONDS,
    },
    live: {
      redisUrl: c.GRIOT_REDIS_URL ?? null,
      maxSubscriptions: c.GRIOT_SUBSCRIPTIONS_MAX,
      maxPerPrincipal: c.GRIOT_SUBSCRIPTIONS_PER_PRINCIPAL,
      heartbeatMs: c.GRIOT_SUBSCRIPTION_HEARTBEAT_MS,
      pollMs: c.GRIOT_SUBSCRIPTION_POLL_MS,
      bufferSize: c.GRIOT_SUBSCRIPTION_BUFFER,
    },
  };
}

function expectation(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value' && 'values' in issue) return `one of ${issue.values.join(', ')}`;
  if (issue.code === 'invalid_format' || issue.code === 'custom') return issue.message;
  if (issue.code === 'too_small' || issue.code === 'too_big') return issue.message.replace(/^Too (small|big): expected number to be /, 'a number ');
  if (issue.code === 'invalid_type') return `a ${issue.expected}`;
  return issue.message;
}
