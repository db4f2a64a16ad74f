/**
 * The data folder's record: a second server on the same folder is refused in one line; after a server was killed
 * (SIGKILL, no clean-up), the next start stops the embedded FerretDB it left behind and serves the same data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alive, baseEnv, run, type Running, startServer, tempDir } from './spawn.js';

const dataDir = tempDir('data-folder');
const env = baseEnv({ GRIOT_DATA_DIR: dataDir });
const started: Running[] = [];

afterAll(() => {
  for (const server of started) if (server.child.exitCode === null) server.child.kill('SIGKILL');
});

async function gone(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until && alive(pid)) await new Promise((resolve) => setTimeout(resolve, 100));
  return !alive(pid);
}

describe('the data folder', () => {
  it('refuses a second server, and recovers after a killed one', { timeout: 240_000 }, async () => {
    const first = await startServer(env);
    started.push(first);
    const record = JSON.parse(readFileSync(join(dataDir, 'server.json'), 'utf8'));
    expect(record.pid).toBe(first.child.pid);
    // The embedded FerretDB's tables get their companion `_id` indexes (src/embedded/sqlite-companions.ts) once.
    if (record.backend === 'ferretdb') expect(first.output()).toMatch(/_id reads: index \(companion indexes on \d+ FerretDB tables, [1-9]\d* new\)/);
    // FerretDB on SQLite filters no numeric _id itself: a new change log stores its positions as strings (event-positions.ts)
    if (record.backend === 'ferretdb') expect(first.output()).toMatch(/change-log positions: string/);

    const second = run(process.execPath, ['--import', 'tsx', 'src/main.ts'], env);
    started.push(second);
    expect(await second.exited(90_000)).toBe(1);
    const refusal = second.output().trimEnd();
    expect(refusal.split('\n'), refusal).toHaveLength(1);
    expect(refusal).toMatch(/^\[[\d:.]+\] ERROR: /); // one line of the logger (readable in development)
    expect(refusal.endsWith(`another griot-registry (pid ${first.child.pid}) is serving the data folder ${dataDir}; stop it, or set GRIOT_DATA_DIR`)).toBe(true);

    first.child.kill('SIGKILL');
    await first.exited(10_000);
    if (record.backend !== 'ferretdb') return; // mongodb-memory-server stops its own mongod
    expect(alive(record.databasePid)).toBe(true); // left behind by the killed server

    const third = await startServer(env);
    started.push(third);
    expect(third.output()).toMatch(/_id reads: index \(companion indexes on \d+ FerretDB tables, 0 new\)/);
    expect(await gone(record.databasePid, 10_000)).toBe(true);
    third.child.kill('SIGTERM');
    expect(await third.exited(30_000)).toBe(0);
  });
});
