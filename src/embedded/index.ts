/**
 * The embedded database of `npm start` without MONGODB_URI, data kept in GRIOT_DATA_DIR:
 *  1. mongodb-memory-server (data in <dir>/mongodb), when a mongod binary is cached or can be downloaded;
 *  2. else FerretDB 1.24.2 (data in <dir>/ferretdb), from the cache or built there when Go is present.
 * A folder that already holds the other engine's data puts that engine first, so data is not left behind.
 * Throws EmbeddedUnavailable (one line naming both reasons) when neither can start.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureFerretDb, startFerretDb } from './ferretdb.js';
import { mongoMemoryAvailability, startMongoMemory } from './mongo-memory.js';

export interface EmbeddedDatabase {
  backend: 'mongodb' | 'ferretdb';
  uri: string;
  dataDir: string;
  pid: number | null;
  /** Why the engines tried before this one could not start. */
  skipped: string[];
  stop(): Promise<void>;
}

export class EmbeddedUnavailable extends Error {
  override name = 'EmbeddedUnavailable';
}

type Engine = (dataDir: string, log: (line: string) => void) => Promise<Omit<EmbeddedDatabase, 'skipped'>>;

const mongodb: Engine = async (dataDir) => {
  const availability = await mongoMemoryAvailability();
  if (!availability.ok) throw new Error(availability.reason);
  const dir = join(dataDir, 'mongodb');
  const server = await startMongoMemory(availability.module, dir);
  return { backend: 'mongodb', uri: server.uri, dataDir: dir, pid: null, stop: server.stop };
};

const ferretdb: Engine = async (dataDir, log) => {
  const bin = await ensureFerretDb(log);
  const dir = join(dataDir, 'ferretdb');
  const server = await startFerretDb(bin, dir);
  return { backend: 'ferretdb', uri: server.uri, dataDir: dir, pid: server.pid, stop: server.stop };
};

export async function startEmbeddedDatabase(dataDir: string, log: (line: string) => void): Promise<EmbeddedDatabase> {
  const order: [string, Engine][] =
    holdsData(join(dataDir, 'ferretdb', 'sqlite')) && !holdsData(join(dataDir, 'mongodb'))
      ? [['FerretDB', ferretdb], ['MongoDB', mongodb]]
      : [['MongoDB', mongodb], ['FerretDB', ferretdb]];
  const reasons: string[] = [];
  for (const [name, engine] of order) {
    try {
      return { ...(await engine(dataDir, log)), skipped: reasons };
    } catch (error) {
      reasons.push(`${name}: ${(error as Error).message.replace(/\s+/g, ' ').trim()}`);
    }
  }
  throw new EmbeddedUnavailable(reasons.join('; '));
}

function holdsData(dir: string): boolean {
  return existsSync(dir) && readdirSync(dir).length > 0;
}
