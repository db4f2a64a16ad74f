/**
 * What the server can do, detected once at start-up by trying it (never assumed from the server's name):
 * text search = the text index can be created AND a `$text` query answers; aggregation = a `$group` with several
 * `$sum` accumulators gives the right numbers on a scratch collection; transactions = a replica set or a mongos;
 * the version from buildInfo (with FerretDB's own version when the server reports one); batch reads = whether an
 * `_id: {$in}` is served from the `_id` index (the server's own explain says so), else batches are read as
 * parallel `_id` equalities (point-reads.ts); atomic conditional updates = of concurrent conditional updates of
 * one document at one revision exactly one wins, round after round (claims.ts write protocol); `_id` reads = whether a
 * lone `_id` equality is an index read or a scan (id-reads.ts: FerretDB on PostgreSQL scans without the companion
 * indexes of README "FerretDB on PostgreSQL"); numeric `_id` filters = whether the server filters `{_id: 1}` itself
 * (event-positions.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Db, Document } from 'mongodb';
import type { StorageCapabilities } from '../types.js';
import { COLLECTIONS } from './documents/index.js';
import { detectNumericIdFilters, type PositionFormat } from './event-positions.js';
import { detectIdReadsAndPlanner, type IdReads } from './id-reads.js';
import { ensureTextIndex } from './indexes.js';
import type { BatchReads } from './point-reads.js';
import type { WriteProtocol } from './write-protocol.js';

export const BACKEND_NAME = 'mongodb';

/** What the MongoDB repositories need to know beyond the backend-neutral capabilities. */
export interface MongoCapabilities extends StorageCapabilities {
  /** How a batch of several ids is read: one `$in` (served by the `_id` index) or parallel equality reads. */
  batchReads: BatchReads;
  /** A filter of `_id` with another condition (`{_id, revision}`) is an index read; false on FerretDB 1.x, which
   *  then scans the whole collection (writes then read by `_id`, check, and write by `_id`). */
  idConditions: boolean;
  /** A lone `_id` equality: served from an index, a scan of the collection (FerretDB 1.x on PostgreSQL or SQLite
   *  without the companion indexes; on SQLite, of this database's `contracts`), or unknown (an explain of another
   *  shape). Reported at start-up (id-reads.ts). */
  idReads: IdReads;
  /** The server's plans are PostgreSQL's (FerretDB on PostgreSQL, from the idReads probe's explain). */
  postgresql: boolean;
  /** A lone numeric `_id` equality is filtered by the server itself (false: FerretDB on SQLite, whose explain says
   *  `filterPushdown: false` and which then decodes every document): a new change log then stores its positions as
   *  strings (event-positions.ts). */
  numericIdFilters: boolean;
  /** How this database's change log stores positions (event-positions.ts); `number` until createMongoStorage read it. */
  eventPositions: PositionFormat;
  /** The server is FerretDB (its buildInfo names a FerretDB version): bulk writes go in small commands (bulk.ts). */
  ferretdb: boolean;
  /** Concurrent `findOneAndUpdate({_id, revision})` of one document: exactly one wins (probed). False on FerretDB
   *  1.x, which finds and then writes, so two writers of one revision may both win (claims.ts). */
  atomicConditionalUpdates: boolean;
  /** The write protocol chosen at start-up from GRIOT_WRITE_PROTOCOL and the probe (write-protocol.ts); `claims`
   *  until createMongoStorage chose it. */
  writeProtocol: WriteProtocol;
}

/** What the probes of one server found, before the per-database text index (see CapabilityProbeCache). */
type ServerProbes = Omit<MongoCapabilities, 'writeProtocol' | 'textSearch' | 'eventPositions'> & { textIndexes: boolean };

export async function detectCapabilities(db: Db, shared?: { cache: CapabilityProbeCache; server: string }): Promise<MongoCapabilities> {
  const { textIndexes, ...server } = await (shared ? shared.cache.probe(shared.server, db) : detectServer(db));
  return { ...server, textSearch: textIndexes && (await ensureTextSearch(db)), writeProtocol: 'claims', eventPositions: 'number' };
}

/**
 * Probe results shared by the backends one process builds on one server (the test suite builds hundreds): the
 * probes run on the first backend's database, once per server key (its URI), and later backends of that key take
 * their result; the text index, which lives in each database, is still created for every backend. Nothing shares
 * it unless a cache is passed (createMongoStorage's `capabilityProbes`): a server started with the process is probed
 * at its start-up. A probe that threw is not kept.
 */
export class CapabilityProbeCache {
  private readonly byServer = new Map<string, Promise<ServerProbes>>();

  probe(server: string, db: Db): Promise<ServerProbes> {
    let probes = this.byServer.get(server);
    if (!probes) {
      probes = detectServer(db);
      this.byServer.set(server, probes);
      probes.catch(() => this.byServer.delete(server));
    }
    return probes;
  }
}

async function detectServer(db: Db): Promise<ServerProbes> {
  const admin = db.admin();
  const [hello, buildInfo, textIndexes, aggregation, batchReads, idConditions, atomicConditionalUpdates, { reads: idReads, postgresql }, numericIdFilters] = await Promise.all([
    admin
      .command({ hello: 1 })
      .catch(() => admin.command({ isMaster: 1 })) // servers older than `hello`
      .catch(() => null as Document | null),
    admin.command({ buildInfo: 1 }).catch(() => null as Document | null),
    detectTextIndexes(db),
    detectAggregation(db),
    detectBatchReads(db),
    detectIdConditions(db),
    detectAtomicConditionalUpdates(db),
    detectIdReadsAndPlanner(db),
    detectNumericIdFilters(db, `capability_probe_${randomUUID()}`),
  ]);
  return {
    backend: BACKEND_NAME,
    textIndexes,
    transactions: hasTransactions(hello),
    aggregation,
    serverVersion: serverVersionOf(buildInfo),
    batchReads,
    idConditions,
    atomicConditionalUpdates,
    idReads,
    postgresql,
    numericIdFilters,
    ferretdb: isFerretDb(buildInfo),
  };
}

/** Rounds of the atomicity probe, and concurrent writers in each. */
export const ATOMICITY_ROUNDS = 24;
export const ATOMICITY_WRITERS = 8;

/**
 * Races `writers` conditional updates `findOneAndUpdate({_id, revision: r}, {revision: r + 1, $inc: n})` of one
 * scratch document, `rounds` times over. Atomic only when every round had exactly one winner and the document
 * ends at revision `rounds` with `n === rounds` (no update applied twice, none lost). One round with two winners
 * (FerretDB 1.x: measured 29 of 30 pairs) decides at once. An error counts as not atomic.
 */
export async function detectAtomicConditionalUpdates(db: Db, rounds = ATOMICITY_ROUNDS, writers = ATOMICITY_WRITERS): Promise<boolean> {
  const probe = db.collection<{ _id: string; revision: number; n: number; by?: number }>(`capability_probe_${randomUUID()}`);
  try {
    await probe.insertOne({ _id: 'cas', revision: 0, n: 0 });
    for (let round = 0; round < rounds; round++) {
      const results = await Promise.all(
        Array.from({ length: writers }, (_, by) =>
          probe.findOneAndUpdate({ _id: 'cas', revision: round }, { $set: { revision: round + 1, by }, $inc: { n: 1 } }),
        ),
      );
      if (results.filter((r) => r !== null).length !== 1) return false;
    }
    const end = await probe.findOne({ _id: 'cas' });
    return end?.revision === rounds && end.n === rounds;
  } catch {
    return false;
  } finally {
    await probe.drop().catch(() => undefined);
  }
}

/** Explains `{_id, v}` on a scratch collection: an index read (true) or a scan (false); see batchReadsFromExplain. */
export async function detectIdConditions(db: Db): Promise<boolean> {
  const name = `capability_probe_${randomUUID()}`;
  const probe = db.collection<{ _id: string } & Document>(name);
  try {
    await probe.insertMany([{ _id: 'a', v: 1 }, { _id: 'b', v: 2 }]);
    const explained = await db.command({ explain: { find: name, filter: { _id: 'a', v: 1 } }, verbosity: 'queryPlanner' });
    return batchReadsFromExplain(explained) === 'in';
  } catch {
    return false;
  } finally {
    await probe.drop().catch(() => undefined);
  }
}

/**
 * Asks the server to explain an `_id: {$in}` find on a scratch collection. FerretDB reports whether it pushed the
 * filter down to its storage (`filterPushdown`; 1.24 does not for `$in`, so it scans); MongoDB reports its plan (a
 * COLLSCAN anywhere in it means the index is not used). An answer of neither shape, or none, means point reads:
 * a lone `_id` equality is the one read every MongoDB-wire server serves from its index.
 */
export async function detectBatchReads(db: Db): Promise<BatchReads> {
  const name = `capability_probe_${randomUUID()}`;
  const probe = db.collection<{ _id: string } & Document>(name);
  try {
    await probe.insertMany([{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }]);
    const explained = await db.command({ explain: { find: name, filter: { _id: { $in: ['a', 'b'] } } }, verbosity: 'queryPlanner' });
    return batchReadsFromExplain(explained);
  } catch {
    return 'points';
  } finally {
    await probe.drop().catch(() => undefined);
  }
}

/** The decision of detectBatchReads from an explain answer (exported for its test). */
export function batchReadsFromExplain(explained: Document): BatchReads {
  if (typeof explained.filterPushdown === 'boolean') return explained.filterPushdown ? 'in' : 'points';
  const plan = explained.queryPlanner?.winningPlan;
  if (plan && typeof plan === 'object') return JSON.stringify(plan).includes('COLLSCAN') ? 'points' : 'in';
  return 'points';
}

function hasTransactions(hello: Document | null): boolean {
  if (!hello) return false;
  return (typeof hello.setName === 'string' && hello.setName !== '') || hello.msg === 'isdbgrid';
}

function isFerretDb(buildInfo: Document | null): boolean {
  return typeof buildInfo?.ferretdbVersion === 'string' && buildInfo.ferretdbVersion !== '';
}

function serverVersionOf(buildInfo: Document | null): string | null {
  if (!buildInfo || typeof buildInfo.version !== 'string') return null;
  const ferret = buildInfo.ferretdbVersion;
  return typeof ferret === 'string' && ferret ? `${buildInfo.version} (FerretDB ${ferret})` : buildInfo.version;
}

/**
 * Tries a text index and a `$text` query on a scratch collection (FerretDB 1.24 refuses the index and then crashes
 * on later createIndexes of the collection it was tried on), before the real one is created (ensureTextSearch).
 */
async function detectTextIndexes(db: Db): Promise<boolean> {
  const probe = db.collection(`capability_probe_${randomUUID()}`);
  try {
    await probe.insertOne({ _id: 'probe' as unknown as never, text: 'capability probe' });
    await probe.createIndex({ text: 'text' }, { name: 'probe_text', default_language: 'none' });
    await probe.find({ $text: { $search: 'probe' } }).limit(1).toArray();
    return true;
  } catch {
    return false;
  } finally {
    await probe.drop().catch(() => undefined);
  }
}

/** Creates the contracts' text index in `db` and tries a `$text` query on it (only where the scratch probe passed). */
async function ensureTextSearch(db: Db): Promise<boolean> {
  try {
    await ensureTextIndex(db);
    await db
      .collection(COLLECTIONS.contracts)
      .find({ $text: { $search: 'capability probe' } }, { projection: { _id: 1 } })
      .limit(1)
      .toArray();
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs the shape of the stats aggregation (validations.ts: `$match`, then `$group` by a field with a `$sum: 1` count
 * and several `$sum: '$field'` sums) on a scratch collection and checks every number. FerretDB 1.x answers such a
 * pipeline but computes only its first accumulator (the others come back as 0), so it must be checked, not tried.
 */
async function detectAggregation(db: Db): Promise<boolean> {
  const probe = db.collection<{ _id: string } & Document>(`capability_probe_${randomUUID()}`);
  try {
    await probe.insertMany([
      { _id: 'a', k: 1, g: 'x', a: 2, b: 0.5, c: null },
      { _id: 'b', k: 1, g: 'x', a: 5, b: 1.25, c: 3 },
      { _id: 'c', k: 1, g: 'y', a: 7, b: 2 },
      { _id: 'd', k: 2, g: 'x', a: 100, b: 100, c: 100 },
    ]);
    const rows = await probe
      .aggregate([{ $match: { k: 1 } }, { $group: { _id: '$g', n: { $sum: 1 }, a: { $sum: '$a' }, b: { $sum: '$b' }, c: { $sum: '$c' } } }])
      .toArray();
    const byId = new Map(rows.map((r) => [r._id, r]));
    const ok = (id: string, n: number, a: number, b: number, c: number) => {
      const r = byId.get(id);
      return r !== undefined && r.n === n && r.a === a && r.b === b && r.c === c;
    };
    return rows.length === 2 && ok('x', 2, 7, 1.75, 3) && ok('y', 1, 7, 2, 0);
  } catch {
    return false;
  } finally {
    await probe.drop().catch(() => undefined);
  }
}
