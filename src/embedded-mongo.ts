/** The embedded MongoDB of `npm start` without MONGODB_URI: mongodb-memory-server with an on-disk data folder. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export async function startEmbeddedMongo(dataDir: string): Promise<{ uri: string; stop: () => Promise<unknown> }> {
  const dbPath = resolve(dataDir);
  mkdirSync(dbPath, { recursive: true });
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  const server = await MongoMemoryServer.create({ instance: { dbPath, storageEngine: 'wiredTiger' } });
  return { uri: server.getUri(), stop: () => server.stop({ doCleanup: false, force: false }) };
}
