/**
 * The storage backends every conformance case runs on. Every MongoDB backend gets an empty database of its own: a
 * database a disposed backend emptied is reused by the next one of the same test file (./database-pool.ts), so the
 * collections and indexes are not built again for every case; the pool's databases are dropped after the file.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { releaseDatabase, takeDatabase } from './database-pool.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { CapabilityProbeCache } from '../../src/storage/mongodb/capabilities.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import type { IdempotencyOptions } from '../../src/domain/idempotency.js';

/** What a test may set on a new backend: command monitoring (MongoDB), idempotency-key options. */
export interface BackendOptions {
  monitorCommands?: boolean;
  idempotency?: IdempotencyOptions;
}

export interface BackendFactory {
  name: 'memory' | 'mongodb';
  /** A new, empty backend. Call `dispose` when done (drops the database). */
  create(options?: BackendOptions): Promise<{ storage: StorageBackend; dispose(): Promise<void> }>;
}

export function testDatabaseName(): string {
  return `griot_test_${randomBytes(6).toString('hex')}`;
}

/**
 * The probe results of the test server, shared by the MongoDB backends of one test file (capabilities.ts
 * CapabilityProbeCache; vitest gives every file a fresh module registry): the file's first backend probes the server,
 * the later ones take its results instead of probing it again for every case.
 */
export const capabilityProbes = new CapabilityProbeCache();

export const memoryBackend: BackendFactory = {
  name: 'memory',
  async create(options: BackendOptions = {}) {
    const storage = createMemoryStorage({ idempotency: options.idempotency });
    return { storage, dispose: () => storage.close() };
  },
};

/**
 * `GRIOT_CONFORMANCE_PROTOCOL=cas` (set by the variant files of test/conformance/cas/ before the suite loads): the
 * conformance suite runs on MongoDB only, with the write protocol forced to `cas` even where the server failed the
 * atomicity probe (FerretDB), so every single-writer case runs the CAS path; the cases of concurrent writes of one
 * revision skip themselves there (helpers.ts requireAtomicWrites).
 */
export const conformanceProtocol: 'cas' | null = process.env.GRIOT_CONFORMANCE_PROTOCOL === 'cas' ? 'cas' : null;

export const mongoBackend = {
  name: 'mongodb' as const,
  async create(options: BackendOptions = {}) {
    const uri = inject('mongodbUri');
    const database = takeDatabase(uri) ?? testDatabaseName();
    const protocol = conformanceProtocol ? { writeProtocol: conformanceProtocol, forceWriteProtocol: true } : {};
    const storage = await createMongoStorage({ uri, database, capabilityProbes, monitorCommands: options.monitorCommands ?? false, idempotency: options.idempotency, ...protocol });
    return {
      storage,
      async dispose() {
        // Closed first (no repair pass or renewal may write after the emptying), then emptied for the next backend.
        await storage.close();
        await releaseDatabase(uri, database);
      },
    };
  },
};

export const backends: BackendFactory[] = conformanceProtocol ? [mongoBackend] : [memoryBackend, mongoBackend];

/**
 * The reads a block of code sends: `points` = finds of one `_id` equality (how batches are read where the server
 * does not serve `_id: {$in}` from its index, see src/storage/mongodb/point-reads.ts), `finds` = every other find,
 * `other` = every other command by name.
 */
export async function countReads(
  storage: MongoStorageBackend,
  run: () => Promise<unknown>,
): Promise<{ finds: number; points: number; other: Record<string, number> }> {
  const result = { finds: 0, points: 0, other: {} as Record<string, number> };
  const listener = (event: { commandName: string; command: Record<string, unknown> }) => {
    if (event.commandName !== 'find') {
      result.other[event.commandName] = (result.other[event.commandName] ?? 0) + 1;
      return;
    }
    const filter = event.command.filter as Record<string, unknown> | undefined;
    const keys = filter ? Object.keys(filter) : [];
    if (keys.length === 1 && keys[0] === '_id' && (typeof filter!._id === 'string' || typeof filter!._id === 'number')) result.points++;
    else result.finds++;
  };
  storage.client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    storage.client.off('commandStarted', listener);
  }
  return result;
}

/** Counts the driver commands a block of code sends (by command name). */
export async function countCommands(storage: MongoStorageBackend, run: () => Promise<unknown>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const listener = (event: { commandName: string }) => {
    counts[event.commandName] = (counts[event.commandName] ?? 0) + 1;
  };
  storage.client.on('commandStarted', listener);
  try {
    await run();
  } finally {
    storage.client.off('commandStarted', listener);
  }
  return counts;
}
