/**
 * Side-by-side benchmark: the registry through GraphQL over HTTP against a raw-driver floor (bench/floor.ts) on the
 * same collections, for detail, by name, list (with documents), light list, search, create, update and
 * recordValidation (bench/compare-ops.ts), at concurrency 1 and 16. Each round runs a registry batch and a floor
 * batch of the same size back to back (alternating which goes first), so read the ratios, not the absolute times.
 * Then it grows the data to 10×N and runs again, and prints the growth ratio of each registry median.
 *
 *   scripts/test-db.sh run -- npm run bench:compare                 FerretDB/SQLite
 *   scripts/test-db.sh --postgresql run -- npm run bench:compare    FerretDB/PostgreSQL
 *   GRIOT_STORAGE=memory npm run bench:compare                      in memory (no floor)
 *
 * A failed request (a typed error, a driver error such as PoolClearedError, a timeout) is counted in its row's
 * `errors` column and the run goes on; the tables measured so far are printed whatever happens (also on Ctrl-C).
 *
 * Environment: BENCH_N (contracts, default 1000), BENCH_ROUNDS (default 5), BENCH_BATCH (requests per side per
 * round, at least c; default 16), BENCH_CONCURRENCY (default "1,16"), BENCH_GROWTH (0 skips the 10×N run; default
 * 1), BENCH_OPS (operation ids to run, comma-separated, in that order: detail, byName, list, listLight, search,
 * create, update, recordValidation; default all), BENCH_GROWTH_OPS and BENCH_GROWTH_CONCURRENCY (the same for the
 * 10×N run; default: as at N), BENCH_OP_SECONDS (after this many seconds an operation stops after its current
 * round; default 0: no limit), BENCH_DEADLINE_S (no measurement starts after this many seconds from the start, and
 * a running one stops after its round; the tables list what was not measured; "a,b": a for the run at N, b for the
 * whole run, so that the 10×N run keeps its time), BENCH_MIN_ROUNDS (rounds kept
 * whatever the time limits; default 2), BENCH_QUICK=1 (a tiny run for the smoke test: N=10, 1 round of 2 requests,
 * c=1,2, unless set otherwise), BENCH_TIMEOUT_MS (the registry's request budget and database operation time limit
 * during the run, default 600000: a FerretDB/SQLite list page at N=10,000 scans the whole collection, slower than
 * the production defaults allow).
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { hashApiKey } from '../src/auth/api-keys.js';
import { planCreate } from '../src/domain/contracts.js';
import { DEFAULT_LIMITS } from '../src/http/limits-options.js';
import { createServer } from '../src/server.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { toStoredContract, toStoredVersion } from '../src/storage/mongodb/documents/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../src/storage/mongodb/index.js';
import type { StorageBackend } from '../src/storage/types.js';
import { type BenchOperation, benchOperations, OPERATION_IDS, type OperationId, type UpdateTarget } from './compare-ops.js';
import { startFloor } from './floor.js';
import { benchDocument, seedContracts } from './seed.js';
import { describeError, fmt, median, printTable } from './table.js';

const QUICK = process.env.BENCH_QUICK === '1';
const env = (name: string, normal: string, quick: string) => process.env[name] ?? (QUICK ? quick : normal);
const N = Number(env('BENCH_N', '1000', '10'));
const ROUNDS = Number(env('BENCH_ROUNDS', '5', '1'));
const BATCH = Number(env('BENCH_BATCH', '16', '2'));
const CONCURRENCY = env('BENCH_CONCURRENCY', '1,16', '1,2').split(',').map(Number);
const GROWTH = process.env.BENCH_GROWTH !== '0';
const OP_SECONDS = Number(process.env.BENCH_OP_SECONDS ?? 0);
const MIN_ROUNDS = Math.max(1, Number(process.env.BENCH_MIN_ROUNDS ?? 2));
const GROWTH_CONCURRENCY = process.env.BENCH_GROWTH_CONCURRENCY ? process.env.BENCH_GROWTH_CONCURRENCY.split(',').map(Number) : CONCURRENCY;
/** No new measurement starts after this many seconds from the start (0: no deadline); what is missing is listed. */
/** One value, or two: the first for the run at N (so that the 10×N run keeps its time), the second for the whole run. */
const DEADLINES_S = (process.env.BENCH_DEADLINE_S ?? '0').split(',').map(Number);
const DEADLINE_S = Math.max(...DEADLINES_S);
/** The phase now measuring: 0 at N, 1 at 10×N. */
let phase = 0;
const startedAt = performance.now();
const pastDeadline = () => {
  const limit = DEADLINES_S[Math.min(phase, DEADLINES_S.length - 1)]!;
  return limit > 0 && performance.now() - startedAt > limit * 1000;
};
/** Requests per side per round at concurrency c: BATCH, and never fewer than c (so that c are in flight). */
const batchOf = (c: number) => Math.max(BATCH, c);
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);
const OPS = selectedOperations(process.env.BENCH_OPS);
const GROWTH_OPS = selectedOperations(process.env.BENCH_GROWTH_OPS) ?? OPS;

/** The selected ids in the order given (the run follows it), or null for all. */
function selectedOperations(value: string | undefined): OperationId[] | null {
  if (!value) return null;
  const ids = value.split(',').map((o) => o.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !(OPERATION_IDS as readonly string[]).includes(id));
  if (unknown.length) {
    console.error(`BENCH_OPS: unknown operation ${unknown.join(', ')}; the ids are ${OPERATION_IDS.join(', ')}`);
    process.exit(2);
  }
  return ids as OperationId[];
}

interface Row {
  id: OperationId;
  label: string;
  write: boolean;
  c: number;
  rounds: number;
  registryMs: number;
  floorMs: number | null;
  ratios: number[];
  registryRate: number;
  floorRate: number | null;
  commands: number | null;
  registryErrors: number;
  floorErrors: number;
  /** The first error of each kind (class and message start), with its count. */
  errorKinds: Map<string, number>;
}

interface Measured {
  label: string;
  rows: Row[];
  complete: boolean;
  /** Measurements not started because the deadline had passed. */
  skipped: string[];
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Every table measured so far, printed once at the end (also after a failure or an interrupt). */
const measured: Measured[] = [];
let printed = false;

async function main(): Promise<void> {
  const uri = process.env.MONGODB_URI;
  const memory = process.env.GRIOT_STORAGE === 'memory' || !uri;
  const database = `griot_bench_${randomBytes(4).toString('hex')}`;
  const storage: StorageBackend = memory ? createMemoryStorage() : await createMongoStorage({ uri: uri!, database, monitorCommands: true, operationTimeoutMs: TIMEOUT_MS });
  const mongo = memory ? null : (storage as MongoStorageBackend);
  const caps = storage.capabilities;
  console.log(`backend: ${caps.backend} ${caps.serverVersion ?? ''}; batch reads: ${mongo?.capabilities.batchReads ?? '-'}; text search: ${caps.textSearch}`);

  // A random admin key for this run only (configured as its sha256, as in production).
  const key = randomBytes(24).toString('base64url');
  const yoga = createServer({ storage, graphiql: false, limits: { ...DEFAULT_LIMITS, requestTimeoutMs: TIMEOUT_MS }, auth: { apiKeys: [{ name: 'bench', roles: ['admin'], sha256: hashApiKey(key) }] } });
  const registryServer = createHttpServer(yoga);
  const registryUrl = await listen(registryServer);
  const floor = mongo ? await startFloor(mongo.db) : null;
  let commands = 0;
  mongo?.client.on('commandStarted', () => commands++);

  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(`${registryUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: JSON.stringify({ query, variables }),
    });
    const json = (await res.json()) as { data?: any; errors?: { message?: string; extensions?: { code?: string } }[] };
    if (json.errors) throw new Error(`${json.errors[0]?.extensions?.code ?? 'ERROR'}: ${json.errors[0]?.message ?? ''}`);
    return json.data;
  };
  const floorCall = async (op: string, args?: Record<string, unknown>) => {
    const res = await fetch(`${floor!.url}/${op}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(args ?? {}) });
    const json = (await res.json()) as { errors?: { message?: string }[] };
    if (json.errors) throw new Error(json.errors[0]?.message ?? 'floor error');
  };

  try {
    let ids: string[] = [];
    const seed = async (to: number) => {
      const t = performance.now();
      ids = [...ids, ...(await seedContracts(storage, mongo, ids.length, to))];
      console.log(`seeded ${to} contracts in bulk (${((performance.now() - t) / 1000).toFixed(1)} s)`);
    };

    // Stored shapes for the floor's direct inserts: the same documents the registry writes.
    const sample = planCreate({ document: benchDocument('bench_floor', 7) }, 'floor', { now: new Date(), actor: 'bench' });
    const { _id: _c, ...floorContract } = toStoredContract(sample.contract);
    const { _id: _v, ...floorVersion } = toStoredVersion(sample.version, 'floor');
    const targets: UpdateTarget[] = [];
    const maxC = Math.max(...CONCURRENCY, ...GROWTH_CONCURRENCY);
    const all = benchOperations({ ids: () => ids, targets, floorContract, floorVersion, gql });
    const pick = (selected: OperationId[] | null) => (selected ? selected.map((id) => all.find((o) => o.id === id)!) : all);

    // Update targets: one per worker, created through the registry, and a floor copy of each.
    // A failure here is reported, and the update rows then count their requests as errors.
    const prepareTargets = async () => {
      let failures = 0;
      while (targets.length < maxC && failures < 3) {
        const name = `bench_upd_${process.pid}_${targets.length}_${failures}`;
        const d = await gql('mutation($input: CreateContractInput!) { createContract(input: $input) { ... on CreateContractSuccess { contract { id revision } } } }', {
          input: { document: benchDocument(name, 3) },
        }).catch((error: unknown) => {
          failures++;
          console.error(`could not create an update target: ${describeError(error)}`);
          return null;
        });
        if (d?.createContract?.contract) targets.push({ gid: d.createContract.contract.id, name, revision: d.createContract.contract.revision, patch: 0, floorId: `floor_${name}` });
      }
      if (mongo) {
        for (const t of targets) await mongo.db.collection('contracts').replaceOne({ _id: t.floorId as never }, { ...floorContract, name: `${t.name}_floor` }, { upsert: true });
      }
    };

    // One batch of batchOf(c) requests at concurrency c: latencies of the requests that succeeded, and the failures.
    const batch = async (c: number, one: (worker: number) => Promise<void>, failed: (error: unknown, worker: number) => Promise<void>) => {
      const times: number[] = [];
      let left = batchOf(c);
      let errors = 0;
      const started = performance.now();
      await Promise.all(
        Array.from({ length: c }, async (_, worker) => {
          while (left-- > 0) {
            const t = performance.now();
            try {
              await one(worker);
              times.push(performance.now() - t);
            } catch (error) {
              errors++;
              await failed(error, worker);
            }
          }
        }),
      );
      return { times, errors, rate: times.length ? (times.length / (performance.now() - started)) * 1000 : NaN };
    };

    const measureOne = async (label: string, op: BenchOperation, c: number): Promise<Row> => {
      const row: Row = { id: op.id, label: op.label, write: op.write, c, rounds: 0, registryMs: NaN, floorMs: null, ratios: [], registryRate: NaN, floorRate: null, commands: null, registryErrors: 0, floorErrors: 0, errorKinds: new Map() };
      const reg: number[] = [];
      const flo: number[] = [];
      const regRates: number[] = [];
      const floRates: number[] = [];
      let cmds = 0;
      let cmdRequests = 0;
      const note = (side: string, error: unknown) => {
        const kind = `${side}: ${describeError(error)}`;
        row.errorKinds.set(kind, (row.errorKinds.get(kind) ?? 0) + 1);
      };
      const registryOne = async (worker: number) => {
        const r = op.registry(worker);
        const data = await gql(r.query, r.variables);
        r.check?.(data);
      };
      const registryFailed = async (error: unknown, worker: number) => {
        row.registryErrors++;
        note('registry', error);
        await op.recover?.(worker).catch(() => undefined);
      };
      const floorOne = async (worker: number) => {
        const f = op.floor(worker);
        await floorCall(f.op, f.args);
      };
      const floorFailed = async (error: unknown) => {
        row.floorErrors++;
        note('floor', error);
      };
      // warm-up (its failures count too)
      await registryOne(0).catch((e) => registryFailed(e, 0));
      if (floor) await floorOne(0).catch(floorFailed);
      const started = performance.now();
      for (let round = 0; round < ROUNDS; round++) {
        const runRegistry = async () => {
          const before = commands;
          const b = await batch(c, registryOne, registryFailed);
          cmds += commands - before;
          cmdRequests += batchOf(c);
          reg.push(...b.times);
          if (b.times.length) regRates.push(b.rate);
          return median(b.times);
        };
        const runFloor = async () => {
          const b = await batch(c, floorOne, floorFailed);
          flo.push(...b.times);
          if (b.times.length) floRates.push(b.rate);
          return median(b.times);
        };
        let ratio = NaN;
        if (!floor) await runRegistry();
        else if (round % 2 === 0) {
          const r = await runRegistry();
          ratio = r / (await runFloor());
        } else {
          const f = await runFloor();
          ratio = (await runRegistry()) / f;
        }
        if (Number.isFinite(ratio)) row.ratios.push(ratio);
        row.rounds = round + 1;
        if ((OP_SECONDS > 0 || DEADLINE_S > 0) && round + 1 >= MIN_ROUNDS && (pastDeadline() || (OP_SECONDS > 0 && performance.now() - started > OP_SECONDS * 1000))) break;
      }
      row.registryMs = median(reg);
      row.floorMs = floor ? median(flo) : null;
      row.registryRate = median(regRates);
      row.floorRate = floor ? median(floRates) : null;
      row.commands = mongo && cmdRequests ? cmds / cmdRequests : null;
      process.stderr.write(`  ${label}: ${op.id} c=${c} done (${row.rounds} rounds, ${row.registryErrors + row.floorErrors} errors)\n`);
      return row;
    };

    const measure = async (label: string, operations: BenchOperation[], concurrency: number[]) => {
      const m: Measured = { label, rows: [], complete: false, skipped: [] };
      measured.push(m);
      await prepareTargets();
      for (const op of operations) {
        for (const c of concurrency) {
          if (pastDeadline()) m.skipped.push(`${op.id} c=${c}`);
          else m.rows.push(await measureOne(label, op, c));
        }
      }
      m.complete = m.skipped.length === 0;
    };

    await seed(N);
    await measure(`N = ${N}`, pick(OPS), CONCURRENCY);
    phase = 1;
    if (GROWTH && !pastDeadline()) {
      await seed(10 * N);
      await measure(`N = ${10 * N}`, pick(GROWTH_OPS), GROWTH_CONCURRENCY);
    }
  } finally {
    printAll();
    registryServer.close();
    floor?.server.close();
    await mongo?.dropDatabase().catch((e) => console.error(`could not drop the scratch database ${database}: ${describeError(e)}`));
    await storage.close();
  }
}

function printAll(): void {
  if (printed) return;
  printed = true;
  for (const m of measured) print(m);
  const [first, grown] = measured;
  if (!first || !grown) return;
  const rows: string[][] = [];
  for (const row of grown.rows) {
    const before = first.rows.find((r) => r.id === row.id && r.c === row.c);
    if (!before) continue;
    // Reads: median latency at 10×N over that at N; writes: rate at N over rate at 10×N (>1: slower at 10×N).
    const growth = row.write ? before.registryRate / row.registryRate : row.registryMs / before.registryMs;
    const floorGrowth = row.floorMs === null || before.floorMs === null ? null : row.write ? before.floorRate! / row.floorRate! : row.floorMs / before.floorMs;
    rows.push([row.id, String(row.c), row.write ? 'rate' : 'p50', `${fmt(growth, 2)}×`, floorGrowth === null ? '-' : `${fmt(floorGrowth, 2)}×`]);
  }
  printTable(
    `growth ${first.label.replace('N = ', '')} → ${grown.label.replace('N = ', '')} (reads: p50 at 10×N / at N; writes: rate at N / rate at 10×N)${grown.complete ? '' : ' — partial'}`,
    ['operation', 'c', 'by', 'registry', 'floor'],
    rows,
  );
}

function print(m: Measured): void {
  const rows = m.rows.map((r) => {
    const spread = r.ratios.length ? `${Math.min(...r.ratios).toFixed(2)}–${Math.max(...r.ratios).toFixed(2)}` : '-';
    const errors = r.floorErrors ? `${r.registryErrors}/${r.floorErrors}` : String(r.registryErrors);
    return [r.id, String(r.c), fmt(r.registryMs), fmt(r.floorMs), r.ratios.length ? `${median(r.ratios).toFixed(2)}×` : '-', spread, fmt(r.registryRate), fmt(r.floorRate), fmt(r.commands, 2), String(r.rounds), errors];
  });
  const header = ['operation', 'c', 'registry p50 ms', 'floor p50 ms', 'ratio (median)', 'ratio spread', 'registry /s', 'floor /s', 'db cmds/op', 'rounds', 'errors (reg/floor)'];
  printTable(`${m.label} (up to ${ROUNDS} rounds × max(${BATCH}, c) requests per side)${m.complete ? '' : ' — partial: the run stopped here'}`, header, rows);
  if (m.skipped.length) console.log(`not measured (BENCH_DEADLINE_S passed): ${m.skipped.join(', ')}`);
  const kinds = m.rows.flatMap((r) => [...r.errorKinds].map(([kind, n]) => `  ${r.id} c=${r.c}: ${n}× ${kind}`));
  if (kinds.length) console.log(`errors:\n${kinds.join('\n')}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    printAll();
    process.exit(130);
  });
}

try {
  await main();
} catch (error) {
  printAll();
  console.error(`\nthe benchmark stopped: ${describeError(error)}`);
  process.exitCode = 1;
}
