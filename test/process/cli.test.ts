/** The griot-registry command as a process: help, version, and every set-up problem as one line with exit code 2. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, ROOT, run, tempDir } from './spawn.js';

const bin = join(ROOT, 'bin/griot-registry.mjs');

async function cli(args: string[], extra: Record<string, string | undefined> = {}): Promise<{ code: number | string; output: string }> {
  const env = baseEnv({ GRIOT_DATA_DIR: tempDir('cli-data'), ...extra });
  const running = run(process.execPath, [bin, ...args], env);
  const code = await running.exited(60_000);
  return { code, output: running.output() };
}

/** One line: a message, no stack, no usage block. */
function oneLine(output: string): string {
  const lines = output.trimEnd().split('\n');
  expect(lines, output).toHaveLength(1);
  return lines[0]!;
}

describe('griot-registry command', () => {
  it('--help prints the usage and exits 0; --version prints the version', { timeout: 120_000 }, async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.output).toMatch(/^usage:\n {2}griot-registry import <folder>/);
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(oneLine(version.output)).toBe('griot-registry 0.1.0');
  });

  it('refuses GRIOT_STORAGE=memory in one line: nothing would persist', { timeout: 120_000 }, async () => {
    const folder = tempDir('cli-memory');
    writeFileSync(join(folder, 'a.odcs.yaml'), 'apiVersion: v3.1.0\nkind: DataContract\nid: urn:a\nname: a\nversion: 1.0.0\nstatus: draft\n');
    const result = await cli(['import', folder], { GRIOT_STORAGE: 'memory' });
    expect(result.code).toBe(2);
    expect(oneLine(result.output)).toMatch(/^\[[\d:.]+\] ERROR: GRIOT_STORAGE=memory: .*throwaway/);
  });

  it('a missing folder, no database, an unreachable database: one line each', { timeout: 120_000 }, async () => {
    const missing = await cli(['import', '/nonexistent/contracts']);
    expect(missing.code).toBe(2);
    expect(oneLine(missing.output)).toBe('griot-registry: no folder /nonexistent/contracts');

    const folder = tempDir('cli-nodb');
    const none = await cli(['import', folder]);
    expect(none.code).toBe(2);
    expect(oneLine(none.output)).toMatch(/^\[[\d:.]+\] ERROR: no MONGODB_URI, and no `npm start` is running on the data folder /);

    const t0 = Date.now();
    const down = await cli(['export', folder], { MONGODB_URI: 'mongodb://127.0.0.1:9/', GRIOT_START_DB_TIMEOUT_MS: '1000' });
    const downMs = Date.now() - t0;
    expect(down.code).toBe(2);
    expect(oneLine(down.output)).toMatch(/^\[[\d:.]+\] ERROR: the database at MONGODB_URI did not answer within 1000 ms/);
    const t1 = Date.now();
    await cli(['--version']);
    // The 1 s timeout plus a little over what starting the command costs: not the driver's 30 s default.
    expect(downMs - (Date.now() - t1)).toBeLessThan(8_000);
  });

  it('unknown options and commands are one problem line and the usage, exit 2', { timeout: 120_000 }, async () => {
    const unknown = await cli(['import', '.', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.output).toMatch(/^griot-registry: Unknown option '--frobnicate'\nusage:/);
    const command = await cli(['destroy']);
    expect(command.code).toBe(2);
    expect(command.output).toMatch(/^griot-registry: unknown command "destroy"\nusage:/);
  });
});
