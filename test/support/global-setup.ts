/**
 * Gives every test file a MongoDB-wire server, found in this order:
 *  1. MONGODB_URI when it is set;
 *  2. mongodb-memory-server, when a mongod binary is cached or its download host answers (decided in ~1 s and
 *     remembered, see src/embedded/mongo-memory.ts);
 *  3. FerretDB 1.24.2 from the cache, built there first when Go is present (src/embedded/ferretdb.ts), started
 *     here on a temporary folder and stopped afterwards;
 *  4. else the run stops with one paragraph saying what is missing. Database tests are never skipped.
 * It also provisions Chromium for the browser test where it can (./chromium.ts), and Redis for the fan-out tests
 * (./redis.ts): `redisUrl` is the URL, or `redisProblem` says why there is none (those tests then fail with it).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureFerretDb, FerretDbUnavailable, startFerretDb } from '../../src/embedded/ferretdb.js';
import { mongoMemoryAvailability, startMongoMemory } from '../../src/embedded/mongo-memory.js';
import { ensureChromium } from './chromium.js';
import { ensureRedisServer, startRedis } from './redis.js';

let stop: (() => Promise<unknown>) | undefined;
let stopRedis: (() => Promise<unknown>) | undefined;

const say = (line: string) => process.stderr.write(`test database: ${line}\n`);

export async function setup(project: TestProject): Promise<void> {
  project.provide('mongodbUri', await findDatabase());
  ensureChromium((line) => process.stderr.write(`browser: ${line}\n`));
  const redis = await findRedis();
  project.provide('redisUrl', redis.url);
  project.provide('redisProblem', redis.problem);
}

async function findRedis(): Promise<{ url: string; problem: string }> {
  if (process.env.GRIOT_TEST_REDIS_URL) return { url: process.env.GRIOT_TEST_REDIS_URL, problem: '' };
  const missing = ensureRedisServer((line) => process.stderr.write(`redis: ${line}\n`));
  if (missing) return { url: '', problem: missing };
  try {
    const redis = await startRedis();
    stopRedis = redis.stop;
    return { url: redis.url, problem: '' };
  } catch (error) {
    return { url: '', problem: (error as Error).message };
  }
}

async function findDatabase(): Promise<string> {
  if (process.env.MONGODB_URI) return process.env.MONGODB_URI;
  let mongoProblem: string;
  const mongo = await mongoMemoryAvailability();
  if (mongo.ok) {
    try {
      const server = await startMongoMemory(mongo.module, null);
      stop = server.stop;
      say(`mongodb-memory-server at ${server.uri}`);
      return server.uri;
    } catch (error) {
      mongoProblem = (error as Error).message;
    }
  } else {
    mongoProblem = mongo.reason;
  }
  let ferretProblem: string;
  try {
    const bin = await ensureFerretDb(say);
    const dir = mkdtempSync(join(tmpdir(), 'griot-test-ferretdb-'));
    const server = await startFerretDb(bin, dir);
    // As for Redis (redis.ts): a run that ends without its teardown does not leave its FerretDB running.
    const killOnExit = () => {
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', killOnExit);
    stop = async () => {
      process.off('exit', killOnExit);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
    say(`FerretDB at ${server.uri} (mongodb-memory-server: ${mongoProblem})`);
    return server.uri;
  } catch (error) {
    if (!(error instanceof FerretDbUnavailable)) throw error;
    ferretProblem = error.message;
  }
  process.stderr.write(
    `\nNo database for the tests. They need a MongoDB-wire server, and none could be found:\n` +
      `  - MONGODB_URI is not set;\n` +
      `  - mongodb-memory-server: ${mongoProblem};\n` +
      `  - FerretDB: ${ferretProblem}.\n` +
      `Provide one of them: set MONGODB_URI to a MongoDB (or FerretDB) you run, let mongodb-memory-server download ` +
      `MongoDB (network access to fastdl.mongodb.org), or install Go (https://go.dev/dl/) so FerretDB can be built ` +
      `once into the cache.\n\n`,
  );
  // Exiting here keeps vitest from adding a misleading "No test files found".
  process.exit(1);
}

export async function teardown(): Promise<void> {
  await stopRedis?.();
  await stop?.();
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongodbUri: string;
    /** Empty when there is no Redis: `redisProblem` then says why. */
    redisUrl: string;
    redisProblem: string;
  }
}
