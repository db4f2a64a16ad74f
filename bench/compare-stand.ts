/**
 * One stand of the side-by-side benchmark (bench/compare.ts): a scratch database of a given size with the registry
 * (GraphQL over HTTP, in this process) and the raw-driver floor (bench/floor.ts, on a MongoDB client of its own) on
 * it, each with its own count of database commands. The run opens two stands, N and 10×N, and alternates between
 * them, so that both sizes are measured under the same load.
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, request, type Server } from 'node:http';
import { MongoClient } from 'mongodb';
import { hashApiKey } from '../src/auth/api-keys.js';
import { planCreate } from '../src/domain/contracts.js';
import { DEFAULT_LIMITS } from '../src/http/limits-options.js';
import { createServer } from '../src/server.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { toStoredContract, toStoredVersion } from '../src/storage/mongodb/documents/index.js';
import { FERRETDB_STATEMENTS_PER_COMMAND } from '../src/storage/mongodb/bulk.js';
import { createMongoStorage, type MongoStorageBackend } from '../src/storage/mongodb/index.js';
import type { StorageBackend } from '../src/storage/types.js';
import type { UpdateTarget } from './compare-ops.js';
import { startFloor } from './floor.js';
import { benchDocument } from './seed.js';
import { describeError } from './table.js';

export interface StandSettings {
  /** MongoDB URI, or null for an in-memory registry (no floor). */
  uri: string | null;
  /** The registry's request budget and the database operation time limit. */
  timeoutMs: number;
  /** Server selection and connect timeout of both clients (the driver's monitor answers late on a loaded machine). */
  connectTimeoutMs: number;
  /** The registry's bulkStatementsPerCommand (GRIOT_BULK_STATEMENTS_PER_COMMAND); undefined: its default. */
  bulkStatementsPerCommand?: number;
}

/**
 * The statements per bulk write command the benchmark's registry gets: GRIOT_BULK_STATEMENTS_PER_COMMAND when set
 * (as the registry reads it), else 8 on FerretDB (on either backend), else the registry's default. FerretDB 1.24
 * keeps the read of every update statement that matched a document open until its command ends, one connection of
 * its pool each; its SQLite backend's pool is 100 connections per database file (PostgreSQL's: 50, where the
 * registry already caps commands at 8), so a command of about 100 matching statements waits forever for a
 * connection and every later command on that database waits behind it. The registry caps nothing on FerretDB/SQLite
 * (src/storage/mongodb/bulk.ts), and its search indexer's settle step (two statements per word) sends such commands
 * once a step touches 50 or more words that are indexed already: the bench's hang after the reads.
 */
export async function benchBulkStatements(uri: string | null, connectTimeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<{ value: number | undefined; why: string }> {
  const set = env.GRIOT_BULK_STATEMENTS_PER_COMMAND;
  if (set) return { value: Number(set), why: 'GRIOT_BULK_STATEMENTS_PER_COMMAND' };
  if (!uri) return { value: undefined, why: 'in memory' };
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: connectTimeoutMs, connectTimeoutMS: connectTimeoutMs });
  try {
    const info = await client.db('admin').command({ buildInfo: 1 });
    if (typeof info.ferretdbVersion === 'string') return { value: FERRETDB_STATEMENTS_PER_COMMAND, why: 'FerretDB: its pool hangs on bigger commands' };
    return { value: undefined, why: "the registry's default" };
  } finally {
    await client.close().catch(() => undefined);
  }
}

export interface Stand {
  /** The number of contracts seeded (the stand's name in the tables: N or 10×N). */
  size: number;
  database: string;
  storage: StorageBackend;
  mongo: MongoStorageBackend | null;
  /** The seeded contracts' ids. */
  ids: string[];
  /** Contracts the update operation writes, one per worker, and the floor's copy of each. */
  targets: UpdateTarget[];
  /** Stored shapes (without _id) of a contract and its version, for the floor's direct inserts. */
  floorContract: Record<string, unknown>;
  floorVersion: Record<string, unknown>;
  gql: (query: string, variables?: Record<string, unknown>) => Promise<any>;
  /** null in memory (no floor there). */
  floorCall: ((op: string, args?: Record<string, unknown>) => Promise<void>) | null;
  /** Database commands sent so far by the registry's client and by the floor's. */
  commands: { registry: number; floor: number };
  close(): Promise<void>;
}

/**
 * POSTs JSON and parses the answer, giving up after `timeoutMs`. Not fetch: Node's fetch stops waiting for response
 * headers after 300 s, and a FerretDB list page at 10,000 contracts under c=16 can take longer.
 */
export function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs: number): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function listen(server: Server): Promise<string> {
  // No server-side limit on a request's time (Node's default is 300 s): the registry's own budget applies.
  server.requestTimeout = 0;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return `http://127.0.0.1:${address.port}`;
}

/** Opens the registry and its floor on `database` (seeded already: bench/compare-seed.ts), or on a fresh one. */
export async function openStand(size: number, settings: StandSettings, database = `griot_bench_${randomBytes(4).toString('hex')}`): Promise<Stand> {
  const { uri, timeoutMs, connectTimeoutMs, bulkStatementsPerCommand } = settings;
  const mongo = uri
    ? await createMongoStorage({ uri, database, monitorCommands: true, operationTimeoutMs: timeoutMs, serverSelectionTimeoutMs: connectTimeoutMs, bulkStatementsPerCommand })
    : null;
  const storage: StorageBackend = mongo ?? createMemoryStorage();
  const commands = { registry: 0, floor: 0 };
  mongo?.client.on('commandStarted', () => commands.registry++);

  // A random admin key for this run only (configured as its sha256, as in production).
  const key = randomBytes(24).toString('base64url');
  const yoga = createServer({ storage, graphiql: false, limits: { ...DEFAULT_LIMITS, requestTimeoutMs: timeoutMs }, auth: { apiKeys: [{ name: 'bench', roles: ['admin'], sha256: hashApiKey(key) }] } });
  const registryServer = createHttpServer(yoga);
  const registryUrl = await listen(registryServer);
  const floorClient = uri
    ? new MongoClient(uri, { monitorCommands: true, serverSelectionTimeoutMS: connectTimeoutMs, connectTimeoutMS: connectTimeoutMs, socketTimeoutMS: timeoutMs + 1_000 })
    : null;
  floorClient?.on('commandStarted', () => commands.floor++);
  const floor = floorClient ? await startFloor(floorClient.db(database)) : null;
  // Every request gives up a little after the registry's own budget (a request lost on the way never hangs the run).
  const clientTimeoutMs = timeoutMs + 5_000;
  const gql = async (query: string, variables?: Record<string, unknown>) => {
    const json = (await postJson(`${registryUrl}/graphql`, { query, variables }, { 'x-api-key': key }, clientTimeoutMs)) as {
      data?: any;
      errors?: { message?: string; extensions?: { code?: string } }[];
    };
    if (json.errors) throw new Error(`${json.errors[0]?.extensions?.code ?? 'ERROR'}: ${json.errors[0]?.message ?? ''}`);
    return json.data;
  };
  const floorCall = floor
    ? async (op: string, args?: Record<string, unknown>) => {
        const json = (await postJson(`${floor.url}/${op}`, args ?? {}, {}, clientTimeoutMs)) as { errors?: { message?: string }[] };
        if (json.errors) throw new Error(json.errors[0]?.message ?? 'floor error');
      }
    : null;

  const sample = planCreate({ document: benchDocument('bench_floor', 7) }, 'floor', { now: new Date(), actor: 'bench' });
  const { _id: _c, ...floorContract } = toStoredContract(sample.contract);
  const { _id: _v, ...floorVersion } = toStoredVersion(sample.version, 'floor');

  return {
    size,
    database,
    storage,
    mongo,
    ids: [],
    targets: [],
    floorContract,
    floorVersion,
    gql,
    floorCall,
    commands,
    async close() {
      registryServer.close();
      floor?.server.close();
      await mongo?.dropDatabase().catch((e) => console.error(`could not drop the scratch database ${database}: ${describeError(e)}`));
      await storage.close();
      await floorClient?.close();
    },
  };
}

/**
 * Creates the update targets of a stand through its registry (up to `count`, one per worker) and a floor copy of
 * each. A failure is reported and the update rows then count their requests as errors.
 */
export async function prepareTargets(stand: Stand, count: number): Promise<void> {
  let failures = 0;
  while (stand.targets.length < count && failures < 3) {
    const name = `bench_upd_${process.pid}_${stand.targets.length}_${failures}`;
    const d = await stand
      .gql('mutation($input: CreateContractInput!) { createContract(input: $input) { ... on CreateContractSuccess { contract { id revision } } } }', {
        input: { document: benchDocument(name, 3) },
      })
      .catch((error: unknown) => {
        failures++;
        console.error(`could not create an update target: ${describeError(error)}`);
        return null;
      });
    if (d?.createContract?.contract) stand.targets.push({ gid: d.createContract.contract.id, name, revision: d.createContract.contract.revision, patch: 0, floorId: `floor_${name}` });
  }
  if (stand.mongo) {
    const contracts = stand.mongo.db.collection('contracts');
    for (const t of stand.targets) await contracts.replaceOne({ _id: t.floorId as never }, { ...stand.floorContract, name: `${t.name}_floor` }, { upsert: true });
  }
}
