/**
 * Compare-and-set and short locks that hold on every MongoDB-wire server.
 *
 * A conditional write `replaceOne({_id, revision: R}, …)` is atomic on MongoDB, but NOT on FerretDB 1.x: it finds
 * the matching document and then writes it by `_id` in two steps, so two concurrent writers that read revision R
 * both "match" and both write (measured: 29 of 30 concurrent pairs both won). Its `$inc` is a read-modify-write
 * too (50 concurrent `$inc: 1` added 21). An insert, though, is checked by the unique `_id` index on every server.
 * So a writer first inserts a claim into `write_claims`:
 *  - casReplace / casDelete claim `${collection}/${id}@${R}`: only one writer per (document, revision) gets it, the
 *    others see E11000 and lose. The winner then writes (still filtered on R, which also stops writers that read R
 *    after the winner wrote R+1) and removes its claim;
 *  - withLock claims a key and waits (briefly) while another writer holds it: for `$inc` updates of shared counters.
 *
 * A claim left by a writer that died between its steps would block the document; one older than CLAIM_TTL_MS is
 * removed and the insert retried.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Db, Document, Filter, WithoutId } from 'mongodb';
import { isDuplicateKeyError } from './errors.js';

export const CLAIMS_COLLECTION = 'write_claims';
/** How old a claim must be to count as left behind by a writer that died. Writes hold a claim for milliseconds. */
export const CLAIM_TTL_MS = 30_000;

export interface StoredClaim {
  _id: string;
  token: string;
  at: Date;
}

export function claimsOf(db: Db): Collection<StoredClaim> {
  return db.collection<StoredClaim>(CLAIMS_COLLECTION);
}

/**
 * Replaces the document `id` of `collection` with `replacement` if it is still at `expectedRevision` (its
 * `revision` field) and no other writer is writing that revision right now. False when nothing was written.
 * Errors of the replace itself (e.g. a unique index refusing it) are thrown, the claim released.
 */
export async function casReplace<TDoc extends Document & { _id: string; revision: number }>(
  claims: Collection<StoredClaim>,
  collection: Collection<TDoc>,
  id: string,
  expectedRevision: number,
  replacement: WithoutId<TDoc>,
  /** The server scans for `{_id, revision}` (capabilities.ts idConditions false): under the claim, read by `_id`,
   *  check the revision, write by `_id` (the claim keeps other writers of this revision out in between). */
  byIdAlone = false,
): Promise<boolean> {
  const written = await withClaim(claims, revisionKey(collection.collectionName, id, expectedRevision), async () => {
    if (byIdAlone) {
      const doc = await collection.findOne({ _id: id } as Filter<TDoc>, { projection: { revision: 1 } });
      if (!doc || doc.revision !== expectedRevision) return false;
      return (await collection.replaceOne({ _id: id } as Filter<TDoc>, replacement)).matchedCount === 1;
    }
    const result = await collection.replaceOne({ _id: id, revision: expectedRevision } as Filter<TDoc>, replacement);
    return result.matchedCount === 1;
  });
  return written === true;
}

/** Deletes the document `id` if it is still at `expectedRevision`; its deleted state, or null when nothing was deleted. */
export async function casDelete<TDoc extends Document & { _id: string; revision: number }>(
  claims: Collection<StoredClaim>,
  collection: Collection<TDoc>,
  id: string,
  expectedRevision: number,
): Promise<TDoc | null> {
  const deleted = await withClaim(claims, revisionKey(collection.collectionName, id, expectedRevision), () =>
    collection.findOneAndDelete({ _id: id, revision: expectedRevision } as Filter<TDoc>),
  );
  return (deleted ?? null) as TDoc | null;
}

/** How long withLock waits for a held lock before giving up. */
export const LOCK_WAIT_MS = 10_000;

/** Runs `run` while holding the lock `key` (waiting up to LOCK_WAIT_MS for it); throws when it cannot get it. */
export async function withLock<T>(claims: Collection<StoredClaim>, key: string, run: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (let attempt = 0; ; attempt++) {
    const token = await acquire(claims, key);
    if (token !== null) return release(claims, key, token, run);
    if (Date.now() > deadline) throw new Error(`could not get the write lock ${JSON.stringify(key)} within ${LOCK_WAIT_MS} ms`);
    await backoff(attempt);
  }
}

/** A short random pause before retrying a write that lost to a concurrent one: 1–3 ms at first, at most ~75 ms. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(2 ** attempt, 50) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function revisionKey(collectionName: string, id: string, revision: number): string {
  return `${collectionName}/${id}@${revision}`;
}

/** Runs `run` holding the claim `key`; undefined (nothing run) when another writer holds it. */
async function withClaim<T>(claims: Collection<StoredClaim>, key: string, run: () => Promise<T>): Promise<T | undefined> {
  const token = await acquire(claims, key);
  if (token === null) return undefined;
  return release(claims, key, token, run);
}

async function release<T>(claims: Collection<StoredClaim>, key: string, token: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } finally {
    await claims.deleteOne({ _id: key, token }).catch(() => undefined); // if this fails, the claim expires
  }
}

/** Inserts the claim; its token, or null when a live writer holds it. */
async function acquire(claims: Collection<StoredClaim>, key: string): Promise<string | null> {
  const token = randomUUID();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await claims.insertOne({ _id: key, token, at: new Date() });
      return token;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    if (attempt === 0) {
      const removed = await claims.deleteOne({ _id: key, at: { $lt: new Date(Date.now() - CLAIM_TTL_MS) } });
      if (removed.deletedCount === 0) return null; // held by a live writer
    }
  }
  return null;
}
