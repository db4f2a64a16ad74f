/** API keys: configured with a name, roles and the sha256 of the key; a presented key is only ever compared as a hash. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Principal, Role } from './principal.js';

export interface ApiKeyEntry {
  name: string;
  roles: Role[];
  /** Lower-case hex sha256 of the key. */
  sha256: string;
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export class ApiKeyStore {
  private readonly entries: { entry: ApiKeyEntry; digest: Buffer }[];

  constructor(entries: readonly ApiKeyEntry[]) {
    this.entries = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
  }

  /** The principal for a presented key, or null. Compares against every entry in constant time per entry. */
  verify(key: string): Principal | null {
    const presented = createHash('sha256').update(key, 'utf8').digest();
    let found: ApiKeyEntry | null = null;
    for (const { entry, digest } of this.entries) {
      if (digest.length === presented.length && timingSafeEqual(digest, presented) && !found) found = entry;
    }
    return found ? { name: found.name, roles: [...found.roles], method: 'api_key' } : null;
  }
}
