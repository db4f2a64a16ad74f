/** Start-up problems end the server in one line, quickly: a bad setting, an invalid HOST, an unreachable MongoDB. */
import { describe, expect, it } from 'vitest';
import { baseEnv, run, tempDir } from './spawn.js';

async function start(extra: Record<string, string>): Promise<{ code: number | string; output: string; ms: number }> {
  const t0 = Date.now();
  const running = run(process.execPath, ['--import', 'tsx', 'src/main.ts'], baseEnv({ GRIOT_DATA_DIR: tempDir('start-errors'), ...extra }));
  const code = await running.exited(60_000);
  return { code, output: running.output(), ms: Date.now() - t0 };
}

function lastLine(output: string): string {
  expect(output, output).not.toMatch(/\n\s+at /); // no stack
  return output.trimEnd().split('\n').at(-1)!;
}

/**
 * The start with a bad setting (it fails at its first step, before any database): run once, asserted by its own case
 * and used as the measure of what loading the code costs by the unreachable-database case, so it is spawned once.
 */
let badSetting: ReturnType<typeof start> | undefined;
const startWithBadSetting = () => (badSetting ??= start({ PORT: 'eighty' }));

describe('start-up problems', () => {
  it('an invalid HOST is one line, not an unhandled error', { timeout: 120_000 }, async () => {
    const result = await start({ HOST: 'no-such-host.invalid', GRIOT_STORAGE: 'memory' });
    expect(result.code).toBe(1);
    expect(lastLine(result.output)).toMatch(/^\[[\d:.]+\] ERROR: cannot listen on HOST=no-such-host\.invalid PORT=0: ENOTFOUND /);
    expect(result.output).not.toContain('serving');
  });

  it('an unreachable MONGODB_URI fails within a few seconds with one line', { timeout: 120_000 }, async () => {
    // A start that fails at its first step measures what loading the code costs on this machine.
    const baseline = await startWithBadSetting();
    const result = await start({ MONGODB_URI: 'mongodb://127.0.0.1:9/', GRIOT_START_DB_TIMEOUT_MS: '2000' });
    expect(result.code).toBe(1);
    expect(result.output.trimEnd().split('\n')).toHaveLength(1);
    expect(lastLine(result.output)).toMatch(/^\[[\d:.]+\] ERROR: the database at MONGODB_URI did not answer within 2000 ms .*GRIOT_START_DB_TIMEOUT_MS$/);
    // The 2 s timeout plus a little: not the driver's 30 s default.
    expect(result.ms - baseline.ms).toBeLessThan(8_000);
  });

  it('a bad setting is one line naming the variable', { timeout: 120_000 }, async () => {
    const result = await startWithBadSetting();
    expect(result.code).toBe(2);
    expect(result.output.trimEnd()).toMatch(/^\[[\d:.]+\] ERROR: Invalid configuration: PORT="eighty" — expected /);
    expect(result.output.trimEnd().split('\n')).toHaveLength(1);
  });
});
