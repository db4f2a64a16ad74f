/**
 * The command line in production: its result stays plain text on stdout (here --version), and a diagnostic — a
 * set-up problem — is one JSON line of the pino logger on stderr, with nothing on stdout.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, ROOT, tempDir } from './spawn.js';

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(ROOT, 'bin/griot-registry.mjs'), ...args], {
    cwd: ROOT,
    env: baseEnv({ NODE_ENV: 'production', GRIOT_DATA_DIR: tempDir('logs-cli'), GRIOT_LOG_FORMAT: undefined, GRIOT_LOG_LEVEL: undefined }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

describe('the command line log in production', () => {
  it('writes its result as text on stdout and a set-up problem as one JSON logger line on stderr', { timeout: 120_000 }, async () => {
    const version = await cli(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^griot-registry \d+\.\d+\.\d+\n$/), stderr: '' });

    const problem = await cli(['export', tempDir('logs-cli-out')]);
    expect(problem.code).toBe(2);
    expect(problem.stdout).toBe('');
    const lines = problem.stderr.trimEnd().split('\n');
    expect(lines, problem.stderr).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 50,
      time: expect.any(String),
      name: 'griot-registry',
      msg: expect.stringMatching(/^no MONGODB_URI, and no `npm start` is running on the data folder /),
    });
  });
});
