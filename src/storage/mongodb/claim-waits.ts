/**
 * Waiting for the writer that holds a claim (claims.ts): a create in flight that another create's key points at
 * (waitForCreate), a claim a read depends on (waitWhileHeld), and whether one is held now (isClaimLive).
 */
import type { Collection, Document, Filter } from 'mongodb';
import { StorageUnavailableError } from '../errors.js';
import { backoff, claimSettingsOf as settingsOf, isDead, progressWatch, revisionKey, type StoredClaim } from './claims.js';

/**
 * Waits while the create of contract `contractId` may still be in flight: a key (name or ODCS id, written at
 * `keyAt`) names that contract, which does not exist yet. Under `claims` that is while the create's `@0` claim is
 * live; under `cas` (no claim) while the key is younger than a lease (a create gives up past three quarters of a
 * lease since its first key, contracts.ts), polled until the contract appears or the key is given back (a create
 * that was refused or gave up removes its keys). A key of a contract whose delete was cut short looks the same and
 * is taken over after a lease (a finished delete removes the keys that still name it). The caller then reads the contract again: there
 * (the key is taken) or not (the key is taken over).
 */
export async function waitForCreate<T extends Document & { _id: string }>(
  claims: Collection<StoredClaim>,
  contracts: Collection<T>,
  contractId: string,
  keyAt: Date,
  /** Under cas: whether the key that named the create still does (false once that create gave it back). */
  keyStands: () => Promise<boolean>,
): Promise<void> {
  const settings = settingsOf(claims);
  const exists = async () => (await contracts.findOne({ _id: contractId } as Filter<T>, { projection: { _id: 1 } })) !== null;
  // Until the contract lands: a create that kept its claim after a lost answer (claims.ts keepUntilLeaseEnds) holds it
  // for a whole lease even when its insert landed at once.
  if (settings.protocol !== 'cas') return waitWhileHeld(claims, revisionKey(contracts.collectionName, contractId, 0), exists);
  for (let attempt = 0; Date.now() - keyAt.getTime() <= settings.leaseMs; attempt++) {
    if (await exists()) return;
    if (!(await keyStands())) return; // given back (refused, or gave up): no need to wait out its lease
    await backoff(attempt);
  }
}

/** Whether a live writer holds the claim `key` now. */
export async function isClaimLive(claims: Collection<StoredClaim>, key: string): Promise<boolean> {
  const claim = await claims.findOne({ _id: key });
  return claim !== null && !isDead(claim, settingsOf(claims));
}

/**
 * Waits while a live writer holds the claim `key` (it is finishing a write the caller depends on); returns once the
 * claim is released or dead, or (`done`, checked while it is held) the write the caller waits for is visible.
 * StorageUnavailableError when one holder kept it for two leases.
 */
export async function waitWhileHeld(claims: Collection<StoredClaim>, key: string, done?: () => Promise<boolean>): Promise<void> {
  const patient = progressWatch(claims);
  for (let attempt = 0; ; attempt++) {
    const claim = await claims.findOne({ _id: key });
    if (!claim || isDead(claim, settingsOf(claims))) return;
    if (done && (await done())) return;
    if (!patient(claim.token)) throw new StorageUnavailableError(`another writer has held ${JSON.stringify(key)} for too long`);
    await backoff(attempt);
  }
}
