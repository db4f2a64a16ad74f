/**
 * Side-by-side benchmark: the registry through GraphQL over HTTP against a raw-driver floor (bench/floor.ts) on the
 * same collections, for detail, by name, list (with documents), light list, search, create, update and
 * recordValidation (bench/compare-ops.ts), at concurrency 1 and 16, on two databases at once: N contracts and 10×N
 * (bench/compare-stand.ts). Every round runs the registry and the floor on both, back to back, alternating the order
 * (bench/compare-measure.ts), so the registry/floor ratio and the growth ratio are each measured side by side under
 * the same load; read the ratios, not the absolute times.
 *
 *   scripts/test-db.sh run -- npm run bench:compare                 FerretDB/SQLite
 *   scripts/test-db.sh --postgresql run -- npm run bench:compare    FerretDB/PostgreSQL
 *   GRIOT_STORAGE=memory npm run bench:compare                      in memory (no floor)
 *
 * A failed request (a typed error, a driver error such as PoolClearedError, a timeout) is counted in its row's
 * `errors` column and the run goes on; the tables measured so far are printed whatever happens (also on Ctrl-C).
 *
 * Environment: BENCH_N (contracts, default 1000; the second database has 10×N, the first N of them the same),
 * BENCH_GROWTH (0: only the N database), BENCH_ROUNDS (most rounds, default 5), BENCH_MIN_ROUNDS (the rounds a
 * measurement picks its batch to fit in its budget, default 2),
 * BENCH_BATCH (most requests per side per round, default 16; never fewer than c), BENCH_CONCURRENCY (default
 * "1,16"), BENCH_OPS (operation ids, comma-separated, run in that order: detail, byName, list, listLight, search,
 * create, update, recordValidation; default all), BENCH_DEADLINE_S (the whole run's time, seeding included: what is
 * left after seeding is shared out over the measurements, each choosing its batch so that its rounds fit, and the
 * rounds run in passes, the first of every measurement first: bench/compare-schedule.ts; default 0: no limit), BENCH_OP_SECONDS (most seconds per measurement; default 0: no limit), BENCH_SEED_LANES (batch creates
 * in flight while seeding, default 2), BENCH_SEED_FAST (0: seed into the registry's own storages with every index in
 * place, instead of bench/compare-seed.ts's deferred index builds), BENCH_OUT (a file to write the tables to), BENCH_TIMEOUT_MS (the registry's
 * request budget and database time limit, default 600000: a FerretDB/SQLite list page at N=10,000 scans the whole
 * collection), BENCH_CONNECT_TIMEOUT_MS (server selection and connect timeout of the clients, default 30000: on a
 * loaded machine the driver's monitor gets its answer late and clears the pool, PoolClearedError), BENCH_QUICK=1 (a
 * tiny run for the smoke test: N=10, 1 round of 2 requests, c=1,2, unless set otherwise).
 * GRIOT_FERRETDB_SQLITE_DIR (FerretDB's SQLite folder, exported by scripts/test-db.sh run: after the seed and the
 * registry's start-up its tables get their companion _id indexes, src/embedded/sqlite-companions.ts, and one line says
 * what that did), GRIOT_BULK_STATEMENTS_PER_COMMAND (the registry's statements per bulk write command; unset: 8 on FerretDB, whose
 * pool hangs on bigger update commands, else the registry's default: compare-stand.ts benchBulkStatements).
 */
import { benchOperations, OPERATION_IDS, type OperationId } from './compare-ops.js';
import { type Measurement, prepare } from './compare-measure.js';
import { runScheduled } from './compare-schedule.js';
import { Report } from './compare-report.js';
import { benchBulkStatements, openStand, prepareTargets, type Stand } from './compare-stand.js';
import { seedDatabases } from './compare-seed.js';
import { seedContracts } from './seed.js';
import { applySqliteCompanions } from '../src/embedded/sqlite-companions.js';
import { describeError } from './table.js';

const QUICK = process.env.BENCH_QUICK === '1';
const env = (name: string, normal: string, quick: string) => process.env[name] ?? (QUICK ? quick : normal);
const N = Number(env('BENCH_N', '1000', '10'));
const GROWTH = process.env.BENCH_GROWTH !== '0';
const ROUNDS = Number(env('BENCH_ROUNDS', '5', '1'));
const MIN_ROUNDS = Math.max(1, Math.min(ROUNDS, Number(env('BENCH_MIN_ROUNDS', '2', '1'))));
const BATCH = Number(env('BENCH_BATCH', '16', '2'));
const CONCURRENCY = env('BENCH_CONCURRENCY', '1,16', '1,2').split(',').map(Number);
const DEADLINE_S = Number(process.env.BENCH_DEADLINE_S ?? 0);
const OP_SECONDS = Number(process.env.BENCH_OP_SECONDS ?? 0);
const SEED_LANES = Number(process.env.BENCH_SEED_LANES ?? 2);
const SEED_FAST = process.env.BENCH_SEED_FAST !== '0';
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 600_000);
const CONNECT_TIMEOUT_MS = Number(process.env.BENCH_CONNECT_TIMEOUT_MS ?? 30_000);
const OUT = process.env.BENCH_OUT;
const OPS = selectedOperations(process.env.BENCH_OPS);
/** FerretDB's SQLite folder: its tables get their companion _id indexes before the measurements. */
const COMPANIONS_DIR = process.env.GRIOT_FERRETDB_SQLITE_DIR;
/** Kept for closing the stands and dropping their databases after the deadline. */
const RESERVE_MS = 15_000;

/** The selected ids in the order given (the run follows it), or all. */
function selectedOperations(value: string | undefined): OperationId[] {
  if (!value) return [...OPERATION_IDS];
  const ids = value.split(',').map((o) => o.trim()).filter(Boolean);
  const unknown = ids.filter((id) => !(OPERATION_IDS as readonly string[]).includes(id));
  if (unknown.length) {
    console.error(`BENCH_OPS: unknown operation ${unknown.join(', ')}; the ids are ${OPERATION_IDS.join(', ')}`);
    process.exit(2);
  }
  return ids as OperationId[];
}

const startedAt = performance.now();
let seedSeconds = 0;
let roundSeconds = 0;

/** The run's command with the settings that shaped it (BENCH_*, GRIOT_STORAGE, GRIOT_BULK_STATEMENTS_PER_COMMAND), for the report's head. */
function commandLine(): string {
  const set = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_') || k === 'GRIOT_STORAGE' || k === 'GRIOT_BULK_STATEMENTS_PER_COMMAND').sort(([a], [b]) => a.localeCompare(b));
  return [...set.map(([k, v]) => `${k}=${v}`), 'npm run bench:compare', `(${process.argv.slice(1).map((a) => a.replace(process.cwd() + '/', '')).join(' ')})`].join(' ');
}
const seconds = (from: number) => ((performance.now() - from) / 1000).toFixed(1);
const report = new Report();
const measured: Measurement[] = [];
let sizes: number[] = [];
let printed = false;
/** What the scheduler cut (fewer rounds or smaller batches than asked for) and its warnings, for the report. */
let cuts: string[] = [];
const warnings: string[] = [];

function printAll(): void {
  if (printed) return;
  printed = true;
  report.tables(measured.filter((m) => m.rounds > 0), sizes, measured.filter((m) => m.rounds === 0).map((m) => `${m.id} c=${m.c}`), { maxRounds: ROUNDS, maxBatch: BATCH });
  report.cuts(cuts, warnings);
  const total = (performance.now() - startedAt) / 1000;
  const requests = measured.reduce((sum, m) => sum + m.stands.reduce((n, s) => n + s.registry.requests + (s.floor?.requests ?? 0), 0), 0);
  const deadline = DEADLINE_S > 0 ? `; BENCH_DEADLINE_S ${DEADLINE_S} s, ${total <= DEADLINE_S ? 'kept' : `overrun by ${(total - DEADLINE_S).toFixed(0)} s`}` : '';
  report.line(`\nwhole run: ${total.toFixed(1)} s (seeding ${seedSeconds.toFixed(1)} s, rounds ${roundSeconds.toFixed(1)} s), ${requests} measured requests${deadline}`);
  if (OUT) report.save(OUT);
}

/** Applies the companion indexes in `dir`; the report's line on what that did (a failure is said, and the run goes on without). */
async function companions(dir: string): Promise<string> {
  const start = performance.now();
  try {
    const applied = await applySqliteCompanions(dir);
    return `companion _id indexes (GRIOT_FERRETDB_SQLITE_DIR=${dir}): ${applied.databases} database files, ${applied.tables} tables, ${applied.created} created, in ${seconds(start)} s`;
  } catch (error) {
    return `companion _id indexes (GRIOT_FERRETDB_SQLITE_DIR=${dir}): not applied, the run goes on without them: ${describeError(error)}`;
  }
}

async function main(): Promise<void> {
  const uri = process.env.GRIOT_STORAGE === 'memory' ? null : (process.env.MONGODB_URI ?? null);
  const stands: Stand[] = [];
  try {
    const bulk = await benchBulkStatements(uri, CONNECT_TIMEOUT_MS);
    const settings = { uri, timeoutMs: TIMEOUT_MS, connectTimeoutMs: CONNECT_TIMEOUT_MS, bulkStatementsPerCommand: bulk.value };
    // The seed: contracts 0..N-1 into both databases, then N..10N-1 into the large one, in batch creates; on a
    // server before the registry under measurement opens the databases (bench/compare-seed.ts).
    const seedStart = performance.now();
    let retries = 0;
    const onRetry = (error: unknown) => {
      retries++;
      console.error(`seed: a batch failed and is tried again: ${describeError(error)}`);
    };
    let how = `the registry's batch create, ${SEED_LANES} lanes`;
    if (uri && SEED_FAST) {
      const seeded = await seedDatabases({ uri, n: N, growth: GROWTH, lanes: SEED_LANES, timeoutMs: TIMEOUT_MS, connectTimeoutMs: CONNECT_TIMEOUT_MS, bulkStatementsPerCommand: bulk.value, onRetry });
      seedSeconds = (performance.now() - seedStart) / 1000;
      const opened = await Promise.allSettled(seeded.sizes.map((size, k) => openStand(size, settings, seeded.databases[k])));
      for (const [k, o] of opened.entries()) if (o.status === 'fulfilled') stands.push(Object.assign(o.value, { ids: seeded.ids[k]! }));
      for (const o of opened) if (o.status === 'rejected') throw o.reason;
      how += `, a claim lease longer than a batch, the secondary indexes of contracts and schema_catalog built after it in ${seeded.indexSeconds.toFixed(1)} s`;
    } else {
      for (const size of GROWTH ? [N, 10 * N] : [N]) stands.push(await openStand(size, settings));
      const first = await seedContracts(stands.map((s) => s.storage), 0, N, { lanes: SEED_LANES, onRetry });
      for (const s of stands) s.ids = [...first];
      if (stands[1]) stands[1].ids.push(...(await seedContracts([stands[1].storage], N, 10 * N, { lanes: SEED_LANES, onRetry })));
      seedSeconds = (performance.now() - seedStart) / 1000;
      if (uri) how += ', every index in place (BENCH_SEED_FAST=0)';
    }
    const caps = stands[0]!.storage.capabilities;
    const mongo = stands[0]!.mongo;
    report.line(`command: ${commandLine()}`);
    report.line(`backend: ${caps.backend} ${caps.serverVersion ?? ''}; batch reads: ${mongo?.capabilities.batchReads ?? '-'}; text search: ${caps.textSearch}; write protocol: ${mongo?.capabilities.writeProtocol ?? '-'}; bulk statements per command: ${bulk.value ?? 'default'} (${bulk.why})`);
    const seeded = stands.reduce((sum, s) => sum + s.ids.length, 0);
    report.line(
      `seeded ${stands.map((s) => s.size).join(' + ')} contracts in bulk (${how}${stands[1] ? `; the first ${N} the same in both` : ''}) in ${seedSeconds.toFixed(1)} s: ${(seeded / seedSeconds).toFixed(1)} contracts/s, ${retries} batches retried; the registry opened them in ${seconds(seedStart + seedSeconds * 1000)} s`,
    );
    sizes = stands.map((s) => s.size);
    // FerretDB/SQLite's companion _id indexes (src/embedded/sqlite-companions.ts), once every collection exists: after
    // the seed and after the registry opened its databases. scripts/test-db.sh run exports the folder.
    if (uri && COMPANIONS_DIR) report.line(await companions(COMPANIONS_DIR));

    const maxC = Math.max(...CONCURRENCY);
    for (const s of stands) await prepareTargets(s, maxC);
    // The registry's word index (src/storage/mongodb/search-indexer.ts) over the seeded contracts and the update
    // targets just created, built before anything is measured, as a running registry has it: built during the
    // measurements it added its own commands and load to the first operations' rows (thousands of commands per
    // request in the first list rows), and a search then merged every position logged after it (the targets').
    const indexStart = performance.now();
    for (const s of stands) await s.mongo?.searchIndex?.catchUp();
    if (stands.some((s) => s.mongo?.searchIndex)) report.line(`search word index built over the seeded contracts in ${seconds(indexStart)} s, before the measurements`);
    const opsOf = stands.map((s) => benchOperations({ ids: () => s.ids, targets: s.targets, floorContract: s.floorContract, floorVersion: s.floorVersion, gql: s.gql }));
    // Every measurement prepared; each operation warmed up once (its time is what the budgets are shared by).
    const plan = OPS.flatMap((id) => CONCURRENCY.map((c) => ({ id, c, prepared: prepare(stands, opsOf.map((all) => all.find((o) => o.id === id)!), c), estimateMs: 0 })));
    const warmStart = performance.now();
    for (const id of OPS) {
      const [first, ...rest] = plan.filter((p) => p.id === id);
      first!.estimateMs = await first!.prepared.warmUp();
      for (const p of rest) p.estimateMs = first!.estimateMs;
    }
    report.line(`warm-up of ${OPS.length} operations (one request per side and size): ${seconds(warmStart)} s`);
    // 0 is "no deadline": a deadline already past (a short BENCH_DEADLINE_S minus the reserve) stays one.
    const deadlineAt = DEADLINE_S > 0 ? Math.max(1, startedAt + DEADLINE_S * 1000 - RESERVE_MS) : 0;
    for (const p of plan) measured.push(p.prepared.m);
    const roundsStart = performance.now();
    cuts = await runScheduled(plan, {
      maxBatch: BATCH,
      maxRounds: ROUNDS,
      minRounds: MIN_ROUNDS,
      deadlineAt,
      opLimitMs: OP_SECONDS * 1000,
      warn: (text) => {
        warnings.push(text);
        console.error(`  ${text}`);
      },
      progress: (m, pass) => {
        const errors = m.stands.reduce((sum, s) => sum + s.registry.errors + (s.floor?.errors ?? 0), 0);
        process.stderr.write(`  pass ${pass}: ${m.id} c=${m.c}: ${m.rounds} rounds × ${m.batch}, ${errors} errors, ${m.seconds.toFixed(1)} s\n`);
        roundSeconds = (performance.now() - roundsStart) / 1000;
      },
    });
  } finally {
    printAll();
    for (const s of stands) await s.close().catch((e) => console.error(`closing the ${s.size} stand: ${describeError(e)}`));
  }
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    printAll();
    process.exit(130);
  });
}
// A driver error that escapes a request (an event without a listener, a rejected background renewal) is reported
// and the run goes on: the requests it affected are counted in their rows.
process.on('unhandledRejection', (error) => console.error(`unhandled rejection (the run goes on): ${describeError(error)}`));

try {
  await main();
} catch (error) {
  printAll();
  console.error(`\nthe benchmark stopped: ${describeError(error)}`);
  process.exitCode = 1;
}
