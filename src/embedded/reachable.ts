/** A quick check that a MongoDB answers, so start-up (server or command line) fails in seconds with one line. */
import { MongoClient } from 'mongodb';

/** Null when the server at `uri` answers a ping within `timeoutMs`, else why not (one line, no credentials). */
export async function unreachable(uri: string, timeoutMs: number): Promise<string | null> {
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs, connectTimeoutMS: timeoutMs });
  try {
    await client.db('admin').command({ ping: 1 });
    return null;
  } catch (error) {
    return `the database at MONGODB_URI did not answer within ${timeoutMs} ms (${String((error as Error).message).replace(/\s+/g, ' ').trim().slice(0, 200)})`;
  } finally {
    await client.close().catch(() => undefined);
  }
}
