import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('config', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      env: 'development',
      port: 4000,
      host: '127.0.0.1',
      storage: 'mongodb',
      mongodb: { uri: null, database: 'griot', dataDir: '.griot', claimLeaseMs: 15000, repairIntervalMs: 15000, catalogReadRepairs: 50, catalogWriteConcurrency: 4, runHeads: { aheadWindow: 8, aheadWindows: 4, slotAttempts: 64, passBatch: 256 }, writeProtocol: 'auto', operationTimeoutMs: 5000, serverSelectionTimeoutMs: 2000, readyTimeoutMs: 1000, searchIndex: { intervalMs: 5000, batch: 500, lag: 32, tailMax: 1000, headEntries: 200 } },
      lifecycle: { cacheDir: null, startDbTimeoutMs: 5_000, shutdownGraceMs: 10_000, shutdownLingerMs: 1_000 },
      idempotency: { ttlMs: 86_400_000, leaseMs: 60_000, waitMs: 2_000 },
      live: { redisUrl: null, maxSubscriptions: 1000, maxPerPrincipal: 20, heartbeatMs: 15_000, pollMs: 10_000, bufferSize: 1000 },
      graphiql: true,
      import: { concurrency: 4, batchSize: 100 },
      policy: { defaultCompatibility: 'BACKWARD', invalidDocuments: 'reject' },
      auth: { apiKeys: [], jwt: null, anonymousRead: false },
      log: { level: 'info', format: 'pretty', requestIdMaxLength: 128 },
      metrics: { enabled: true, token: null, port: null, maxOperationNames: 200 },
      events: { retentionSeconds: 30 * 86_400, pruneIntervalSeconds: 300, repairGraceSeconds: 60 },
      limits: { maxDepth: 12, maxAliases: 30, maxTokens: 5000, maxNesting: 128, maxDirectives: 50, maxCost: 200_000, requestTimeoutMs: 30_000, maxDocumentBytes: 4 * 1024 * 1024, maxDocumentDepth: 64, maxRequestBytes: 25_000_000 },
      exposure: { introspection: 'authenticated', corsOrigins: [], rateLimit: null },
    });
    expect(loadConfig({ NODE_ENV: 'production' }).exposure.introspection).toBe('off');
  });

  it('reads the limits and exposure variables', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      GRIOT_MAX_DEPTH: '20',
      GRIOT_MAX_ALIASES: '5',
      GRIOT_MAX_TOKENS: '800',
      GRIOT_MAX_NESTING: '200',
      GRIOT_MAX_DIRECTIVES: '3',
      GRIOT_MAX_COST: '1000',
      GRIOT_REQUEST_TIMEOUT_MS: '2500',
      GRIOT_MAX_DOCUMENT_BYTES: '65536',
      GRIOT_MAX_DOCUMENT_DEPTH: '20',
      GRIOT_MAX_REQUEST_BYTES: '200000',
      GRIOT_INTROSPECTION: 'authenticated',
      GRIOT_CORS_ORIGINS: 'https://catalog.example.com, http://localhost:5173',
      GRIOT_RATE_LIMIT_MAX: '100',
      GRIOT_RATE_LIMIT_WINDOW: '10s',
    });
    expect(c.limits).toEqual({ maxDepth: 20, maxAliases: 5, maxTokens: 800, maxNesting: 200, maxDirectives: 3, maxCost: 1000, requestTimeoutMs: 2500, maxDocumentBytes: 65536, maxDocumentDepth: 20, maxRequestBytes: 200_000 });
    expect(c.exposure).toEqual({
      introspection: 'authenticated',
      corsOrigins: ['https://catalog.example.com', 'http://localhost:5173'],
      rateLimit: { max: 100, window: '10s' },
    });
  });

  it('sets the nesting limit to what the depth limits need when 128 is not enough', () => {
    expect(loadConfig({}).limits.maxNesting).toBe(128);
    expect(loadConfig({ GRIOT_MAX_DEPTH: '200' }).limits.maxNesting).toBe(204);
    expect(loadConfig({ GRIOT_MAX_DEPTH: '1000', GRIOT_MAX_DOCUMENT_DEPTH: '90' }).limits.maxNesting).toBe(1004);
    expect(loadConfig({ GRIOT_MAX_DEPTH: '1000', GRIOT_MAX_NESTING: '1024' }).limits.maxNesting).toBe(1024);
    expect(loadConfig({ GRIOT_MAX_NESTING: '69' }).limits.maxNesting).toBe(69);
    expect(loadConfig({}).limits.maxRequestBytes).toBe(25_000_000);
    expect(loadConfig({ GRIOT_MAX_REQUEST_BYTES: '2000000', GRIOT_MAX_DOCUMENT_BYTES: '1048576' }).limits.maxRequestBytes).toBe(2_000_000);
  });

  it('reads every variable', () => {
    const c = loadConfig({
      NODE_ENV: 'production',
      PORT: '8080',
      HOST: '0.0.0.0',
      GRIOT_STORAGE: 'memory',
      MONGODB_URI: 'mongodb+srv://cluster.example/',
      MONGODB_DATABASE: 'registry',
      GRIOT_DATA_DIR: '/var/lib/griot',
      GRIOT_GRAPHIQL: 'true',
      GRIOT_COMPATIBILITY: 'FULL_TRANSITIVE',
      GRIOT_INVALID_DOCUMENTS: 'warn',
      GRIOT_API_KEYS: JSON.stringify([{ name: 'ci', roles: ['editor', 'approver'], sha256: 'AB'.repeat(32) }]),
      GRIOT_JWT_SECRET: 's'.repeat(32),
      GRIOT_JWKS_URL: 'https://idp.example/.well-known/jwks.json',
      GRIOT_JWT_ISSUER: 'https://idp.example/',
      GRIOT_JWT_AUDIENCE: 'griot',
      GRIOT_JWT_ROLES_CLAIM: 'griot_roles',
      GRIOT_ANONYMOUS_READ: 'true',
      GRIOT_LOG_LEVEL: 'debug',
      GRIOT_LOG_FORMAT: 'pretty',
      GRIOT_REQUEST_ID_MAX_LENGTH: '64',
      GRIOT_CACHE_DIR: '/var/cache/griot',
      GRIOT_START_DB_TIMEOUT_MS: '2000',
      GRIOT_SHUTDOWN_GRACE_MS: '30000',
      GRIOT_SHUTDOWN_LINGER_MS: '250',
      GRIOT_METRICS_TOKEN: 'scrape-token-0123456789',
      GRIOT_METRICS_PORT: '9464',
      GRIOT_METRICS_MAX_OPERATION_NAMES: '50',
      GRIOT_CLAIM_LEASE_MS: '2000',
      GRIOT_REPAIR_INTERVAL_MS: '0',
      GRIOT_CATALOG_READ_REPAIRS: '200',
      GRIOT_CATALOG_WRITE_CONCURRENCY: '6',
      GRIOT_RUN_HEAD_AHEAD_WINDOW: '16',
      GRIOT_RUN_HEAD_AHEAD_WINDOWS: '2',
      GRIOT_RUN_SLOT_ATTEMPTS: '8',
      GRIOT_RUN_HEAD_PASS_BATCH: '32',
      GRIOT_WRITE_PROTOCOL: 'claims',
      GRIOT_DB_OPERATION_TIMEOUT_MS: '3000',
      GRIOT_DB_SERVER_SELECTION_TIMEOUT_MS: '1500',
      GRIOT_READY_TIMEOUT_MS: '500',
      GRIOT_SEARCH_INDEX_INTERVAL_MS: '0',
      GRIOT_SEARCH_INDEX_BATCH: '50',
      GRIOT_SEARCH_INDEX_LAG: '8',
      GRIOT_SEARCH_TAIL_MAX: '200',
      GRIOT_SEARCH_HEAD_ENTRIES: '3',
      GRIOT_EVENT_RETENTION_SECONDS: '86400',
      GRIOT_EVENT_PRUNE_INTERVAL_SECONDS: '60',
      GRIOT_EVENT_REPAIR_GRACE_SECONDS: '30',
      GRIOT_IMPORT_CONCURRENCY: '8',
      GRIOT_IMPORT_BATCH_SIZE: '50',
      GRIOT_IDEMPOTENCY_TTL_SECONDS: '3600',
      GRIOT_IDEMPOTENCY_LEASE_MS: '45000',
      GRIOT_IDEMPOTENCY_WAIT_MS: '500',
      GRIOT_REDIS_URL: 'redis://127.0.0.1:6380',
      GRIOT_SUBSCRIPTIONS_MAX: '50',
      GRIOT_SUBSCRIPTIONS_PER_PRINCIPAL: '5',
      GRIOT_SUBSCRIPTION_HEARTBEAT_MS: '2000',
      GRIOT_SUBSCRIPTION_POLL_MS: '3000',
      GRIOT_SUBSCRIPTION_BUFFER: '100',
    });
    expect(c).toEqual({
      env: 'production',
      port: 8080,
      host: '0.0.0.0',
      storage: 'memory',
      mongodb: { uri: 'mongodb+srv://cluster.example/', database: 'registry', dataDir: '/var/lib/griot', claimLeaseMs: 2000, repairIntervalMs: 0, catalogReadRepairs: 200, catalogWriteConcurrency: 6, runHeads: { aheadWindow: 16, aheadWindows: 2, slotAttempts: 8, passBatch: 32 }, writeProtocol: 'claims', operationTimeoutMs: 3000, serverSelectionTimeoutMs: 1500, readyTimeoutMs: 500, searchIndex: { intervalMs: 0, batch: 50, lag: 8, tailMax: 200, headEntries: 3 } },
      lifecycle: { cacheDir: '/var/cache/griot', startDbTimeoutMs: 2_000, shutdownGraceMs: 30_000, shutdownLingerMs: 250 },
      idempotency: { ttlMs: 3_600_000, leaseMs: 45_000, waitMs: 500 },
      live: { redisUrl: 'redis://127.0.0.1:6380', maxSubscriptions: 50, maxPerPrincipal: 5, heartbeatMs: 2_000, pollMs: 3_000, bufferSize: 100 },
      graphiql: true,
      import: { concurrency: 8, batchSize: 50 },
      policy: { defaultCompatibility: 'FULL_TRANSITIVE', invalidDocuments: 'warn' },
      auth: {
        apiKeys: [{ name: 'ci', roles: ['editor', 'approver'], sha256: 'ab'.repeat(32) }],
        jwt: {
          secret: 's'.repeat(32),
          jwksUrl: 'https://idp.example/.well-known/jwks.json',
          issuer: 'https://idp.example/',
          audience: 'griot',
          rolesClaim: 'griot_roles',
        },
        anonymousRead: true,
      },
      log: { level: 'debug', format: 'pretty', requestIdMaxLength: 64 },
      metrics: { enabled: true, token: 'scrape-token-0123456789', port: 9464, maxOperationNames: 50 },
      events: { retentionSeconds: 86_400, pruneIntervalSeconds: 60, repairGraceSeconds: 30 },
      limits: { maxDepth: 12, maxAliases: 30, maxTokens: 5000, maxNesting: 128, maxDirectives: 50, maxCost: 200_000, requestTimeoutMs: 30_000, maxDocumentBytes: 4 * 1024 * 1024, maxDocumentDepth: 64, maxRequestBytes: 25_000_000 },
      exposure: { introspection: 'off', corsOrigins: [], rateLimit: null },
    });
    expect(loadConfig({ NODE_ENV: 'production' }).graphiql).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production' }).log).toEqual({ level: 'info', format: 'json', requestIdMaxLength: 128 });
  });

  it.each([
    [{ PORT: 'abc' }, 'Invalid configuration: PORT="abc" — expected a number'],
    [{ PORT: '70000' }, 'PORT="70000" — expected a number <=65535'],
    [{ GRIOT_STORAGE: 'postgres' }, 'GRIOT_STORAGE="postgres" — expected one of mongodb, memory'],
    [{ MONGODB_URI: 'localhost:27017' }, 'MONGODB_URI="localhost:27017" — expected a MongoDB connection string'],
    [{ MONGODB_DATABASE: 'a.b' }, 'MONGODB_DATABASE="a.b" — expected a MongoDB database name'],
    [{ GRIOT_COMPATIBILITY: 'LOOSE' }, 'GRIOT_COMPATIBILITY="LOOSE" — expected one of BACKWARD'],
    [{ GRIOT_INVALID_DOCUMENTS: 'ignore' }, 'GRIOT_INVALID_DOCUMENTS="ignore" — expected one of reject, warn'],
    [{ GRIOT_GRAPHIQL: 'maybe' }, 'GRIOT_GRAPHIQL="maybe" — expected one of'],
    [{ GRIOT_LOG_LEVEL: 'verbose' }, 'GRIOT_LOG_LEVEL="verbose" — expected one of fatal, error, warn, info, debug, trace, silent'],
    [{ GRIOT_LOG_FORMAT: 'xml' }, 'GRIOT_LOG_FORMAT="xml" — expected one of json, pretty'],
    [{ GRIOT_METRICS_TOKEN: 'short' }, 'GRIOT_METRICS_TOKEN=<5 bytes, not shown> — expected a bearer token of at least 16 characters'],
    [{ GRIOT_METRICS_PORT: '0' }, 'GRIOT_METRICS_PORT="0" — expected a number >=1'],
    [{ GRIOT_RUN_HEAD_AHEAD_WINDOW: '0' }, 'GRIOT_RUN_HEAD_AHEAD_WINDOW="0" — expected a number >=1'],
    [{ GRIOT_CATALOG_WRITE_CONCURRENCY: '0' }, 'GRIOT_CATALOG_WRITE_CONCURRENCY="0" — expected a number >=1'],
    [{ GRIOT_RUN_SLOT_ATTEMPTS: '100000' }, 'GRIOT_RUN_SLOT_ATTEMPTS="100000" — expected a number <=10000'],
    [{ GRIOT_API_KEYS: 'not json' }, 'GRIOT_API_KEYS="not json" — expected a JSON array of {"name"'],
    [{ GRIOT_API_KEYS: '[{"name":"ci","roles":["root"],"sha256":"' + 'a'.repeat(64) + '"}]' }, 'at 0.roles.0'],
    [{ GRIOT_API_KEYS: '[{"name":"ci","roles":["admin"],"sha256":"plain-key"}]' }, 'GRIOT_API_KEYS='],
    [{ GRIOT_API_KEYS: '[{"name":"ci","roles":["admin"],"key":"plain-key"}]' }, 'GRIOT_API_KEYS='],
    [{ GRIOT_API_KEYS: JSON.stringify([1, 2].map(() => ({ name: 'ci', roles: ['admin'], sha256: 'a'.repeat(64) }))) }, 'is used twice'],
    [{ GRIOT_JWT_SECRET: 'short-secret' }, 'GRIOT_JWT_SECRET=<12 bytes, not shown> — expected an HS256 secret of at least 32 bytes'],
    [{ GRIOT_JWKS_URL: 'idp.example/jwks' }, 'GRIOT_JWKS_URL="idp.example/jwks" — expected an http(s) URL of a JWKS document'],
    [{ GRIOT_ANONYMOUS_READ: 'sometimes' }, 'GRIOT_ANONYMOUS_READ="sometimes" — expected one of'],
    [{ GRIOT_MAX_DEPTH: '0' }, 'GRIOT_MAX_DEPTH="0" — expected a number >=1'],
    [{ GRIOT_MAX_NESTING: 'deep' }, 'GRIOT_MAX_NESTING="deep" — expected a number'],
    [{ GRIOT_MAX_NESTING: '8' }, 'GRIOT_MAX_NESTING="8" — expected a number >=16'],
    [{ GRIOT_MAX_NESTING: '5000' }, 'GRIOT_MAX_NESTING="5000" — expected a number <=1024'],
    [{ GRIOT_MAX_NESTING: '68' }, 'GRIOT_MAX_NESTING="68" — expected a number at least 69 (what GRIOT_MAX_DEPTH=12 and GRIOT_MAX_DOCUMENT_DEPTH=64 need)'],
    [{ GRIOT_MAX_NESTING: '128', GRIOT_MAX_DEPTH: '200' }, 'GRIOT_MAX_NESTING="128" — expected a number at least 204'],
    [{ GRIOT_MAX_REQUEST_BYTES: 'big' }, 'GRIOT_MAX_REQUEST_BYTES="big" — expected a number'],
    [{ GRIOT_MAX_REQUEST_BYTES: '100' }, 'GRIOT_MAX_REQUEST_BYTES="100" — expected a number >=1024'],
    [{ GRIOT_MAX_REQUEST_BYTES: '2000000' }, 'GRIOT_MAX_REQUEST_BYTES="2000000" — expected a number at least GRIOT_MAX_DOCUMENT_BYTES (4194304): a document within its limit must fit in a request'],
    [{ GRIOT_EVENT_RETENTION_SECONDS: '10' }, 'GRIOT_EVENT_RETENTION_SECONDS="10" — expected a number >=60'],
    [{ GRIOT_EVENT_RETENTION_SECONDS: '600', GRIOT_EVENT_PRUNE_INTERVAL_SECONDS: '400' }, 'GRIOT_EVENT_PRUNE_INTERVAL_SECONDS=400 — expected at most half of GRIOT_EVENT_RETENTION_SECONDS (600)'],
    [{ GRIOT_MAX_COST: 'lots' }, 'GRIOT_MAX_COST="lots" — expected a number'],
    [{ GRIOT_INTROSPECTION: 'yes' }, 'GRIOT_INTROSPECTION="yes" — expected one of off, authenticated, everyone'],
    [{ GRIOT_CORS_ORIGINS: 'https://a.example/path' }, 'GRIOT_CORS_ORIGINS="https://a.example/path" — expected a comma-separated list of origins'],
    [{ GRIOT_RATE_LIMIT_WINDOW: 'soon' }, 'GRIOT_RATE_LIMIT_WINDOW="soon" — expected a window such as'],
    [{ GRIOT_IDEMPOTENCY_TTL_SECONDS: '10' }, 'GRIOT_IDEMPOTENCY_TTL_SECONDS="10" — expected a number >=60'],
    [{ GRIOT_IDEMPOTENCY_LEASE_MS: '5000' }, 'GRIOT_IDEMPOTENCY_LEASE_MS="5000" — expected a number of milliseconds at least GRIOT_REQUEST_TIMEOUT_MS (30000)'],
  ])('refuses %j in one line naming the variable', (env, message) => {
    let error: unknown;
    try {
      loadConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(message);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message).not.toContain('short-secret');
  });
});
