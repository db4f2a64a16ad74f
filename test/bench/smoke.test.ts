/**
 * The benchmark scripts still run against the current API (one broke once, silently, when authentication landed):
 * tiny in-memory runs must finish and print their tables, a row for every operation. Numbers are never asserted.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

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

  it('runs the side-by-side comparison on a tiny in-memory registry (no floor there), with its growth run', async () => {
    const { stdout } = await run('npx', ['tsx', 'bench/compare.ts'], {
      env: { ...process.env, GRIOT_STORAGE: 'memory', BENCH_QUICK: '1' },
      timeout: 120_000,
    });
    expect(stdout).toContain('seeded 10 contracts in bulk');
    expect(stdout).toContain('seeded 100 contracts in bulk');
    expect(stdout).toContain('errors (reg/floor)');
    for (const id of ['detail', 'byName', 'list', 'listLight', 'search', 'create', 'update', 'recordValidation']) {
      expect(stdout).toMatch(new RegExp(`^${id} +1 `, 'm'));
      expect(stdout).toMatch(new RegExp(`^${id} +2 `, 'm'));
    }
    expect(stdout).toContain('growth 10 → 100');
  }, 150_000);

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
