/**
 * The benchmark scripts still run against the current API (one broke once, silently, when authentication landed):
 * tiny in-memory runs must finish and print their tables, a row for every operation; the side-by-side comparison
 * also runs tiny on the test database, with its floor. Numbers are never asserted.
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
      env: { ...process.env, GRIOT_STORAGE: 'memory', BENCH_CONTRACTS: '30', BENCH_ROUNDS: '1' },
      timeout: 60_000,
    });
    expect(stdout).toContain('seeded 30 contracts');
    for (const label of ['contracts page (100, by updatedAt)', 'approval requests awaiting one approver', 'contracts in review + pending approval (100)', 'search (one word)']) {
      expect(stdout).toContain(label);
    }
  }, 90_000);

  it('runs the side-by-side comparison on a tiny in-memory registry (no floor there), N and 10×N interleaved, and writes its tables to BENCH_OUT', async () => {
    const out = join(scratch, 'memory.txt');
    const { stdout } = await run('npx', ['tsx', 'bench/compare.ts'], {
      env: { ...process.env, GRIOT_STORAGE: 'memory', BENCH_QUICK: '1', BENCH_OUT: out },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/^seeded 10 \+ 100 contracts in bulk .* in [\d.]+ s: /m);
    expect(stdout).toContain('errors (reg/floor)');
    for (const id of ['detail', 'byName', 'list', 'listLight', 'search', 'create', 'update', 'recordValidation']) {
      // a row in the N table, the 10×N table and the growth table, at both concurrencies
      expect(stdout.match(new RegExp(`^${id} +1 `, 'gm'))).toHaveLength(3);
      expect(stdout.match(new RegExp(`^${id} +2 `, 'gm'))).toHaveLength(3);
    }
    expect(stdout).toContain('growth 10 → 100, measured side by side in the same rounds');
    const saved = readFileSync(out, 'utf8');
    expect(saved).toContain('N = 100 (');
    expect(saved).toMatch(/^recordValidation +2 +rate /m);
  }, 150_000);

  it('runs the side-by-side comparison on the test database with its floor: both sizes in the same rounds, no floor errors at c=4 (recordValidation upserts one daily document per contract)', async () => {
    const out = join(scratch, 'mongodb.txt');
    const { stdout } = await run('npx', ['tsx', 'bench/compare.ts'], {
      env: { ...process.env, MONGODB_URI: inject('mongodbUri'), BENCH_QUICK: '1', BENCH_N: '2', BENCH_BATCH: '8', BENCH_CONCURRENCY: '1,4', BENCH_OPS: 'listLight,recordValidation', BENCH_DEADLINE_S: '600', BENCH_OUT: out },
      timeout: 300_000,
    });
    expect(stdout).toMatch(/^seeded 2 \+ 20 contracts in bulk/m);
    // registry and floor medians, commands of both sides, 8 requests per side in a round; errors: 0 registry / 0 floor
    expect(stdout).toMatch(/^listLight +1 +[\d.]+ +[\d.]+ +[\d.]+× .* [\d.]+\/[\d.]+ +1×8 +0\/0$/m);
    expect(stdout).toMatch(/^recordValidation +4 +[\d.]+ +[\d.]+ +[\d.]+× .* [\d.]+\/[\d.]+ +1×8 +0\/0$/m);
    expect(stdout).toMatch(/^recordValidation +4 +rate +[\d.]+× +[\d.–]+ +[\d.]+× /m);
    expect(stdout).not.toContain('not measured');
    expect(readFileSync(out, 'utf8')).toContain('growth 2 → 20');
  }, 330_000);

  it('selects operations by id, and refuses an unknown one naming the ids', async () => {
    const { stdout } = await run('npx', ['tsx', 'bench/compare.ts'], {
      env: { ...process.env, GRIOT_STORAGE: 'memory', BENCH_QUICK: '1', BENCH_GROWTH: '0', BENCH_OPS: 'listLight,update' },
      timeout: 120_000,
    });
    expect(stdout).toMatch(/^listLight +1 /m);
    expect(stdout).toMatch(/^update +2 /m);
    expect(stdout).not.toMatch(/^detail +1 /m);
    const refused = await run('npx', ['tsx', 'bench/compare.ts'], {
      env: { ...process.env, GRIOT_STORAGE: 'memory', BENCH_QUICK: '1', BENCH_OPS: 'list 100, light' },
      timeout: 60_000,
    }).then(
      () => null,
      (error: { code?: number; stderr?: string }) => error,
    );
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
