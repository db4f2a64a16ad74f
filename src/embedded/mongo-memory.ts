/**
 * mongodb-memory-server as an embedded MongoDB, without its slow failure: whether a mongod binary can be had is
 * decided in about a second (a cached binary, or a download host that answers), and a failure is remembered in the
 * cache (a marker file) so later starts skip it at once. The marker is retried after MARKER_TTL_MS, or when deleted.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cacheDir } from './cache.js';

const PROBE_TIMEOUT_MS = 1_000;
/** A remembered download failure is retried after a day. */
const MARKER_TTL_MS = 24 * 60 * 60 * 1000;

type Core = typeof import('mongodb-memory-server-core');
/** The two parts of mongodb-memory-server used here. */
export interface MemoryServerModule {
  MongoMemoryServer: Core['MongoMemoryServer'];
  DryMongoBinary: Core['DryMongoBinary'];
}

export type MongoAvailability = { ok: true; module: MemoryServerModule } | { ok: false; reason: string };

export function unavailableMarker(env: NodeJS.ProcessEnv = process.env): string {
  return join(cacheDir(env), 'mongodb-unavailable.json');
}

/** Whether mongodb-memory-server can start a mongod here, decided without downloading anything. */
export async function mongoMemoryAvailability(env: NodeJS.ProcessEnv = process.env): Promise<MongoAvailability> {
  const remembered = readMarker(env);
  if (remembered) return { ok: false, reason: `${remembered} (remembered; delete ${unavailableMarker(env)} to retry)` };
  // The download host is probed while the module loads (loading it is the slow part on a busy machine); the
  // probe's answer is used only when no binary is found.
  const probe = probeDownload(env);
  let module: MemoryServerModule;
  try {
    const core = await import('mongodb-memory-server-core');
    module = { MongoMemoryServer: core.MongoMemoryServer, DryMongoBinary: core.DryMongoBinary };
  } catch {
    return { ok: false, reason: 'mongodb-memory-server is not installed' };
  }
  try {
    const options = await module.DryMongoBinary.generateOptions();
    if (await module.DryMongoBinary.locateBinary(options)) return { ok: true, module };
  } catch {
    // fall through to the download probe
  }
  const problem = await probe;
  if (problem) {
    rememberFailure(problem, env);
    return { ok: false, reason: problem };
  }
  return { ok: true, module };
}

/** Records that getting MongoDB failed, so the next start does not try again. */
export function rememberFailure(reason: string, env: NodeJS.ProcessEnv = process.env): void {
  try {
    const marker = unavailableMarker(env);
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, `${JSON.stringify({ at: new Date().toISOString(), reason })}\n`);
  } catch {
    // not being able to remember only costs the next start a second
  }
}

function readMarker(env: NodeJS.ProcessEnv): string | null {
  const marker = unavailableMarker(env);
  if (!existsSync(marker)) return null;
  try {
    const { at, reason } = JSON.parse(readFileSync(marker, 'utf8')) as { at: string; reason: string };
    if (Date.now() - Date.parse(at) < MARKER_TTL_MS) return reason;
  } catch {
    // unreadable: try again
  }
  rmSync(marker, { force: true });
  return null;
}

/** Null when the download host answers within PROBE_TIMEOUT_MS, else why not. */
async function probeDownload(env: NodeJS.ProcessEnv): Promise<string | null> {
  // Through a proxy the host cannot be probed directly; let mongodb-memory-server try.
  if (env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy) return null;
  const url = env.MONGOMS_DOWNLOAD_URL || env.MONGOMS_DOWNLOAD_MIRROR || 'https://fastdl.mongodb.org';
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return `the MongoDB download URL ${JSON.stringify(url)} is not a URL`;
  }
  try {
    await fetch(origin, { method: 'HEAD', signal: AbortSignal.timeout(PROBE_TIMEOUT_MS), redirect: 'manual' });
    return null;
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    const why = (error as Error).name === 'TimeoutError' ? `no answer within ${PROBE_TIMEOUT_MS} ms` : (cause ?? (error as Error).message);
    return `no MongoDB binary and ${origin} cannot be reached (${why})`;
  }
}

export interface RunningMongo {
  uri: string;
  stop(): Promise<void>;
}

/**
 * Starts mongod with its data in `dataDir` (kept) when `mongoMemoryAvailability` said it can; a failure is
 * remembered and rethrown as one line. `dataDir` null: a throwaway in-memory-like instance (tests).
 */
export async function startMongoMemory(module: MemoryServerModule, dataDir: string | null, env: NodeJS.ProcessEnv = process.env): Promise<RunningMongo> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // mongodb-memory-server prints its own multi-line report when it fails; the caller reports one line instead.
  const { warn, error } = console;
  console.warn = console.error = () => undefined;
  try {
    const server = await module.MongoMemoryServer.create(dataDir ? { instance: { dbPath: dataDir, storageEngine: 'wiredTiger' } } : {});
    return {
      uri: server.getUri(),
      stop: async () => {
        await server.stop({ doCleanup: !dataDir, force: false });
      },
    };
  } catch (failure) {
    const reason = (failure as Error).message.replace(/\s+/g, ' ').trim().slice(0, 300);
    if (/download/i.test(`${(failure as Error).name} ${reason}`)) rememberFailure(reason, env);
    throw new Error(reason);
  } finally {
    console.warn = warn;
    console.error = error;
  }
}
