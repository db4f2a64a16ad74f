/**
 * Compare-and-set and short locks that hold on every MongoDB-wire server, and that a writer which died (process
 * killed, database lost mid-write) never leaves blocking.
 *
 * A conditional write `replaceOne({_id, revision: R}, …)` is atomic on MongoDB, but NOT on FerretDB 1.x: it finds
 * the matching document and then writes it by `_id` in two steps, so two concurrent writers that read revision R
 * both "match" and both write (measured: 29 of 30 concurrent pairs both won). Its `$inc` is a read-modify-write
 * too (50 concurrent `$inc: 1` added 21). An insert, though, is checked by the unique `_id` index on every server.
 * So a writer first inserts a claim into `write_claims`:
 *  - withRevisionClaim (and casReplace / casDelete, revision-writes.ts) claim `${collection}/${id}@${R}`: one
 *    writer per (document, revision) at a time. A writer that finds the claim held waits while the document is still at R (the holder
 *    writes within milliseconds) and loses only when the revision really moved; so a conflict always has an
 *    actual revision that differs;
 *  - withLock claims a key and waits while other writers hold it: for `$inc` updates of shared counters.
 * A waiter gives up (StorageUnavailableError) only when one live holder kept the claim for two leases.
 *
 * Each claim records its owner (one id per backend instance) and a lease (`expiresAt`, GRIOT_CLAIM_LEASE_MS),
 * renewed by its holder every third of the lease while its write runs. A claim is dead, and is taken over at once,
 * when its lease ran out (its process died or lost the database) or when its owner is this very instance and the
 * claim is not one of its writes in flight (the release failed). A caller that took over a dead claim learns it
 * (`tookOver`), because the dead writer may have left derived state half written (repair.ts).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Collection, Db, Document } from 'mongodb';
import { StorageUnavailableError } from '../errors.js';
import { isDuplicateKeyError, mayLandLater } from './errors.js';
import type { WriteProtocol } from './write-protocol.js';

export const CLAIMS_COLLECTION = 'write_claims';
/** The default lease of a claim. Writes hold a claim for milliseconds; the holder renews it while it writes. */
export const DEFAULT_CLAIM_LEASE_MS = 15_000;
/** Claims stored before leases existed have no `expiresAt`: they count as dead this long after `at`. */
const LEGACY_CLAIM_TTL_MS = 30_000;

export interface StoredClaim {
  _id: string;
  token: string;
  at: Date;
  /** The backend instance that holds it (absent on claims stored before owners were recorded). */
  owner?: string;
  /** The end of the lease (absent on legacy claims). */
  expiresAt?: Date;
}

/** The claim settings of one backend instance. */
export interface ClaimSettings {
  /** Who this instance is: recorded on every claim it takes. */
  owner: string;
  leaseMs: number;
  /** Tokens of this instance's claims whose write is still running. */
  inFlight: Set<string>;
  /** Renewal timers of the claims held now (stopped by close). */
  renewals: Set<NodeJS.Timeout>;
  /** `cas` (write-protocol.ts: the server's conditional updates are atomic): casReplace and casDelete are the
   *  conditional write alone, with no claim document. */
  protocol: WriteProtocol;
}

const settingsByCollection = new WeakMap<Collection<StoredClaim>, ClaimSettings>();

export function claimsOf(db: Db): Collection<StoredClaim> {
  return db.collection<StoredClaim>(CLAIMS_COLLECTION);
}

/** A fresh identity for a backend instance: host, process and a random part (a restarted process is another owner). */
export function newOwnerId(): string {
  return `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
}

/** Gives the backend's claims collection its owner and lease; returns the settings (close() stops renewals). */
export function configureClaims(
  claims: Collection<StoredClaim>,
  options: { owner?: string; leaseMs?: number; protocol?: WriteProtocol } = {},
): ClaimSettings {
  const settings: ClaimSettings = {
    owner: options.owner ?? newOwnerId(),
    leaseMs: options.leaseMs ?? DEFAULT_CLAIM_LEASE_MS,
    inFlight: new Set(),
    renewals: new Set(),
    protocol: options.protocol ?? 'claims',
  };
  settingsByCollection.set(claims, settings);
  return settings;
}

/** Stops every lease renewal of the instance (its process is stopping; held claims then run out). */
export function stopRenewals(settings: ClaimSettings): void {
  for (const timer of settings.renewals) clearInterval(timer);
  settings.renewals.clear();
}

/** The claim settings of the instance that uses `claims` (contract-batch.ts takes a batch's claims with them). */
export function claimSettingsOf(claims: Collection<StoredClaim>): ClaimSettings {
  return settingsOf(claims);
}

function settingsOf(claims: Collection<StoredClaim>): ClaimSettings {
  let settings = settingsByCollection.get(claims);
  if (!settings) settings = configureClaims(claims);
  return settings;
}

/** A claim this instance holds. `lost` turns true when a renewal found it taken over (the lease ran out). */
export interface HeldClaim {
  key: string;
  token: string;
  /** The claim was taken over from a dead writer, whose write may be half done. */
  tookOver: boolean;
  lost: boolean;
  /**
   * No later than the end of its lease as stored: the `expiresAt` this holder inserted, or the last one a renewal
   * wrote and the server confirmed (a renewal in flight only moves the stored one later).
   */
  leaseEnd: number;
  /**
   * Its key is new (a create's `@0` of an id made for it): no claim stood on the key before this one, so no other
   * writer's takeover of a dead claim there can race with it (see release).
   */
  fresh: boolean;
  /** Left to run out rather than released (keepUntilLeaseEnds): the write's outcome is unknown. */
  kept?: boolean;
}

/**
 * Whether a stored claim belongs to a writer that is gone. A claim of this very instance is dead exactly when its
 * write is not in flight, whatever its lease says: a live write of this process is never taken over, however long
 * a loaded database makes it (FerretDB/SQLite at 16 concurrent writers: writes of 17 s against the 15 s lease, and
 * taking those over made two writers of one revision, INTERNAL_SERVER_ERROR and lost versions). Another instance's
 * claim is dead when its lease ran out.
 */
export function isDead(claim: StoredClaim, settings: ClaimSettings, now = Date.now()): boolean {
  if (claim.owner === settings.owner) return !settings.inFlight.has(claim.token);
  const expiresAt = claim.expiresAt ? claim.expiresAt.getTime() : new Date(claim.at).getTime() + LEGACY_CLAIM_TTL_MS;
  return expiresAt < now;
}

/**
 * Inserts the claim `key`, taking over a dead one; null when a live writer holds it.
 */
export async function acquire(claims: Collection<StoredClaim>, key: string): Promise<HeldClaim | null> {
  const attempt = await tryAcquire(claims, key);
  return 'token' in attempt ? attempt : null;
}

/** The claim, or the token of the live writer that holds it (null when unknown). */
async function tryAcquire(claims: Collection<StoredClaim>, key: string, fresh = false): Promise<HeldClaim | { holder: string | null }> {
  const settings = settingsOf(claims);
  let tookOver = false;
  let holder: string | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    const token = randomUUID();
    const now = Date.now();
    settings.inFlight.add(token);
    try {
      await claims.insertOne({ _id: key, token, owner: settings.owner, at: new Date(now), expiresAt: new Date(now + settings.leaseMs) });
      const held: HeldClaim = { key, token, tookOver, lost: false, leaseEnd: now + settings.leaseMs, fresh: fresh && !tookOver };
      startRenewal(claims, settings, held);
      return held;
    } catch (error) {
      if (!isDuplicateKeyError(error)) {
        // The insert may have been applied although its answer was lost (a time limit, a dropped connection):
        // remove it, if it is there, rather than leave it to run out.
        await claims.deleteOne({ _id: key, token }).catch(() => undefined);
        settings.inFlight.delete(token);
        throw error;
      }
      settings.inFlight.delete(token);
    }
    const existing = await claims.findOne({ _id: key });
    if (!existing) continue; // released meanwhile
    holder = existing.token;
    if (!isDead(existing, settings)) return { holder };
    if (await removeDead(claims, settings, key, existing.token)) tookOver = true;
  }
  return { holder };
}

/**
 * Removes the dead claim of `key` (token `dead`); true when this call removed it. The takers of one dead claim go
 * one at a time, under a short claim of their own (`takeover/<key>`), each reading the claim again first: a delete
 * by `{_id, token}` finds, then deletes by `_id` on FerretDB 1.x, so a slow taker's delete could remove the claim a
 * faster taker had just inserted, and both then wrote the same revision (measured: one of six concurrent updates
 * at a dead claim lost its claim mid-write, every run). No one but such a taker removes a dead claim, and an insert
 * cannot replace one, so the read stays true until the delete. A takeover claim left by a taker that died is itself
 * removed once dead (that second removal is not guarded: it needs two writers dying at one key).
 */
export async function removeDead(claims: Collection<StoredClaim>, settings: ClaimSettings, key: string, dead: string): Promise<boolean> {
  const lockKey = `takeover/${key}`;
  const token = randomUUID();
  const now = Date.now();
  settings.inFlight.add(token); // this instance's own takeover in flight: never dead to it
  let landing = false;
  try {
    try {
      await claims.insertOne({ _id: lockKey, token, owner: settings.owner, at: new Date(now), expiresAt: new Date(now + settings.leaseMs) });
    } catch (error) {
      if (!isDuplicateKeyError(error)) {
        await claims.deleteOne({ _id: lockKey, token }).catch(() => undefined);
        throw error;
      }
      const taker = await claims.findOne({ _id: lockKey });
      if (taker && isDead(taker, settings)) await claims.deleteOne({ _id: lockKey, token: taker.token });
      return false; // another writer is taking it over
    }
    try {
      if ((await claims.findOne({ _id: key }, { projection: { token: 1 } }))?.token !== dead) return false;
      return (await claims.deleteOne({ _id: key })).deletedCount === 1;
    } catch (error) {
      // Its answer lost, the delete may land late, after the next holder inserted its claim: the takeover claim
      // stays until its lease ends, so that no other taker goes on meanwhile.
      landing = mayLandLater(error);
      throw error;
    } finally {
      // By its token: were this taker slower than a lease, another may hold the takeover claim by now.
      if (!landing) await claims.deleteOne({ _id: lockKey, token }).catch(() => undefined); // else it runs out after a lease
    }
  } finally {
    if (landing) forgetAfterLease(settings, token);
    else settings.inFlight.delete(token);
  }
}

/**
 * Waits for a held claim: true while other writers make progress (the holder changes), false once one live holder
 * kept it for two leases (it is stuck: its database is too slow, or its process froze).
 */
export function progressWatch(claims: Collection<StoredClaim>): (holder: string | null) => boolean {
  const patience = 2 * settingsOf(claims).leaseMs;
  let last: string | null = null;
  let since = Date.now();
  return (holder) => {
    if (holder !== last) {
      last = holder;
      since = Date.now();
    }
    return Date.now() - since <= patience;
  };
}

/**
 * Removes the claim (if this holder still has it). If that fails, the claim is dead anyway: it is never renewed.
 *
 * A fresh claim (HeldClaim.fresh) whose lease has more than a third left is deleted by `_id` at once, without the
 * read: nobody else can hold its key. Another instance takes a claim over only once its lease ran out, this one
 * never while the write is in flight (isDead), and the race the read guards against needs a dead claim that stood
 * on the key before this one (two writers taking it over at once, FerretDB's non-atomic delete of one removing the
 * other's new claim), which a new key never had. Every other claim is read first, as below.
 *
 * Without a scan: `{_id, token}` is a full scan of write_claims on FerretDB 1.x (only a lone `_id` equality is
 * pushed down), so the claim is read by `_id` and, when it is this holder's, deleted by `_id` alone. That is safe
 * while its lease has more than a third left: no other instance takes a claim over before its lease ran out, and
 * this one does not while the write is in flight (it is forgotten only after the delete). With less left (a
 * renewal came late) the delete keeps the token in its filter.
 */
export async function release(claims: Collection<StoredClaim>, held: HeldClaim): Promise<void> {
  const settings = settingsOf(claims);
  stopRenewal(settings, held);
  if (held.kept) return forgetAfterLease(settings, held.token);
  // Removed first, forgotten after: while the delete runs, a waiter must not take the claim for a dead one (a
  // takeover's delete is not atomic on FerretDB and could remove the next holder's claim).
  const remove = async () => {
    if (held.fresh && !held.lost && held.leaseEnd - Date.now() > settings.leaseMs / 3) {
      await claims.deleteOne({ _id: held.key });
      return;
    }
    const stored = await claims.findOne({ _id: held.key });
    if (!stored || stored.token !== held.token) return; // taken over (its lease ran out): not this holder's now
    const left = stored.expiresAt ? stored.expiresAt.getTime() - Date.now() : 0;
    await claims.deleteOne(left > settings.leaseMs / 3 ? { _id: held.key } : { _id: held.key, token: held.token });
  };
  try {
    await remove();
  } catch (error) {
    // Its answer lost, the delete by `_id` may land late, after the next holder inserted its claim: no second try.
    if (mayLandLater(error)) return forgetAfterLease(settings, held.token);
    await remove().catch(() => undefined); // once more (a busy database); then it runs out
  }
  settings.inFlight.delete(held.token);
}

/** Keeps `token` in flight to this instance (so its claim stays live to it) for a whole lease from now, no earlier
 *  than any `expiresAt` stored for it: what other instances go by. */
function forgetAfterLease(settings: ClaimSettings, token: string): void {
  setTimeout(() => settings.inFlight.delete(token), settings.leaseMs).unref();
}

/**
 * Leaves the claim to run out instead of releasing it: the write's last step was sent but its answer was lost, so
 * it may still land. Renewals stop, and until the lease ends the claim stays live, to this instance too, so a
 * writer that waits on it (claim-waits.ts) waits as long as that step may land. Then it is dead, and whoever takes
 * it over repairs what the write left, as after a crash (repair.ts).
 */
export function keepUntilLeaseEnds(held: HeldClaim): void {
  held.kept = true;
}

const renewalTimers = new WeakMap<HeldClaim, NodeJS.Timeout>();

function startRenewal(claims: Collection<StoredClaim>, settings: ClaimSettings, held: HeldClaim): void {
  const timer = setInterval(() => {
    const leaseEnd = Date.now() + settings.leaseMs;
    claims
      .updateOne({ _id: held.key, token: held.token }, { $set: { expiresAt: new Date(leaseEnd) } })
      .then((result) => {
        if (result.matchedCount === 0) held.lost = true;
        else held.leaseEnd = Math.max(held.leaseEnd, leaseEnd);
      })
      .catch(() => undefined); // the database is away: the lease may run out, and the write will fail anyway
  }, Math.max(1, Math.floor(settings.leaseMs / 3)));
  timer.unref();
  settings.renewals.add(timer);
  renewalTimers.set(held, timer);
}

function stopRenewal(settings: ClaimSettings, held: HeldClaim): void {
  const timer = renewalTimers.get(held);
  if (!timer) return;
  clearInterval(timer);
  settings.renewals.delete(timer);
  renewalTimers.delete(held);
}

/** Throws when the claim was taken over by another writer (its lease ran out): this write must not go on. */
export function assertHeld(held: HeldClaim | null): void {
  if (held?.lost) throw lostClaim(held);
}

function lostClaim(held: HeldClaim): StorageUnavailableError {
  return new StorageUnavailableError(`the write claim ${JSON.stringify(held.key)} ran out before the write finished`);
}

/**
 * Checks, by a point read of the claim (`_id` alone), that this writer still holds it: right before a step that
 * only the holder may take (the contract's replace, removing orphan versions). `lost` alone is not enough: it is
 * learnt from a renewal, which comes late on a loaded database, while another instance may already have taken the
 * claim over (its lease ran out). StorageUnavailableError (the write did not happen; retry) when it was lost.
 */
export async function confirmHeld(claims: Collection<StoredClaim>, held: HeldClaim): Promise<void> {
  if (held.lost) throw lostClaim(held);
  const stored = await claims.findOne({ _id: held.key });
  if (!stored || stored.token !== held.token) {
    held.lost = true;
    throw lostClaim(held);
  }
}

export type RevisionClaimOutcome<T> = { ok: true; value: T } | { ok: false };

/**
 * Runs `run` holding the claim on (document `id` of `collection`, revision `expectedRevision`). While a live writer
 * holds it, waits as long as the document is still at that revision (at most two leases); `{ok: false}` (nothing
 * run) once the document is gone or at another revision. `onTakeover` runs first, under the claim, when the claim
 * was taken over from a dead writer.
 */
export async function withRevisionClaim<T>(
  claims: Collection<StoredClaim>,
  collection: Collection<Document & { _id: string; revision: number }>,
  id: string,
  expectedRevision: number,
  run: (held: HeldClaim) => Promise<T>,
  onTakeover?: (held: HeldClaim) => Promise<void>,
  /** The key is new (a create's `@0` of an id made for it): HeldClaim.fresh. */
  fresh = false,
): Promise<RevisionClaimOutcome<T>> {
  const key = revisionKey(collection.collectionName, id, expectedRevision);
  const patient = progressWatch(claims);
  for (let attempt = 0; ; attempt++) {
    const outcome = await tryAcquire(claims, key, fresh && attempt === 0);
    if ('token' in outcome) {
      const held = outcome;
      try {
        if (held.tookOver && onTakeover) await onTakeover(held);
        return { ok: true, value: await run(held) };
      } catch (error) {
        if (mayLandLater(error)) keepUntilLeaseEnds(held); // released now, another writer of this revision would go on
        throw error;
      } finally {
        await release(claims, held);
      }
    }
    const doc = await collection.findOne({ _id: id }, { projection: { revision: 1 } });
    if (!doc || doc.revision !== expectedRevision) return { ok: false };
    if (!patient(outcome.holder)) throw new StorageUnavailableError(`another writer has held ${JSON.stringify(key)} for too long`);
    await backoff(attempt);
  }
}

/**
 * Runs `run` while holding the lock `key`, waiting while other writers hold it and make progress;
 * StorageUnavailableError when one live holder kept it for two leases.
 */
export async function withLock<T>(claims: Collection<StoredClaim>, key: string, run: () => Promise<T>): Promise<T> {
  const patient = progressWatch(claims);
  for (let attempt = 0; ; attempt++) {
    const outcome = await tryAcquire(claims, key);
    if ('token' in outcome) {
      try {
        return await run();
      } catch (error) {
        if (mayLandLater(error)) keepUntilLeaseEnds(outcome);
        throw error;
      } finally {
        await release(claims, outcome);
      }
    }
    if (!patient(outcome.holder)) throw new StorageUnavailableError(`the write lock ${JSON.stringify(key)} has been held by one writer for too long`);
    await backoff(attempt);
  }
}

/** A short random pause before retrying a write that lost to a concurrent one: 1–3 ms at first, at most ~75 ms. */
export function backoff(attempt: number): Promise<void> {
  const ms = Math.min(2 ** attempt, 50) * (0.5 + Math.random());
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function revisionKey(collectionName: string, id: string, revision: number): string {
  return `${collectionName}/${id}@${revision}`;
}

/** The (collection, id, revision) of a claim made by withRevisionClaim, or null for another kind of claim (a lock). */
export function parseRevisionKey(key: string): { collection: string; id: string; revision: number } | null {
  const match = /^([^/]+)\/(.+)@(\d+)$/.exec(key);
  return match ? { collection: match[1]!, id: match[2]!, revision: Number(match[3]) } : null;
}

/** The write protocol of the instance that uses `claims` (write-protocol.ts). */
export function protocolOf(claims: Collection<StoredClaim>): WriteProtocol {
  return settingsOf(claims).protocol;
}

/** The lease of the instance that uses `claims`: under `cas`, also how long a write counts as in flight. */
export function leaseOf(claims: Collection<StoredClaim>): number {
  return settingsOf(claims).leaseMs;
}
