/** The embedded MongoDB of `npm start` without MONGODB_URI: mongodb-memory-server with an on-disk data folder. */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';

export async function startEmbeddedMongo(dataDir: string): Promise<{ uri: string; stop: () => Promise<unknown> }> {
  const dbPath = resolve(dataDir);
  mkdirSync(dbPath, { recursive: true });
  const { MongoMemoryServer } = await import('mongodb-memory-server');
  // mongodb-memory-server prints its own multi-line report when it fails; the caller reports one line instead.
  const { warn, error } = console;
  console.warn = console.error = () => undefined;
  let server: InstanceType<typeof MongoMemoryServer>;
  try {
    server = await MongoMemoryServer.create({ instance: { dbPath, storageEngine: 'wiredTiger' } });
  } finally {
    console.warn = warn;
    console.error = error;
  }
  return { uri: server.getUri(), stop: () => server.stop({ doCleanup: false, force: false }) };
}
