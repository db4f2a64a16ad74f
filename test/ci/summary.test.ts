/**
 * `.ci/summary.mjs`, the CI's last line, from vitest JSON reports as vitest writes them. Stop 21's CI ended in
 * "2865 passed, 0 failed" with exit status 1: a test file's worker died and its two tests had no result, which
 * vitest's own counts leave out. Those must count as failed, and a non-zero exit with no failed test as one.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../.ci/summary.mjs');
const dir = mkdtempSync(join(tmpdir(), 'griot-ci-summary-'));

interface Assertion {
  status: string;
  duration?: number;
}

/** A report in vitest's JSON shape: its counts, and per file the status of each test. */
function report(name: string, files: Record<string, Assertion[]>, counts: Partial<Record<string, number>>): string {
  const all = Object.values(files).flat();
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      numTotalTests: all.length,
      numPassedTests: all.filter((a) => a.status === 'passed').length,
      numFailedTests: all.filter((a) => a.status === 'failed').length,
      numPendingTests: all.filter((a) => a.status === 'skipped').length,
      numTodoTests: 0,
      numFailedTestSuites: 0,
      ...counts,
      testResults: Object.entries(files).map(([path, assertionResults]) => ({ name: path, status: 'passed', message: '', assertionResults })),
    }),
  );
  return file;
}

function summary(files: string[], status = 0): string[] {
  return execFileSync(process.execPath, [SCRIPT, ...files], { env: { ...process.env, CI_STATUS: String(status) }, encoding: 'utf8' }).trim().split('\n');
}

const pass = { status: 'passed', duration: 3 };

describe('.ci/summary.mjs', () => {
  it('sums the reports into one last line, skipped tests included', () => {
    const a = report('green-a', { 'test/a.test.ts': [pass, pass, { status: 'skipped' }] }, {});
    const b = report('green-b', { 'test/b.test.ts': [pass] }, {});
    expect(summary([a, b])).toEqual(['3 passed, 0 failed, 1 skipped']);
  });

  it('counts tests without a result (their worker died) as failed and names their file', () => {
    // vitest reports such a test as "pending" with no duration, and in none of its counts.
    const dead = report('dead-worker', { 'test/api/fuzz.test.ts': [{ status: 'pending' }, { status: 'pending' }], 'test/ok.test.ts': [pass] }, {});
    expect(summary([dead], 1)).toEqual(['2 test(s) without a result (counted as failed): test/api/fuzz.test.ts', '1 passed, 2 failed']);
  });

  it('counts a non-zero exit with no failed test as one failure, and a missing report as one', () => {
    const green = report('unhandled', { 'test/a.test.ts': [pass] }, {});
    const lines = summary([green], 1);
    expect(lines.at(-1)).toBe('1 passed, 1 failed');
    expect(lines[0]).toContain('exited with status 1 although no test failed');
    expect(summary([green, join(dir, 'absent.json')], 1).at(-1)).toBe('1 passed, 1 failed');
  });

  it('counts a test file that failed before its tests ran', () => {
    const broken = report('suite', { 'test/broken.test.ts': [] }, { numFailedTestSuites: 1 });
    expect(summary([broken], 1).at(-1)).toBe('0 passed, 1 failed');
  });
});
