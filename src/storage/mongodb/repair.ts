/**
 * Repair of what a write cut short (its process killed, or the database lost between two of its steps) leaves
 * behind. Every contract write holds its revision claim (claims.ts) from before its first step until after its
 * last, so a dead claim is the record of a write that may be half done; nothing else needs scanning.
 *
 * What such a write can leave, and who repairs it:
 *  - its claim: taken over by the next writer of that revision at once (claims.ts), removed by the pass below;
 *  - a version above its contract's versionCount (an orphan, invisible to every read): removed by the next write of
 *    the contract (under its claim), by a takeover, and by the pass below;
 *  - catalog entries behind their contract (or of a contract that is gone): brought in step by the next write of
 *    the contract, by any catalog read that meets them (freshenCatalog), by a takeover and by the pass below;
 *  - versions and catalog entries of a deleted contract, and its open approval request: removed (withdrawn) by a
 *    takeover and by the pass below.
 *
 * The pass (repairDeadClaims) runs when the backend is created and then every few leases, so a deployment of
 * several instances repairs a dead instance's writes without a restart.
 */
import { randomUUID } from 'node:crypto';
import type { Collection, Db } from 'mongodb';
import { withdrawForDeletedContract } from './approvals.js';
import { catalogWriteConcurrency, runLimited, settleCatalog, syncByPoints, syncCatalog } from './catalog.js';
import { isClaimLive } from './claim-waits.js';
import { acquire, claimSettingsOf, type ClaimSettings, isDead, keepUntilLeaseEnds, parseRevisionKey, release, removeDead, revisionKey, type StoredClaim } from './claims.js';
import { type CatalogEntry, deriveCatalogEntries } from '../../domain/catalog.js';
import type { Contract } from '../../domain/contracts.js';
import { COLLECTIONS, fromStoredContract, type MongoCollections, type StoredCatalogEntry } from './documents/index.js';
import { isDuplicateKeyError, mayLandLater } from './errors.js';
import { type BatchReads, eachLimited, readByIds } from './point-reads.js';

export const PENDING_COLLECTION = 'catalog_pending';

/**
 * A contract write marks its contract in `catalog_pending` before its contract step (markPending) and removes its
 * mark after its catalog step (syncAndSettle). So a reader of the catalog finds every contract whose catalog may be
 * behind in a collection that only ever holds the writes in flight or cut short, and brings those in step first.
 * A mark left by a write that never reached its contract step is harmless (the catalog is re-derived, then the
 * mark removed).
 */
export interface StoredPendingMark {
  _id: string;
  token: string;
  at: Date;
}

export function pendingOf(db: Db): Collection<StoredPendingMark> {
  return db.collection<StoredPendingMark>(PENDING_COLLECTION);
}

/** Marks contract `id` (the mark's token, for syncAndSettle). A later writer's mark replaces it: any mark will do. */
export async function markPending(collections: MongoCollections, id: string): Promise<string> {
  const token = randomUUID();
  try {
    await collections.catalogPending.replaceOne({ _id: id }, { token, at: new Date() }, { upsert: true });
  } catch (error) {
    // Two upserts of one mark at once (not atomic on FerretDB): a mark is there, which is all a reader needs.
    if (!isDuplicateKeyError(error)) throw error;
  }
  return token;
}

/**
 * The catalog step of a write, then its mark removed (only its own: a concurrent writer's mark stays). `points`:
 * the revision the write replaced, whose entries are then read and written by `_id` (catalog.ts syncByPoints, where
 * `{_id, revision}` is a scan); a repair does not know it and takes the general path.
 */
export async function syncAndSettle(
  collections: MongoCollections,
  contract: Contract,
  token: string | null,
  points: { previous: Contract } | null = null,
): Promise<void> {
  if (token === null) {
    await syncCatalog(collections, contract, points);
    await collections.catalogPending.deleteOne({ _id: contract.id });
    return;
  }
  // Every writer of the contract (deletes included) marks it before its contract step, replacing this mark: while
  // the mark is still this write's own, no newer write has reached its contract step, so the catalog step needs no
  // re-read of the contract (on FerretDB/PostgreSQL every read of it is a scan). Otherwise settle as usual.
  await syncCatalog(collections, contract, points, false);
  if ((await collections.catalogPending.deleteOne({ _id: contract.id, token })).deletedCount !== 1) await settleCatalog(collections, contract);
}

/** How many marked contracts one catalog read brings in step at most, unless configured (GRIOT_CATALOG_READ_REPAIRS). */
export const DEFAULT_CATALOG_READ_REPAIRS = 50;

/** How many dead claims one pass repairs at most (the next pass takes the rest). */
const PASS_LIMIT = 500;

export interface RepairReport {
  /** Dead claims removed. */
  claims: number;
  /** Contracts whose derived state was brought in step. */
  contracts: number;
}

/**
 * Brings the derived state of contract `id` in step with it. `heldRevision`: the revision whose claim the caller
 * holds — orphan versions are removed only when the contract is still at it (otherwise a live writer of a newer
 * revision may be inserting its version right now).
 */
export async function repairContract(collections: MongoCollections, id: string, heldRevision: number | null): Promise<void> {
  const doc = await collections.contracts.findOne({ _id: id });
  if (!doc) {
    await collections.versions.deleteMany({ contractId: id });
    await collections.catalog.deleteMany({ contractId: id });
    await collections.catalogPending.deleteOne({ _id: id });
    const open = await collections.approvals.find({ contractId: id, status: 'open' }, { projection: { _id: 1 } }).toArray();
    for (const request of open) await withdrawForDeletedContract(collections, request._id, null);
    return;
  }
  if (heldRevision !== null && doc.revision === heldRevision) {
    await collections.versions.deleteMany({ contractId: id, number: { $gt: doc.versionCount } });
  }
  await syncAndSettle(collections, fromStoredContract(doc), null);
}

/**
 * Repairs the writes of every dead claim (at most PASS_LIMIT per call) and removes those claims. A contract claim is
 * taken over first, so no live writer runs beside the repair.
 */
export async function repairDeadClaims(collections: MongoCollections, settings: ClaimSettings): Promise<RepairReport> {
  const claims: Collection<StoredClaim> = collections.claims;
  const report: RepairReport = { claims: 0, contracts: 0 };
  const now = Date.now();
  const candidates = await claims.find({}).limit(PASS_LIMIT * 4).toArray();
  for (const claim of candidates) {
    if (report.claims >= PASS_LIMIT) break;
    if (!isDead(claim, settings, now)) continue;
    const target = parseRevisionKey(claim._id);
    if (target?.collection !== COLLECTIONS.contracts) {
      // One remover at a time with the writers taking it over (claims.ts removeDead), never a claim just taken.
      if (await removeDead(claims, settings, claim._id, claim.token)) report.claims++;
      continue;
    }
    const held = await acquire(claims, claim._id); // takes the dead claim over; null: a live writer took it first
    if (!held) continue;
    try {
      await repairContract(collections, target.id, target.revision);
      report.claims++;
      report.contracts++;
    } catch (error) {
      if (mayLandLater(error)) keepUntilLeaseEnds(held); // an orphan's removal may land late (claims.ts)
      throw error;
    } finally {
      await release(claims, held);
    }
  }
  return report;
}

/** A catalog entry a read is about to serve: stored (`_id`) or mapped (`id`). */
export type ServedEntry = Pick<StoredCatalogEntry, '_id' | 'contractId' | 'contractRevision'> | Pick<CatalogEntry, 'id' | 'contractId' | 'contractRevision'>;

/**
 * The read side, after a catalog read and before its entries are served: the revisions of the entries' contracts
 * (and of `contractIds`, the contracts a caller asked for; point reads) and the marked contracts (a small
 * collection), read at once. Stale are: marked contracts (a write in flight or cut short, whose entries may be
 * missing from any filter), contracts whose served entries are of another revision (or gone), and contracts asked
 * for that have schemas but no entry. Each is brought in step by point reads and writes by `_id` alone (no scan on
 * any server): the entries derived from its current document, and the served entries it no longer has. A mark is
 * then removed unless its write may still be running (markSettled). True when a contract was stale (the caller
 * reads again).
 */
/** How many contracts one catalog read repairs at a time (freshenCatalog). */
export const CATALOG_REPAIRS_AT_ONCE = 4;

export async function freshenCatalog(
  collections: MongoCollections,
  mode: BatchReads,
  entries: readonly ServedEntry[],
  contractIds: readonly string[] = [],
  pendingLimit: number = DEFAULT_CATALOG_READ_REPAIRS,
): Promise<boolean> {
  const ids = [...new Set([...entries.map((e) => e.contractId), ...contractIds])];
  const [byId, marks] = await Promise.all([
    ids.length ? readByIds(collections.contracts, ids, mode, { projection: { revision: 1, schemaNamesLower: 1 } }) : new Map(),
    collections.catalogPending.find({}).limit(pendingLimit).toArray(),
  ]);
  const stale = new Map<string, string[]>(marks.map((m) => [m._id, []]));
  const listed = new Set<string>();
  for (const e of entries) {
    listed.add(e.contractId);
    if (byId.get(e.contractId)?.revision !== e.contractRevision && !stale.has(e.contractId)) stale.set(e.contractId, []);
  }
  for (const id of contractIds) if (!listed.has(id) && (byId.get(id)?.schemaNamesLower?.length ?? 0) > 0) stale.set(id, []);
  if (stale.size === 0) return false;
  for (const e of entries) stale.get(e.contractId)?.push('_id' in e ? e._id : e.id);
  const markOf = new Map(marks.map((m) => [m._id, m]));
  // A few contracts at a time, each step bounded by GRIOT_CATALOG_WRITE_CONCURRENCY: one read that meets many marks
  // keeps at most CATALOG_REPAIRS_AT_ONCE times that many catalog commands in flight (FerretDB on PostgreSQL: each
  // holds a connection of its pool; 32 contracts at once, as before, sent over a hundred).
  await eachLimited([...stale], CATALOG_REPAIRS_AT_ONCE, async ([id, served]) => {
    const doc = await collections.contracts.findOne({ _id: id });
    if (!doc) {
      // Gone: its served entries go (the delete removes the rest, or a later read meets them).
      await runLimited(served.map((entryId) => () => collections.catalog.deleteOne({ _id: entryId })), catalogWriteConcurrency(collections.catalog));
    } else {
      const contract = fromStoredContract(doc);
      const derived = deriveCatalogEntries(contract);
      await syncByPoints(collections, contract, derived, served);
      await settleCatalog(collections, contract, [...new Set([...served, ...derived.map((e) => e.id)])]);
    }
    const mark = markOf.get(id);
    if (mark) await markSettled(collections, mark, doc?.revision ?? null);
  });
  // Read again even when this read changed nothing: a concurrent read (or writer) may have repaired the contract
  // after this one's first read, which then still lacks the entries.
  return true;
}

/**
 * Removes a mark a reader has just repaired, unless its write may still be running: the mark is younger than a
 * claim lease, or a live writer holds the contract's claim at its current revision (before its contract step) or
 * at the one before (after it). Such a write's catalog step is still to come, and until then every reader repairs
 * the contract again. Only that very mark is removed (its token): a newer writer's mark stays.
 */
async function markSettled(collections: MongoCollections, mark: StoredPendingMark, revision: number | null): Promise<void> {
  const { leaseMs, protocol } = claimSettingsOf(collections.claims);
  if (Date.now() - new Date(mark.at).getTime() < leaseMs) return;
  // Under cas a mark is the only record of a create or delete cut short: the pass repairs it (contract-cas.ts).
  if (revision === null && protocol === 'cas') return;
  if (revision !== null) {
    const keys = [revision, revision - 1].filter((r) => r >= 0).map((r) => revisionKey(COLLECTIONS.contracts, mark._id, r));
    const live = await Promise.all(keys.map((key) => isClaimLive(collections.claims, key)));
    if (live.some(Boolean)) return;
  }
  await collections.catalogPending.deleteOne({ _id: mark._id, token: mark.token });
}
