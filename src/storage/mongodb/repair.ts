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
import { settleCatalog, syncCatalog } from './catalog.js';
import { acquire, type ClaimSettings, isDead, parseRevisionKey, release, type StoredClaim } from './claims.js';
import type { Contract } from '../../domain/contracts.js';
import { COLLECTIONS, fromStoredContract, type MongoCollections, type StoredCatalogEntry } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import { type BatchReads, readByIds } from './point-reads.js';

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

/** How many marked contracts one catalog read brings in step at most. */
const PENDING_LIMIT = 50;

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
      const removed = await claims.deleteOne({ _id: claim._id, token: claim.token });
      report.claims += removed.deletedCount;
      continue;
    }
    const held = await acquire(claims, claim._id); // takes the dead claim over; null: a live writer took it first
    if (!held) continue;
    try {
      await repairContract(collections, target.id, target.revision);
      report.claims++;
      report.contracts++;
    } finally {
      await release(claims, held);
    }
  }
  return report;
}

/**
 * The read side, after a catalog read and before its entries are served: the revisions of the entries' contracts
 * (and of `contractIds`, the contracts a caller asked for; point reads) and the marked contracts (a small
 * collection), read at once. Entries of a contract that is gone are removed; marked contracts, contracts whose
 * entries are behind them, and contracts asked for that have schemas but no entry get their catalog step done.
 * True when something was repaired (the caller reads again).
 */
export async function freshenCatalog(
  collections: MongoCollections,
  mode: BatchReads,
  entries: readonly Pick<StoredCatalogEntry, 'contractId' | 'contractRevision'>[],
  contractIds: readonly string[] = [],
): Promise<boolean> {
  const ids = [...new Set([...entries.map((e) => e.contractId), ...contractIds])];
  const [byId, marks] = await Promise.all([
    ids.length ? readByIds(collections.contracts, ids, mode, { projection: { revision: 1, schemaNamesLower: 1 } }) : new Map(),
    collections.catalogPending.find({}, { projection: { _id: 1 } }).limit(PENDING_LIMIT).toArray(),
  ]);
  const stale = new Set<string>(marks.map((m) => m._id));
  const listed = new Set<string>();
  for (const e of entries) {
    listed.add(e.contractId);
    if (byId.get(e.contractId)?.revision !== e.contractRevision) stale.add(e.contractId);
  }
  for (const id of contractIds) if (!listed.has(id) && (byId.get(id)?.schemaNamesLower?.length ?? 0) > 0) stale.add(id);
  for (const id of stale) {
    const doc = await collections.contracts.findOne({ _id: id });
    if (doc) await syncAndSettle(collections, fromStoredContract(doc), null);
    else {
      await collections.catalog.deleteMany({ contractId: id });
      await collections.catalogPending.deleteOne({ _id: id });
    }
  }
  return stale.size > 0;
}
