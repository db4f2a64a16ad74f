/**
 * Idempotency keys on MongoDB (collection `idempotency_keys`; the protocol is in src/services/idempotency.ts).
 *
 * - A key document's `_id` is the key's id (domain/idempotency idempotencyKeyId: a SHA-256, so NUL-free); every
 *   read is a point read by `_id`, never a scan.
 * - Reserving is an insert (the `_id` index makes exactly one of concurrent reservations win); taking over a dead
 *   request's pending key inserts a marker `${id}#${attempt}`, so exactly one retry wins each attempt (no
 *   conditional update needed: FerretDB 1.x has no atomic ones).
 * - Retention: `expiresAt` carries a TTL index where the server has them (MongoDB). FerretDB 1.24 refuses TTL
 *   indexes (detected once at start-up): the index is then a plain one and this repository deletes expired keys
 *   itself, at start-up and then at most once a minute when a key is reserved. Expired keys are treated as absent in
 *   any case, so retention is exact whatever the purge cadence.
 */
import type { Collection, Db } from 'mongodb';
import { DEFAULT_IDEMPOTENCY_OPTIONS, type IdempotentMutation, type IdempotencyOptions, type IdempotencyRecord } from '../../domain/idempotency.js';
import type { IdempotencyRepository } from '../types.js';
import type { StoredContract, StoredVersion } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import { withTimeLimit } from './time-limits.js';

export const IDEMPOTENCY_COLLECTION = 'idempotency_keys';
const TTL_INDEX = 'idempotency_keys_expires_at_ttl';
const PLAIN_INDEX = 'idempotency_keys_expires_at';
const PURGE_EVERY_MS = 60_000;

/** A key, or (kind: 'takeover') the marker of one take-over attempt of a key. */
export interface StoredIdempotencyKey {
  _id: string;
  kind: 'key' | 'takeover';
  mutation?: IdempotentMutation;
  inputHash?: string;
  resultId?: string;
  targetId?: string | null;
  state?: 'pending' | 'done';
  attempt?: number;
  leaseUntil?: Date;
  createdAt?: Date;
  expiresAt: Date;
}

/** Creates the expiry index: a TTL index where the server has them, else a plain one (purged by the repository). */
export async function ensureIdempotencyIndex(keys: Collection<StoredIdempotencyKey>): Promise<{ ttl: boolean }> {
  const existing = await keys.indexes().catch(() => []);
  if (existing.some((i) => i.name === TTL_INDEX)) return { ttl: true };
  if (existing.some((i) => i.name === PLAIN_INDEX)) return { ttl: false };
  try {
    await keys.createIndex({ expiresAt: 1 }, { name: TTL_INDEX, expireAfterSeconds: 0 });
    return { ttl: true };
  } catch {
    await keys.createIndex({ expiresAt: 1 }, { name: PLAIN_INDEX });
    return { ttl: false };
  }
}

export async function createMongoIdempotency(
  db: Db,
  collections: { versions: Collection<StoredVersion>; contracts: Collection<StoredContract> },
  options: IdempotencyOptions = DEFAULT_IDEMPOTENCY_OPTIONS,
  /** The server-side limit of every operation (time-limits.ts); 0: none. */
  maxTimeMS = 0,
): Promise<MongoIdempotencyRepository> {
  const raw = db.collection<StoredIdempotencyKey>(IDEMPOTENCY_COLLECTION);
  const { ttl } = await ensureIdempotencyIndex(raw);
  const repository = new MongoIdempotencyRepository(withTimeLimit(raw, maxTimeMS), collections, options, ttl);
  await repository.purgeExpired();
  return repository;
}

export class MongoIdempotencyRepository implements IdempotencyRepository {
  private lastPurge = 0;

  constructor(
    private readonly keys: Collection<StoredIdempotencyKey>,
    private readonly collections: { versions: Collection<StoredVersion>; contracts: Collection<StoredContract> },
    readonly options: IdempotencyOptions,
    /** The server expires keys itself (TTL index). */
    readonly ttlIndex: boolean,
  ) {}

  /** Deletes expired keys and markers (an index range on expiresAt). Only needed without a TTL index. */
  async purgeExpired(): Promise<number> {
    if (this.ttlIndex) return 0;
    this.lastPurge = Date.now();
    const { deletedCount } = await this.keys.deleteMany({ expiresAt: { $lte: new Date() } });
    return deletedCount;
  }

  async get(id: string): Promise<IdempotencyRecord | null> {
    const doc = await this.keys.findOne({ _id: id });
    if (!doc || doc.kind !== 'key' || doc.expiresAt.getTime() <= Date.now()) return null;
    return fromStored(doc);
  }

  async reserve(record: IdempotencyRecord): Promise<boolean> {
    if (!this.ttlIndex && Date.now() - this.lastPurge >= Math.min(PURGE_EVERY_MS, this.options.ttlMs)) await this.purgeExpired();
    if (await this.insert(toStored(record))) return true;
    // Taken: by a live key (refused), or by an expired one not purged yet (replaced).
    const found = await this.keys.findOne({ _id: record.id }, { projection: { expiresAt: 1 } });
    if (found && found.expiresAt.getTime() > Date.now()) return false;
    if (found) await this.keys.deleteOne({ _id: record.id, expiresAt: found.expiresAt });
    return this.insert(toStored(record));
  }

  async takeOver(id: string, attempt: number, leaseUntil: Date, resultId: string): Promise<boolean> {
    const marker: StoredIdempotencyKey = { _id: `${id}#${attempt}`, kind: 'takeover', expiresAt: new Date(Date.now() + this.options.ttlMs) };
    if (!(await this.insert(marker))) return false;
    await this.keys.updateOne({ _id: id }, { $set: { attempt, leaseUntil, resultId } });
    return true;
  }

  async complete(id: string): Promise<void> {
    await this.keys.updateOne({ _id: id }, { $set: { state: 'done' } });
  }

  async release(id: string, attempt: number): Promise<void> {
    await this.keys.deleteOne({ _id: id, state: 'pending', attempt });
  }

  async contractVersionWritten(contractId: string, writeToken: string): Promise<boolean> {
    // The contract's versions (index on contractId), then its versionCount: a version above it is not (yet) visible.
    const version = await this.collections.versions.findOne({ contractId, writeToken }, { projection: { number: 1 } });
    if (!version) return false;
    const contract = await this.collections.contracts.findOne({ _id: contractId }, { projection: { versionCount: 1 } });
    return contract !== null && version.number <= contract.versionCount;
  }

  private async insert(doc: StoredIdempotencyKey): Promise<boolean> {
    try {
      await this.keys.insertOne(doc);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function toStored(r: IdempotencyRecord): StoredIdempotencyKey {
  return {
    _id: r.id,
    kind: 'key',
    mutation: r.mutation,
    inputHash: r.inputHash,
    resultId: r.resultId,
    targetId: r.targetId,
    state: r.state,
    attempt: r.attempt,
    leaseUntil: r.leaseUntil,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
  };
}

function fromStored(d: StoredIdempotencyKey): IdempotencyRecord {
  return {
    id: d._id,
    mutation: d.mutation!,
    inputHash: d.inputHash!,
    resultId: d.resultId!,
    targetId: d.targetId ?? null,
    state: d.state ?? 'pending',
    attempt: d.attempt ?? 0,
    leaseUntil: new Date(d.leaseUntil ?? 0),
    createdAt: new Date(d.createdAt ?? 0),
    expiresAt: new Date(d.expiresAt),
  };
}
