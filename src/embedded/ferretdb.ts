/**
 * FerretDB 1.24.2 (a MongoDB-wire server on SQLite) as an embedded database: built once from the Go module proxy
 * into the cache, started on a free loopback port with its data in a given folder. Used by `npm start` (data in
 * GRIOT_DATA_DIR), the test set-up (a temporary folder) and scripts/test-db.sh (through scripts/ferretdb.ts).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, renameSync, rmSync, cpSync, writeFileSync, chmodSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MongoClient } from 'mongodb';
import { cacheDir } from './cache.js';

const run = promisify(execFile);

export const FERRETDB_VERSION = 'v1.24.2';
const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
/** How long a starting FerretDB may take to answer a ping. */
const START_TIMEOUT_MS = 30_000;

export class FerretDbUnavailable extends Error {
  override name = 'FerretDbUnavailable';
}

/** FERRETDB_BIN, else the cached binary; null when neither exists. */
export function cachedFerretDb(env: NodeJS.ProcessEnv = process.env): string | null {
  const bin = ferretDbPath(env);
  return existsSync(bin) ? bin : null;
}

function ferretDbPath(env: NodeJS.ProcessEnv): string {
  return env.FERRETDB_BIN || join(cacheDir(env), `ferretdb-${FERRETDB_VERSION}`);
}

/** Whether `go` is on PATH (so FerretDB can be built). */
export async function hasGo(): Promise<boolean> {
  try {
    await run('go', ['version'], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * The FerretDB binary, built into the cache when it is not there (a few minutes, once). `log` gets one line
 * before a build starts. Throws FerretDbUnavailable when there is no binary and no Go, or the build fails.
 */
export async function ensureFerretDb(log: (line: string) => void = () => undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const bin = ferretDbPath(env);
  if (existsSync(bin)) return bin;
  if (env.FERRETDB_BIN) throw new FerretDbUnavailable(`FERRETDB_BIN=${env.FERRETDB_BIN} does not exist`);
  if (!(await hasGo())) throw new FerretDbUnavailable(`no FerretDB binary in ${cacheDir(env)} and no Go on PATH to build it`);
  log(`building FerretDB ${FERRETDB_VERSION} from the Go module proxy into ${cacheDir(env)} (first run only, a few minutes)`);
  mkdirSync(cacheDir(env), { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'griot-ferretdb-build-'));
  try {
    const { stdout } = await run('go', ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], { maxBuffer: 1 << 24 });
    const dir = (JSON.parse(stdout) as { Dir?: string }).Dir;
    if (!dir || !existsSync(dir)) throw new FerretDbUnavailable(`could not download ${FERRETDB_MODULE}@${FERRETDB_VERSION}`);
    // The published module ships an empty build/version/version.txt and such a binary panics at start-up: build a
    // copy with the version filled in.
    const src = join(work, 'ferretdb');
    cpSync(dir, src, { recursive: true });
    makeWritable(src);
    writeFileSync(join(src, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    const tmp = `${bin}.tmp-${process.pid}`;
    await run('go', ['build', '-trimpath', '-o', tmp, './cmd/ferretdb'], {
      cwd: src,
      env: { ...env, GOFLAGS: '-buildvcs=false' },
      maxBuffer: 1 << 24,
    });
    renameSync(tmp, bin);
    return bin;
  } catch (error) {
    if (error instanceof FerretDbUnavailable) throw error;
    const detail = String((error as { stderr?: string }).stderr || (error as Error).message).trim().split('\n').slice(-1)[0];
    throw new FerretDbUnavailable(`building FerretDB failed: ${detail}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function makeWritable(path: string): void {
  chmodSync(path, statSync(path).isDirectory() ? 0o755 : 0o644);
  if (statSync(path).isDirectory()) for (const entry of readdirSync(path)) makeWritable(join(path, entry));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface RunningFerretDb {
  uri: string;
  pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s). */
  stop(): Promise<void>;
}

/**
 * Starts `bin` on a free loopback port with its SQLite files and state in `dataDir` (created), telemetry off, its
 * log in `dataDir/ferretdb.log`, and waits until it answers a ping.
 */
export async function startFerretDb(bin: string, dataDir: string): Promise<RunningFerretDb> {
  mkdirSync(join(dataDir, 'sqlite'), { recursive: true });
  mkdirSync(join(dataDir, 'state'), { recursive: true });
  const port = await freePort();
  const log = openSync(join(dataDir, 'ferretdb.log'), 'a');
  const child = spawn(
    bin,
    [
      `--listen-addr=127.0.0.1:${port}`,
      '--handler=sqlite',
      `--sqlite-url=file:${join(dataDir, 'sqlite')}/`,
      `--state-dir=${join(dataDir, 'state')}`,
      '--telemetry=disable',
      '--debug-addr=-',
      '--log-level=warn',
    ],
    { stdio: ['ignore', log, log] },
  );
  closeSync(log);
  let exited: string | null = null;
  const gone = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = signal ? `signal ${signal}` : `code ${code}`;
      resolve();
    });
    child.once('error', (error) => {
      exited = error.message;
      resolve();
    });
  });
  const stop = async () => {
    if (exited !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await gone;
    clearTimeout(timer);
  };
  const uri = `mongodb://127.0.0.1:${port}/`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited !== null) throw new FerretDbUnavailable(`FerretDB exited during start-up (${exited}); see ${join(dataDir, 'ferretdb.log')}`);
    if (await answers(uri)) return { uri, pid: child.pid!, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new FerretDbUnavailable(`FerretDB did not answer within ${START_TIMEOUT_MS / 1000} s; see ${join(dataDir, 'ferretdb.log')}`);
}

async function answers(uri: string): Promise<boolean> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 300, connectTimeoutMS: 300 });
  try {
    await client.db('admin').command({ ping: 1 });
    return true;
  } catch {
    return false;
  } finally {
    await client.close().catch(() => undefined);
  }
}
