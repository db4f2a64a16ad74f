/**
 * Entry point of the `griot-registry` command (bin/griot-registry.mjs). Storage: MONGODB_URI when set; else the
 * database a running `npm start` recorded in GRIOT_DATA_DIR (its embedded MongoDB or FerretDB). It refuses, in one
 * line, to work on a store nothing would persist in (GRIOT_STORAGE=memory, or a server on the in-memory fallback).
 *
 * What the command is for — its summary, the failed files, help, usage, the progress bar — is written by runCli as
 * plain text (stdout, progress and usage on stderr). Diagnostics — a set-up problem, an unexpected error — are
 * lines of the same pino logger as the server (JSON in production, readable in development, GRIOT_LOG_LEVEL),
 * written to standard error so that standard output stays the result.
 */
import { type Config, ConfigError, loadConfig, loadDotEnv } from './config.js';
import { runCli } from './cli.js';
import { unreachable } from './embedded/reachable.js';
import { liveRecord } from './embedded/record.js';
import { createLogger, type Logger, startupLoggerOptions } from './observability/logger.js';
import { createStorage } from './storage/index.js';
import type { StorageBackend } from './storage/types.js';

class CliError extends Error {}

async function openStorage(config: Config): Promise<StorageBackend> {
  if (config.storage === 'memory') {
    throw new CliError('GRIOT_STORAGE=memory: the command line would work on a throwaway store that nothing reads; set MONGODB_URI, or run it beside `npm start`');
  }
  let uri = config.mongodb.uri;
  let database = config.mongodb.database;
  if (!uri) {
    const server = liveRecord(config.mongodb.dataDir);
    if (!server) {
      throw new CliError(`no MONGODB_URI, and no \`npm start\` is running on the data folder ${config.mongodb.dataDir} (GRIOT_DATA_DIR); start it, or set MONGODB_URI`);
    }
    if (server.backend === 'memory' || !server.uri) {
      throw new CliError(`the \`npm start\` running on ${config.mongodb.dataDir} (pid ${server.pid}) uses the in-memory backend; nothing the command line writes would reach it. Set MONGODB_URI for both`);
    }
    uri = server.uri;
    database = server.database;
  }
  const problem = await unreachable(uri, config.lifecycle.startDbTimeoutMs);
  if (problem) throw new CliError(`${problem}; check MONGODB_URI, or raise GRIOT_START_DB_TIMEOUT_MS`);
  return createStorage({ ...config, mongodb: { ...config.mongodb, uri, database } });
}

let code: number;
let logger: Logger | null = null;
try {
  loadDotEnv();
  const config = loadConfig();
  logger = createLogger({ ...config.log, stderr: true });
  code = await runCli(process.argv.slice(2), () => openStorage(config), {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (text) => process.stderr.write(text),
    interactive: Boolean(process.stderr.isTTY),
  }, { importConcurrency: config.import.concurrency, importBatchSize: config.import.batchSize });
} catch (error) {
  logger ??= createLogger({ ...startupLoggerOptions(), stderr: true });
  const message = String((error as Error)?.message ?? error).replace(/\s+/g, ' ').trim();
  // A set-up problem is its message; anything else keeps its stack in `err`.
  if (error instanceof CliError || error instanceof ConfigError) logger.error(message);
  else logger.error({ err: error }, message);
  code = 2;
}
process.exit(code);
