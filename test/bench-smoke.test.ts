/**
 * The benchmark script still runs against the current API (it broke once, silently, when authentication landed):
 * a tiny in-memory run must finish and print a row for every operation. It measures nothing here.
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
});
