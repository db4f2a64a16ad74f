/**
 * The storage backends every conformance case runs on. The MongoDB one gets a database of its own per test file
 * (and a fresh one per `fresh()` call), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { StorageBackend } from '../../src/storage/types.js';

export interface BackendFactory {
  name: 'memory' | 'mongodb';
  /** A new, empty backend. Call `dispose` when done (drops the database). */
  create(options?: { monitorCommands?: boolean }): Promise<{ storage: StorageBackend; dispose(): Promise<void> }>;
}

export function testDatabaseName(): string {
  return `griot_test_${randomBytes(6).toString('hex')}`;
}

export const memoryBackend: BackendFactory = {
  name: 'memory',
  async create() {
    const storage = createMemoryStorage();
    return { storage, dispose: () => storage.close() };
  },
};

export const mongoBackend = {
  name: 'mongodb' as const,
  async create(options: { monitorCommands?: boolean } = {}) {
    const database = testDatabaseName();
    const storage = await createMongoStorage({ uri: inject('mongodbUri'), database, monitorCommands: options.monitorCommands ?? false });
    return {
      storage,
      async dispose() {
        await storage.dropDatabase();
        await storage.close();
      },
    };
  },
};

export const backends: BackendFactory[] = [memoryBackend, mongoBackend];

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
