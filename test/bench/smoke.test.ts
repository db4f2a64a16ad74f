/**
 * The benchmark scripts still run against the current API (one broke once, silently, when authentication landed):
 * tiny runs must finish and print their tables, a row for every operation: the side-by-side comparison on the test
 * database with its floor (every operation), and in memory; the others in memory. Numbers are never asserted, only the
 * output's shape.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';

const run = promisify(execFile);
const scratch = mkdtempSync(join(tmpdir(), 'griot-bench-smoke-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run bench', () => {
  it('runs every operation on a small in-memory registry', async () => {
    const { stdout } = await run('npx', ['tsx', 'bench/contracts.ts'], {
      env: { ...process.env, GRIOT_STORAGE: 'memory', BENCH_CONTRACTS: '10', BENCH_ROUNDS: '1' },
      timeout: 120_000,
    });
    expect(stdout).toContain('seeded 10 contracts');
    for (const label of ['contracts page (100, by updatedAt)', 'approval requests awaiting one approver', 'contracts in review + pending approval (100)', 'search (one word)']) {
      expect(stdout).toContain(label);
    }
  }, 90_000);

  it('runs the side-by-side comparison on the test database with its floor: every operation once, N and 10×N in the same round, the tables to BENCH_OUT', async () => {
    // The cheapest run that still goes through every part end to end: N=1 (and 10), c=1, one round of one request
    // per side, and a deadline (1 s) that is past before the rounds start, so the scheduler's deadline path runs
    // too: it must still give every measurement its first round (the run took 12 s on FerretDB/SQLite at load 4;
    // the all-operations run at N=2, c=1,2 took 74 s). A hang fails it in 120 s, not at CI's time limit.
    const out = join(scratch, 'mongodb.txt');
    const { stdout } = await run('npx', ['tsx', 'bench/compare.ts'], {
      env: { ...process.env, MONGODB_URI: inject('mongodbUri'), BENCH_QUICK: '1', BENCH_N: '1', BENCH_CONCURRENCY: '1', BENCH_BATCH: '1', BENCH_DEADLINE_S: '1', BENCH_OUT: out },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/^command: .*BENCH_DEADLINE_S=1 .*BENCH_N=1 .*npm run bench:compare/m);
    // on FerretDB the registry's bulk writes are capped (an uncapped search-index update hangs FerretDB/SQLite)
    const ferretdb = /^backend: mongodb .*\(FerretDB /m.test(stdout);
    expect(stdout).toMatch(ferretdb ? /^backend: .*; bulk statements per command: 8 \(FerretDB: /m : /^backend: mongodb .*; bulk statements per command: default /m);
    expect(stdout).toMatch(/^seeded 1 \+ 10 contracts in bulk .* in [\d.]+ s: /m);
    // scripts/test-db.sh run exports FerretDB/SQLite's folder: the companion indexes' line (applied, or why not)
    if (process.env.GRIOT_FERRETDB_SQLITE_DIR) expect(stdout).toMatch(/^companion _id indexes \(GRIOT_FERRETDB_SQLITE_DIR=.+\): (\d+ database files, \d+ tables, \d+ created, in [\d.]+ s|not applied, .+)$/m);
    else expect(stdout).not.toMatch(/^companion _id indexes/m);
    // the word index is built before anything is measured (its build's commands are in no row)
    expect(stdout).toMatch(/^search word index built over the seeded contracts in [\d.]+ s, before the measurements$/m);
    for (const id of ['detail', 'byName', 'list', 'listLight', 'search', 'create', 'update', 'recordValidation']) {
      // a row in the N table and in the 10×N table: registry and floor medians, their ratio, commands of both
      // sides, one round of one request per side, no errors on either side; and one in the growth table
      expect(stdout.match(new RegExp(`^${id} +1 +[\\d.]+ +[\\d.]+ +[\\d.]+× .* [\\d.]+/[\\d.]+ +1×1 +0/0$`, 'gm'))).toHaveLength(2);
      expect(stdout).toMatch(new RegExp(`^${id} +1 +(p50|rate) +[\\d.]+× +[\\d.–]+ +[\\d.]+× `, 'm'));
    }
    expect(stdout).toContain('growth 1 → 10, measured side by side in the same rounds');
    expect(stdout).toMatch(/^cut: nothing/m);
    expect(stdout).toMatch(/^scheduler warnings:\n  the first rounds of the reads .* they all run once/m);
    expect(stdout).toMatch(/^whole run: [\d.]+ s \(seeding [\d.]+ s, rounds [\d.]+ s\), \d+ measured requests; BENCH_DEADLINE_S 1 s, (kept|overrun by \d+ s)$/m);
    expect(stdout).not.toContain('not measured');
    const saved = readFileSync(out, 'utf8');
    expect(saved).toContain('N = 10 (');
    expect(saved).toMatch(/^recordValidation +1 +rate /m);
  }, 150_000);

  it('runs the comparison in memory (no floor) on the operations selected by id, and refuses an unknown one naming the ids', async () => {
    const [{ stdout }, refused] = await Promise.all([
      run('npx', ['tsx', 'bench/compare.ts'], {
        env: { ...process.env, GRIOT_STORAGE: 'memory', BENCH_QUICK: '1', BENCH_OPS: 'listLight,update' },
        timeout: 120_000,
      }),
      run('npx', ['tsx', 'bench/compare.ts'], {
        env: { ...process.env, GRIOT_STORAGE: 'memory', BENCH_QUICK: '1', BENCH_OPS: 'list 100, light' },
        timeout: 120_000,
      }).then(
        () => null,
        (error: { code?: number; stderr?: string }) => error,
      ),
    ]);
    expect(stdout).toMatch(/^seeded 10 \+ 100 contracts in bulk /m);
    expect(stdout).not.toMatch(/^search word index built/m); // in memory search needs no word index
    // no floor in memory: registry median, '-' for the floor's columns, one error count
    expect(stdout).toMatch(/^listLight +1 +[\d.]+ +- +- +- +[\d.]+ +- +[-\d.]+ +1×2 +0$/m);
    expect(stdout).toMatch(/^update +2 /m);
    expect(stdout).not.toMatch(/^detail +1 /m);
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toContain('the ids are detail, byName, list, listLight, search, create, update, recordValidation');
  }, 150_000);

  it('runs the events benchmark (latency, subscribers, log cost) in quick mode on memory and prints its three tables', async () => {
    const { stdout } = await run('npx', ['tsx', 'bench/events.ts'], {
      env: { ...process.env, GRIOT_STORAGE: 'memory', BENCH_QUICK: '1' },
      timeout: 150_000,
    });
    expect(stdout).toContain('(a) event latency to one SSE subscriber');
    expect(stdout).toMatch(/^the mutation’s response +10 /m);
    expect(stdout).toContain('(b) concurrent SSE subscribers on one instance');
    expect(stdout).toMatch(/^10 +10 +0 /m);
    expect(stdout).toContain('(c) what the change log adds to a write');
    for (const write of ['update', 'create', 'recordValidation']) expect(stdout).toMatch(new RegExp(`^${write} +2 `, 'm'));
    expect(stdout).not.toContain('stopped:');
  }, 180_000);
});
