/**
 * Chooses and builds the storage backend from config, once per process. Adding a backend is one folder under
 * src/storage/ and one line in `factories`.
 */
import type { MongoClient } from 'mongodb';
import type { Config } from '../config.js';
import type { StorageBackend } from './types.js';

export type StorageConfig = Pick<Config, 'storage' | 'mongodb' | 'policy'> & Partial<Pick<Config, 'events' | 'idempotency'>>;

export interface StorageHooks {
  /** Called with the MongoDB driver client before it connects (observability: pool and command events). */
  onMongoClient?: (client: MongoClient) => void;
}

const factories: Record<Config['storage'], (config: StorageConfig, hooks: StorageHooks) => Promise<StorageBackend>> = {
  memory: async ({ policy, idempotency }) => (await import('./memory/index.js')).createMemoryStorage({ policy, idempotency }),
  mongodb: async ({ mongodb, policy, events, idempotency }, { onMongoClient }) => {
    if (!mongodb.uri) throw new Error('GRIOT_STORAGE=mongodb needs MONGODB_URI (or the embedded server started by `npm start`)');
    return (await import('./mongodb/index.js')).createMongoStorage({
      uri: mongodb.uri,
      database: mongodb.database,
      policy,
      events,
      idempotency,
      monitorCommands: true,
      onClient: onMongoClient,
      claimLeaseMs: mongodb.claimLeaseMs,
      repairIntervalMs: mongodb.repairIntervalMs,
      catalogReadRepairs: mongodb.catalogReadRepairs,
      runHeads: mongodb.runHeads,
      writeProtocol: mongodb.writeProtocol,
      bulkStatementsPerCommand: mongodb.bulkStatementsPerCommand,
      catalogWriteConcurrency: mongodb.catalogWriteConcurrency,
      operationTimeoutMs: mongodb.operationTimeoutMs,
      serverSelectionTimeoutMs: mongodb.serverSelectionTimeoutMs,
      pingTimeoutMs: mongodb.readyTimeoutMs,
      searchIndex: mongodb.searchIndex,
    });
  },
};

export async function createStorage(config: StorageConfig, hooks: StorageHooks = {}): Promise<StorageBackend> {
  return factories[config.storage](config, hooks);
}

export type { StorageBackend } from './types.js';
