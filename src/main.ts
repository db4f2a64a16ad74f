/**
 * `npm start` (and `node dist/main.js`): reads config, builds the storage backend once, serves the API, and shuts
 * down gracefully on SIGTERM/SIGINT (src/http/shutdown.ts). Without MONGODB_URI it runs an embedded database whose
 * data survives restarts in GRIOT_DATA_DIR (src/embedded/: MongoDB, else FerretDB); when neither can start it falls
 * back to the in-memory backend with a warning — except in production, where it refuses to start. With no
 * credentials configured, outside production, it serves with a development admin key (src/auth/dev-key.ts).
 * Every line it writes — start-up, warnings, a refusal to start, shutdown — goes through the one pino logger
 * (src/observability/logger.ts: JSON lines in production, readable in development, GRIOT_LOG_LEVEL), like the
 * request log; before config is read (a bad setting is itself logged) it uses what the environment asks for.
 */
import { join } from 'node:path';
import type { ApiKeyEntry } from './auth/api-keys.js';
import { describeDevKey, loadOrCreateDevKey } from './auth/dev-key.js';
import { ConfigError, type Config, loadConfig, loadDotEnv } from './config.js';
import { EmbeddedUnavailable, startEmbeddedDatabase } from './embedded/index.js';
import { unreachable } from './embedded/reachable.js';
import { claimDataDir, removeRecord, type ServerRecord, writeRecord } from './embedded/record.js';
import { applySqliteCompanions } from './embedded/sqlite-companions.js';
import { createGracefulServer } from './http/shutdown.js';
import { createLogger, type Logger, startupLoggerOptions } from './observability/logger.js';
import { setUpObservability } from './observability/setup.js';
import { createLive } from './live/index.js';
import { createServer } from './server.js';
import { createStorage } from './storage/index.js';
import type { StorageBackend } from './storage/types.js';

/** The process logger: the configured one once config is read, else one from the environment (made when needed). */
let configured: Logger | null = null;
const logger = (): Logger => (configured ??= createLogger(startupLoggerOptions()));
const log = (line: string) => logger().info(line);
const warn = (line: string) => logger().warn(line);

/** Ends start-up with one line (and whatever was started stopped). */
class StartError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

const cleanups: (() => Promise<unknown>)[] = [];

async function cleanUp(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}

/** What SIGTERM/SIGINT do: during start-up, stop what was started; once serving, the graceful shutdown. */
let onSignal = async (signal: string): Promise<void> => {
  log(`${signal} during start-up: stopping`);
  await cleanUp();
  process.exit(0);
};
let signalled = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (signalled) return; // npm and a terminal may both deliver the same Ctrl-C
    signalled = true;
    void onSignal(signal);
  });
}

async function main(): Promise<void> {
  let config: Config;
  try {
    loadDotEnv();
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) throw new StartError(error.message, 2);
    throw error;
  }
  const { dataDir } = config.mongodb;
  const logger = (configured = createLogger(config.log));
  const observability = await setUpObservability(config, logger);
  cleanups.push(() => observability.stop());

  // Storage: the configured MongoDB, else an embedded database in the data folder, else (not in production) memory.
  let storageConfig = config;
  let record: Omit<ServerRecord, 'pid' | 'startedAt'> | null = null;
  let embeddedSqlite: string | null = null; // the embedded FerretDB's SQLite folder (its companion indexes, below)
  if (!config.mongodb.uri) {
    const other = claimDataDir(dataDir);
    if (other) throw new StartError(`another griot-registry (pid ${other}) is serving the data folder ${dataDir}; stop it, or set GRIOT_DATA_DIR`);
    cleanups.push(async () => removeRecord(dataDir));
    record = { backend: 'memory', uri: null, database: config.mongodb.database, databasePid: null };
  }
  if (config.storage === 'mongodb' && !config.mongodb.uri) {
    try {
      const embedded = await startEmbeddedDatabase(dataDir, log);
      cleanups.push(embedded.stop);
      storageConfig = { ...config, mongodb: { ...config.mongodb, uri: embedded.uri } };
      record = { backend: embedded.backend, uri: embedded.uri, database: config.mongodb.database, databasePid: embedded.pid };
      if (embedded.backend === 'ferretdb') embeddedSqlite = join(embedded.dataDir, 'sqlite');
      log(`embedded ${embedded.backend === 'mongodb' ? 'MongoDB' : 'FerretDB'} at ${embedded.uri} (data in ${embedded.dataDir})${embedded.skipped.length ? `; ${embedded.skipped.join('; ')}` : ''}`);
    } catch (error) {
      if (!(error instanceof EmbeddedUnavailable)) throw error;
      if (config.env === 'production') {
        throw new StartError(`no MONGODB_URI and no embedded database could start (${error.message}); refusing to start in production.`);
      }
      warn(`no embedded database could start (${error.message}).`);
      warn('WARNING — falling back to the IN-MEMORY backend: NOTHING PERSISTS across restarts. Set MONGODB_URI for real storage.');
      storageConfig = { ...config, storage: 'memory' };
    }
  } else if (config.storage === 'mongodb') {
    const problem = await unreachable(config.mongodb.uri!, config.lifecycle.startDbTimeoutMs);
    if (problem) throw new StartError(`${problem}; check MONGODB_URI, or raise GRIOT_START_DB_TIMEOUT_MS`);
  }

  let storage: StorageBackend;
  try {
    storage = await createStorage(storageConfig, { onMongoClient: observability.onMongoClient });
  } catch (error) {
    throw new StartError(`storage could not start: ${oneLine(error)}`);
  }
  cleanups.push(() => storage.close());
  const caps = storage.capabilities;
  const writeProtocol = (caps as { writeProtocol?: string }).writeProtocol; // MongoDB: write-protocol.ts
  let idReads = (caps as { idReads?: string }).idReads; // MongoDB: id-reads.ts
  const positions = (caps as { eventPositions?: string }).eventPositions; // MongoDB: event-positions.ts
  if (embeddedSqlite) {
    // The registry's collections exist now: give each of the embedded FerretDB's tables its companion `_id` index.
    try {
      const applied = await applySqliteCompanions(embeddedSqlite);
      idReads = `index (companion indexes on ${applied.tables} FerretDB tables, ${applied.created} new)`;
    } catch (error) {
      warn(`the embedded FerretDB's companion _id indexes could not be created: ${oneLine(error)}`);
    }
  }
  log(`storage ${caps.backend}${caps.serverVersion ? ` ${caps.serverVersion}` : ''}; search uses ${caps.textSearch ? 'the text index' : 'the portable word index'}${writeProtocol ? `; writes use the ${writeProtocol} protocol` : ''}${idReads ? `; _id reads: ${idReads}` : ''}${positions ? `; change-log positions: ${positions}` : ''}`);
  if (idReads === 'scan') warn('the database scans its collections for every _id read (FerretDB without its companion indexes): every read and write slows as the data grows; see README "FerretDB on PostgreSQL" and "FerretDB on SQLite"');

  // Who may call.
  let apiKeys: ApiKeyEntry[] = config.auth.apiKeys;
  if (!apiKeys.length && !config.auth.jwt) {
    if (config.env === 'production') {
      warn('no GRIOT_API_KEYS and no GRIOT_JWT_SECRET/GRIOT_JWKS_URL: nobody can write' + (config.auth.anonymousRead ? '' : ' or read'));
    } else {
      const devKey = loadOrCreateDevKey(dataDir);
      apiKeys = [devKey.entry];
      for (const line of describeDevKey(devKey)) log(line);
    }
  }

  // Subscriptions: one hub per process, woken through Redis (GRIOT_REDIS_URL) or in-process; said once here.
  const live = createLive(storage, config.live, { logger, channel: `griot-registry:${config.mongodb.database}:events` });
  cleanups.push(() => live.close());

  const yoga = createServer({
    storage,
    live,
    policy: config.policy,
    graphiql: config.graphiql,
    auth: { ...config.auth, apiKeys },
    logger,
    limits: config.limits,
    exposure: config.exposure,
    observability: { requestIdMaxLength: config.log.requestIdMaxLength, ...observability.server },
  });
  const http = createGracefulServer(yoga, { graceMs: config.lifecycle.shutdownGraceMs, lingerMs: config.lifecycle.shutdownLingerMs });
  await new Promise<void>((resolve, reject) => {
    http.server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new StartError(`cannot listen on HOST=${config.host} PORT=${config.port}: ${error.code ?? ''} ${error.message}`.replace(/\s+/g, ' '))),
    );
    http.server.listen(config.port, config.host, () => resolve());
  });
  const address = http.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  await observability.start();
  if (record) writeRecord(dataDir, { pid: process.pid, ...record, startedAt: new Date().toISOString() });
  log(`serving http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}/graphql`);

  onSignal = async (signal) => {
    log(`${signal}: shutting down (in-flight requests get up to ${config.lifecycle.shutdownGraceMs} ms)`);
    // Stop listening first (shutdown() marks the server draining at once), then end every subscription so that
    // its stream completes and its response finishes within the grace period like any other request.
    const drained = http.shutdown();
    await live.close();
    const { cut } = await drained;
    if (cut) warn(`${cut} request${cut === 1 ? ' was' : 's were'} still running when the grace period ended, and cut off`);
    await cleanUp();
    log('stopped');
    process.exit(0);
  };
}

// A crash once serving is one fatal line with the stack in `err`, like an unexpected error in a request.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    logger().fatal({ err: error }, event === 'uncaughtException' ? 'uncaught exception' : 'unhandled promise rejection');
    process.exit(1);
  });
}

function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error).replace(/\s+/g, ' ').trim().slice(0, 300);
}

try {
  await main();
} catch (error) {
  await cleanUp();
  if (error instanceof StartError) {
    logger().error(error.message);
    process.exit(error.exitCode);
  }
  logger().fatal({ err: error }, 'start-up failed');
  process.exit(1);
}
