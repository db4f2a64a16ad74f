/**
 * What the request log and metrics cost on the list page.
 *
 * Run directly, `npx tsx bench/observe.ts` starts two real server processes (src/main.ts, NODE_ENV=production)
 * in the same run: one with the request log and metrics on (GRIOT_LOG_LEVEL=info, JSON lines to a file,
 * GRIOT_METRICS=on) and one with both off (GRIOT_LOG_LEVEL=silent, GRIOT_METRICS=off, the documented settings). On
 * MONGODB_URI both serve one scratch database (seeded once, dropped at the end); with GRIOT_STORAGE=memory (or no
 * MONGODB_URI) each gets its own in-memory store, seeded alike. It then sends the list page (100 contracts, newest
 * first) to both, interleaved — OBSERVE_ROUNDS rounds (default 30) of OBSERVE_BATCH requests (default 8) at
 * OBSERVE_CONCURRENCY (default 2) per server, alternating which goes first — and prints the medians of both and their
 * ratio. OBSERVE_CONTRACTS (default 100) contracts are seeded; OBSERVE_TIMEOUT_MS (default 600000) is the servers'
 * request budget and database time limit (a FerretDB/SQLite list page is slow).
 *
 *   GRIOT_STORAGE=memory npx tsx bench/observe.ts
 *   scripts/test-db.sh run -- npx tsx bench/observe.ts
 *
 * Imported by bench/contracts.ts, it is the in-process switch BENCH_OBSERVE: `off` (default) serves without request
 * log or metrics (silent logger, no registry), `on` with both — JSON log lines at info written to /dev/null (pino's
 * own asynchronous destination) and a metrics registry following the MongoDB client — and `compare` runs the list
 * page with and without them interleaved, request by request, and prints the ratio of the medians.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MongoClient } from 'mongodb';
import { pino } from 'pino';
import { hashApiKey } from '../src/auth/api-keys.js';
import { createLogger } from '../src/observability/logger.js';
import { createMetrics } from '../src/observability/metrics.js';
import { mongoClientOf } from '../src/observability/db-monitor.js';
import type { ServerOptions } from '../src/server.js';
import type { StorageBackend } from '../src/storage/types.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const percentile = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export type ObserveMode = 'off' | 'on' | 'compare';

export function observeMode(value = process.env.BENCH_OBSERVE ?? 'off'): ObserveMode {
  if (value === 'off' || value === 'on' || value === 'compare') return value;
  throw new Error(`BENCH_OBSERVE=${value}: expected off, on or compare`);
}

/** Server options with the request log and metrics on. */
export function observedOptions(storage: StorageBackend): Pick<ServerOptions, 'logger' | 'observability'> {
  const metrics = createMetrics();
  const client = mongoClientOf(storage);
  if (client) metrics.watch(client);
  const logger = createLogger({ level: 'info', format: 'json', destination: pino.destination({ dest: '/dev/null', sync: false }) });
  return { logger, observability: { metrics: { metrics, open: true } } };
}

/** Interleaves `rounds` requests of each server on one operation; returns the medians and their ratio. */
export async function compare(plain: () => Promise<unknown>, observed: () => Promise<unknown>, rounds: number) {
  const times: { plain: number[]; observed: number[] } = { plain: [], observed: [] };
  await plain();
  await observed();
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first so that neither always runs on a warmer cache.
    const order = r % 2 === 0 ? (['plain', 'observed'] as const) : (['observed', 'plain'] as const);
    for (const which of order) {
      const t = performance.now();
      await (which === 'plain' ? plain() : observed());
      times[which].push(performance.now() - t);
    }
  }
  const result = { plain: median(times.plain), observed: median(times.observed) };
  return { ...result, ratio: result.observed / result.plain };
}

// ---- the two-process comparison (run directly) -------------------------------------------------------------------

const ROOT = resolve(import.meta.dirname, '..');
const LIST_PAGE = '{ contracts(first: 100, orderBy: { field: UPDATED_AT, direction: DESC }) { totalCount nodes { id name currentVersion } } }';
const CREATE = 'mutation Seed($input: CreateContractInput!) { createContract(input: $input) { __typename } }';

function seedDocument(i: number) {
  const name = `observe_${String(i).padStart(5, '0')}`;
  return {
    apiVersion: 'v3.1.0', kind: 'DataContract', id: `urn:observe:${i}`, name, version: '1.0.0', status: 'draft',
    team: { name: `team-${i % 20}` },
    description: { purpose: `Contract ${i} about ${['orders', 'customers', 'payments', 'shipments'][i % 4]}` },
    schema: ['a', 'b', 'c'].map((s) => ({
      name: `${name}_${s}`, physicalType: 'table',
      properties: Array.from({ length: 10 }, (_, p) => ({ name: p === 0 ? 'id' : `field_${p}`, logicalType: 'string', description: `Field ${p} of ${s}` })),
    })),
  };
}

interface Instance {
  label: string;
  child: ChildProcess;
  url: string;
  logFile: string;
}

async function startInstance(label: string, env: NodeJS.ProcessEnv): Promise<Instance> {
  const dir = mkdtempSync(join(tmpdir(), `griot-observe-${label}-`));
  const logFile = join(dir, 'server.log');
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: ROOT, env: { ...env, GRIOT_DATA_DIR: join(dir, 'data') }, stdio: ['ignore', fd, fd] });
  const deadline = Date.now() + 120_000;
  for (;;) {
    const text = readFileSync(logFile, 'utf8');
    const match = /serving (http:\/\/[^/\s"]+)\/graphql/.exec(text);
    if (match) return { label, child, url: match[1]!, logFile };
    // The quiet instance logs nothing, not even "serving": ask its port instead (it listens on PORT).
    if (env.PORT !== '0' && (await fetch(`http://127.0.0.1:${env.PORT}/health`).then((r) => r.ok, () => false))) {
      return { label, child, url: `http://127.0.0.1:${env.PORT}`, logFile };
    }
    if (child.exitCode !== null) throw new Error(`${label} server exited (${child.exitCode}):\n${text}`);
    if (Date.now() > deadline) throw new Error(`${label} server did not start within 120 s:\n${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function post(instance: Instance, query: string, variables: unknown, key?: string): Promise<void> {
  const response = await fetch(`${instance.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { 'x-api-key': key } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { errors?: unknown; data?: { createContract?: { __typename: string } } };
  if (body.errors || (body.data?.createContract && body.data.createContract.__typename !== 'CreateContractSuccess')) {
    throw new Error(`${instance.label}: ${JSON.stringify(body)}`);
  }
}

/** Runs `count` calls of `task` with `concurrency` in flight; each call's milliseconds. */
async function load(count: number, concurrency: number, task: () => Promise<void>): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        next++;
        const t = performance.now();
        await task();
        times.push(performance.now() - t);
      }
    }),
  );
  return times;
}

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

async function main(): Promise<void> {
  const contracts = Number(process.env.OBSERVE_CONTRACTS ?? 100);
  const rounds = Number(process.env.OBSERVE_ROUNDS ?? 30);
  const batch = Number(process.env.OBSERVE_BATCH ?? 8);
  const concurrency = Number(process.env.OBSERVE_CONCURRENCY ?? 2);
  const timeout = String(process.env.OBSERVE_TIMEOUT_MS ?? 600_000);
  const uri = process.env.GRIOT_STORAGE === 'memory' ? undefined : process.env.MONGODB_URI;
  const database = `griot_observe_${randomBytes(4).toString('hex')}`;
  const key = randomBytes(24).toString('base64url');
  const common: NodeJS.ProcessEnv = {
    // ours without any OTEL_*, GRIOT_* or MONGODB_* setting: tracing off, both servers configured alike
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(OTEL|GRIOT|MONGODB)_/.test(name))),
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    GRIOT_API_KEYS: JSON.stringify([{ name: 'observe', roles: ['admin'], sha256: hashApiKey(key) }]),
    GRIOT_ANONYMOUS_READ: 'true',
    GRIOT_REQUEST_TIMEOUT_MS: timeout,
    GRIOT_DB_OPERATION_TIMEOUT_MS: timeout,
    GRIOT_IDEMPOTENCY_LEASE_MS: timeout,
    GRIOT_LOG_FORMAT: 'json',
    ...(uri ? { MONGODB_URI: uri, MONGODB_DATABASE: database } : { GRIOT_STORAGE: 'memory' }),
  };
  const instances: Instance[] = [];
  try {
    const observed = await startInstance('observed', { ...common, PORT: '0', GRIOT_LOG_LEVEL: 'info', GRIOT_METRICS: 'on' });
    instances.push(observed);
    const plain = await startInstance('plain', { ...common, PORT: String(await freePort()), GRIOT_LOG_LEVEL: 'silent', GRIOT_METRICS: 'off' });
    instances.push(plain);
    console.log(`backend: ${uri ? `MONGODB_URI (database ${database})` : 'memory'}; ${contracts} contracts; ${rounds} rounds of ${batch} list pages at concurrency ${concurrency} per server`);

    const seedStart = performance.now();
    for (const instance of uri ? [observed] : [observed, plain]) {
      let i = 0;
      await load(contracts, 4, () => post(instance, CREATE, { input: { document: seedDocument(i++) } }, key));
    }
    console.log(`seeded in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

    const scrape = async (instance: Instance) => (await fetch(`${instance.url}/metrics`)).status;
    if ((await scrape(observed)) !== 200 || (await scrape(plain)) !== 404) throw new Error('expected /metrics on the observed server only');

    const list = (instance: Instance) => () => post(instance, LIST_PAGE, {});
    await load(3, 1, list(observed));
    await load(3, 1, list(plain));
    const times = { plain: [] as number[], observed: [] as number[] };
    const walls = { plain: 0, observed: 0 };
    for (let r = 0; r < rounds; r++) {
      for (const which of r % 2 === 0 ? (['plain', 'observed'] as const) : (['observed', 'plain'] as const)) {
        const t = performance.now();
        times[which].push(...(await load(batch, concurrency, list(which === 'plain' ? plain : observed))));
        walls[which] += performance.now() - t;
      }
    }
    const requestLines = readFileSync(observed.logFile, 'utf8').split('\n').filter((l) => l.includes('"msg":"request"')).length;
    const quietLines = readFileSync(plain.logFile, 'utf8').trim();
    const row = (label: string, xs: number[], wall: number) =>
      `${label}: p50 ${median(xs).toFixed(2)} ms, p95 ${percentile(xs, 0.95).toFixed(2)} ms, ${((xs.length / wall) * 1000).toFixed(1)} pages/s`;
    console.log(row('without log+metrics (GRIOT_LOG_LEVEL=silent GRIOT_METRICS=off)', times.plain, walls.plain));
    console.log(row('with log+metrics    (GRIOT_LOG_LEVEL=info GRIOT_METRICS=on)    ', times.observed, walls.observed));
    console.log(`ratio with/without: p50 ${(median(times.observed) / median(times.plain)).toFixed(3)}, wall time ${(walls.observed / walls.plain).toFixed(3)}`);
    console.log(`(the observed server wrote ${requestLines} request lines; the quiet one ${quietLines ? 'wrote something' : 'wrote nothing'})`);
  } finally {
    for (const instance of instances) instance.child.kill('SIGTERM');
    await Promise.all(instances.map((i) => (i.child.exitCode !== null ? null : new Promise((r) => i.child.once('exit', r)))));
    if (uri) {
      const client = new MongoClient(uri);
      await client.db(database).dropDatabase().catch(() => undefined);
      await client.close();
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
