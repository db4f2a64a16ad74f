/**
 * Gives every test file a MongoDB-wire server: MONGODB_URI when it is set (CI runs FerretDB through
 * scripts/test-db.sh), else a mongodb-memory-server started here. When neither is possible the run fails:
 * database tests are never skipped.
 */
import type { TestProject } from 'vitest/node';

let stop: (() => Promise<unknown>) | undefined;

export async function setup(project: TestProject): Promise<void> {
  let uri = process.env.MONGODB_URI;
  if (!uri) {
    const { MongoMemoryServer } = await import('mongodb-memory-server');
    try {
      const server = await MongoMemoryServer.create();
      uri = server.getUri();
      stop = () => server.stop();
    } catch (error) {
      throw new Error(
        `No test database: MONGODB_URI is not set and mongodb-memory-server could not start (${(error as Error).message}). ` +
          'Run the tests through `scripts/test-db.sh run -- npm test` or set MONGODB_URI.',
      );
    }
  }
  project.provide('mongodbUri', uri);
}

export async function teardown(): Promise<void> {
  await stop?.();
}

declare module 'vitest' {
  export interface ProvidedContext {
    mongodbUri: string;
  }
}
