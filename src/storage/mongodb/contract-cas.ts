/**
 * Contract writes under the `cas` write protocol (write-protocol.ts: the server's conditional updates are atomic,
 * MongoDB), where they take no write claim. What the claim gave, and what stands in for it here:
 *  - one winner per revision: the contract step is the conditional write itself (`{_id, revision}`);
 *  - the version slot: a new version is `${id}@${versionCount + 1}`, so two updates of one revision meet at its
 *    unique `_id`. A version found in the slot is a write in flight (its writer moves the contract within
 *    milliseconds; the other then hears a ConflictError with the new revision) or one cut short or lost (an orphan,
 *    invisible: above versionCount). One older than a lease counts as an orphan: its write token is FENCED on the
 *    contract first (`fencedWrites`, a conditional `$addToSet` on the revision), and an update's contract step
 *    matches only while its own token is not fenced, so a writer that was merely slow can no longer move the
 *    contract to a version that was removed; then the orphan is removed and the slot is free. `fencedWrites` lives
 *    only until the next contract step (every step replaces the whole document);
 *  - a create's uniqueness: its ODCS id and name keys (unique `_id`); a key whose contract does not exist is a
 *    create in flight while it is younger than a lease (claims.ts waitForCreate), and a create gives up past three
 *    quarters of a lease since its first key (contracts.ts);
 *  - the record of a write cut short: the contract's `catalog_pending` mark (repair.ts), set before the contract
 *    step (a create: before its version); marks older than a lease are repaired by the pass below (orphans, the
 *    catalog, what a cut delete or create left). An update's orphan cut before its mark is removed by the next
 *    update of that contract (freeSlot).
 */
import type { Filter } from 'mongodb';
import { ConflictError } from '../../domain/errors.js';
import { StorageUnavailableError } from '../errors.js';
import { backoff, leaseOf } from './claims.js';
import type { MongoCollections, StoredContract, StoredVersion } from './documents/index.js';
import { contractConflict } from './lookups.js';
import { repairContract } from './repair.js';

/** How many times a writer frees a version slot and inserts again before it gives up (UNAVAILABLE). */
const SLOT_ATTEMPTS = 4;
/** How many stale marks one pass repairs at most (the next pass takes the rest). */
const MARKS_PER_PASS = 500;

/** The filter of an update's contract step under cas: the revision, and this write not fenced. */
export function headFilter(id: string, expectedRevision: number, token: string): Filter<StoredContract> {
  return { _id: id, revision: expectedRevision, fencedWrites: { $ne: token } };
}

/** Whether a contract document (read by `_id`) still matches headFilter: the by-`_id` path of byIdAlone servers. */
export function matchesHead(doc: Pick<StoredContract, 'revision' | 'fencedWrites'> | null, expectedRevision: number, token: string): boolean {
  return doc !== null && doc.revision === expectedRevision && !(doc.fencedWrites ?? []).includes(token);
}

/**
 * Fences the write `token` on contract `id` while it is at `revision`: its contract step can then never match.
 * False when the contract is gone or at another revision (nothing fenced; the slot's writer may have won).
 */
async function fence(collections: MongoCollections, id: string, revision: number, token: string, byIdAlone: boolean): Promise<boolean> {
  const { contracts } = collections;
  if (!byIdAlone) return (await contracts.updateOne({ _id: id, revision }, { $addToSet: { fencedWrites: token } })).matchedCount === 1;
  const doc = await contracts.findOne({ _id: id }, { projection: { revision: 1 } });
  if (!doc || doc.revision !== revision) return false;
  return (await contracts.updateOne({ _id: id }, { $addToSet: { fencedWrites: token } })).matchedCount === 1;
}

/** Whether an orphan candidate's write may still be in flight: it began less than a lease ago. */
function young(collections: MongoCollections, version: Pick<StoredVersion, 'createdAt'>): boolean {
  return Date.now() - new Date(version.createdAt).getTime() < leaseOf(collections.claims);
}

/** Fences and removes one orphan version of contract `id` at `revision`; false when the contract moved meanwhile. */
async function removeOrphan(
  collections: MongoCollections,
  id: string,
  revision: number,
  orphan: Pick<StoredVersion, '_id' | 'writeToken'>,
  byIdAlone: boolean,
): Promise<boolean> {
  if (!(await fence(collections, id, revision, orphan.writeToken, byIdAlone))) return false;
  await collections.versions.deleteOne({ _id: orphan._id, writeToken: orphan.writeToken });
  return true;
}

/**
 * An update found the version slot `slotId` taken (a duplicate key on insert) while contract `id` is still at
 * `expectedRevision`: waits while the slot's write may be in flight and the contract stays at the revision, then
 * removes the orphan (fenced first). Returns once the slot is free; ConflictError (with the new revision) or
 * NotFoundError once the contract moved or is gone.
 */
async function freeSlot(collections: MongoCollections, id: string, expectedRevision: number, slotId: string, byIdAlone: boolean): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const occupant = await collections.versions.findOne({ _id: slotId }, { projection: { writeToken: 1, createdAt: 1 } });
    if (!occupant) return;
    if (!young(collections, occupant)) {
      if (await removeOrphan(collections, id, expectedRevision, occupant, byIdAlone)) return;
      throw await contractConflict(collections, id, expectedRevision);
    }
    await backoff(attempt);
    const now = await collections.contracts.findOne({ _id: id }, { projection: { revision: 1 } });
    if (!now || now.revision !== expectedRevision) throw await contractConflict(collections, id, expectedRevision);
  }
}

/**
 * Inserts an update's version under cas: `insert` once, and after a duplicate in the slot (`check` first rules out
 * a conflict or a visible version of that string) frees the slot and inserts again, a few times at most.
 */
export async function insertVersionCas(
  collections: MongoCollections,
  id: string,
  expectedRevision: number,
  slotId: string,
  byIdAlone: boolean,
  insert: () => Promise<boolean>,
  check: () => Promise<void>,
): Promise<void> {
  for (let attempt = 0; attempt < SLOT_ATTEMPTS; attempt++) {
    if (await insert()) return;
    await check();
    await freeSlot(collections, id, expectedRevision, slotId, byIdAlone);
  }
  throw new StorageUnavailableError(`the next version of contract ${id} at revision ${expectedRevision} was taken ${SLOT_ATTEMPTS} times`);
}

/**
 * The error of an update's contract step that matched nothing under cas: ConflictError or NotFoundError when the
 * contract moved or is gone; StorageUnavailableError (retry) when it is still at the revision, i.e. this write was
 * fenced (it was taken for an orphan: slower than a lease).
 */
export async function lostHeadMove(collections: MongoCollections, id: string, expectedRevision: number): Promise<Error> {
  const error = await contractConflict(collections, id, expectedRevision);
  if (error instanceof ConflictError && error.actualRevision === null) {
    return new StorageUnavailableError(`the write of contract ${id} at revision ${expectedRevision} took longer than a lease and was taken over`);
  }
  return error;
}

/**
 * The repair pass under cas (index.ts runs it with repairDeadClaims): every `catalog_pending` mark older than a
 * lease is a write cut short (or one slower than a lease). Its contract's orphan versions older than a lease are
 * fenced and removed, then the contract is repaired as after a claim takeover (repair.ts repairContract: a contract
 * that is gone loses its versions, catalog entries, mark and open approval request; one that exists gets its
 * catalog in step and its mark removed). Returns how many contracts it repaired.
 */
export async function repairStaleMarks(collections: MongoCollections, byIdAlone: boolean): Promise<number> {
  const cutoff = new Date(Date.now() - leaseOf(collections.claims));
  const marks = await collections.catalogPending.find({ at: { $lt: cutoff } }, { projection: { _id: 1 } }).limit(MARKS_PER_PASS).toArray();
  for (const { _id: id } of marks) {
    const doc = await collections.contracts.findOne({ _id: id }, { projection: { revision: 1, versionCount: 1 } });
    if (doc) {
      const orphans = await collections.versions
        .find({ contractId: id, number: { $gt: doc.versionCount } }, { projection: { writeToken: 1, createdAt: 1 } })
        .toArray();
      for (const orphan of orphans) if (!young(collections, orphan)) await removeOrphan(collections, id, doc.revision, orphan, byIdAlone);
    }
    await repairContract(collections, id, null);
  }
  return marks.length;
}
