/**
 * Chooses and builds the storage backend from config, once per process. Adding a backend is one folder under
 * src/storage/ and one line in `factories`.
 */
import type { Config } from '../config.js';
import type { StorageBackend } from './types.js';

export type StorageConfig = Pick<Config, 'storage' | 'mongodb'>;

const factories: Record<Config['storage'], (config: StorageConfig) => Promise<StorageBackend>> = {
  memory: async () => (await import('./memory/index.js')).createMemoryStorage(),
  mongodb: async ({ mongodb }) => {
    if (!mongodb.uri) throw new Error('GRIOT_STORAGE=mongodb needs MONGODB_URI (or the embedded server started by `npm start`)');
    return (await import('./mongodb/index.js')).createMongoStorage({ uri: mongodb.uri, database: mongodb.database });
  },
};

export async function createStorage(config: StorageConfig): Promise<StorageBackend> {
  return factories[config.storage](config);
}

export type { StorageBackend } from './types.js';
