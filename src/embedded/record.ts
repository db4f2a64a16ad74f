/**
 * The data folder's record of the database a running `npm start` serves (`<GRIOT_DATA_DIR>/server.json`): the
 * command line reads it when MONGODB_URI is unset, and a second server on the same folder is refused while the
 * first one lives. Written once storage is up, removed at shutdown.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ServerRecord {
  /** The server process. */
  pid: number;
  /** What the server runs: an embedded MongoDB or FerretDB (with its address), or the in-memory fallback. */
  backend: 'mongodb' | 'ferretdb' | 'memory';
  uri: string | null;
  database: string;
  /** The embedded database's own process (FerretDB), to stop if a crashed server left it behind. */
  databasePid: number | null;
  startedAt: string;
}

export function recordFile(dataDir: string): string {
  return join(dataDir, 'server.json');
}

export function readRecord(dataDir: string): ServerRecord | null {
  const file = recordFile(dataDir);
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as ServerRecord;
  } catch {
    return null;
  }
}

/** The record of a server that is still running, else null. */
export function liveRecord(dataDir: string): ServerRecord | null {
  const record = readRecord(dataDir);
  return record && isAlive(record.pid) ? record : null;
}

export function writeRecord(dataDir: string, record: ServerRecord): void {
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(recordFile(dataDir), `${JSON.stringify(record, null, 2)}\n`);
}

export function removeRecord(dataDir: string): void {
  const record = readRecord(dataDir);
  if (record && record.pid === process.pid) rmSync(recordFile(dataDir), { force: true });
}

/**
 * Before a server starts on `dataDir`: refuses (returns the other pid) when a live server holds it; stops the
 * FerretDB a crashed server left behind (it would keep the SQLite files busy).
 */
export function claimDataDir(dataDir: string): number | null {
  const record = readRecord(dataDir);
  if (!record) return null;
  if (record.pid !== process.pid && isAlive(record.pid) && runs(record.pid, 'node', true)) return record.pid;
  if (record.databasePid && isAlive(record.databasePid) && runs(record.databasePid, 'ferretdb', false)) {
    try {
      process.kill(record.databasePid, 'SIGTERM');
    } catch {
      // already gone
    }
    // Give it up to 5 s to let go of its files before a new one opens them.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    for (let i = 0; i < 50 && isAlive(record.databasePid); i++) Atomics.wait(pause, 0, 0, 100);
  }
  rmSync(recordFile(dataDir), { force: true });
  return null;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether `pid` runs a command naming `what` (a reused pid does not); `unknown` where /proc cannot tell. */
function runs(pid: number, what: string, unknown: boolean): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(what);
  } catch {
    return unknown;
  }
}
