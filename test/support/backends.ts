/**
 * The storage backends every conformance case runs on. The MongoDB one gets a database of its own per test file
 * (and a fresh one per `fresh()` call), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import type { StorageBackend } from '../../src/storage/types.js';

export interface BackendFactory {
  name: 'memory' | 'mongodb';
  /** A new, empty backend. Call `dispose` when done (drops the database). */
  create(): Promise<{ storage: StorageBackend; dispose(): Promise<void> }>;
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

export const mongoBackend: BackendFactory = {
  name: 'mongodb',
  async create() {
    const database = testDatabaseName();
    const storage = await createMongoStorage({ uri: inject('mongodbUri'), database });
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
