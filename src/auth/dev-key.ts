/**
 * The development admin key of `npm start`: when no credentials are configured (and never in production), the
 * first start makes a random key, keeps only its sha256 in the data folder and shows the key once; later starts
 * reuse the hash. Deleting the file rotates the key. There is no fixed key and no endpoint that hands one out.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type ApiKeyEntry, hashApiKey } from './api-keys.js';

export const DEV_KEY_NAME = 'dev-admin';

export function devKeyFile(dataDir: string): string {
  return join(dataDir, 'dev-admin-key.json');
}

/** The key entry to serve with; `key` is set only when it was created now (the one time it can be shown). */
export function loadOrCreateDevKey(dataDir: string): { entry: ApiKeyEntry; key: string | null; file: string } {
  const file = devKeyFile(dataDir);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { sha256?: unknown };
    if (typeof stored.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(stored.sha256)) {
      throw new Error(`${file} holds no sha256 of a key; delete it to make a new key`);
    }
    return { entry: { name: DEV_KEY_NAME, roles: ['admin'], sha256: stored.sha256 }, key: null, file };
  }
  const key = `griot_dev_${randomBytes(32).toString('base64url')}`;
  const entry: ApiKeyEntry = { name: DEV_KEY_NAME, roles: ['admin'], sha256: hashApiKey(key) };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify({ ...entry, createdAt: new Date().toISOString() }, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  return { entry, key, file };
}

/** What `npm start` prints about the key. */
export function describeDevKey({ key, file }: { key: string | null; file: string }): string[] {
  if (key) {
    return [
      `created a development admin API key (role admin; only its sha256 is kept, in ${file}). It is shown this once:`,
      `    ${key}`,
      `  GraphiQL, Headers tab:  {"x-api-key": "${key}"}`,
      `  To rotate it, delete ${file} and restart.`,
    ];
  }
  return [`using the development admin API key kept (as its sha256) in ${file}; to rotate it, delete that file and restart.`];
}
