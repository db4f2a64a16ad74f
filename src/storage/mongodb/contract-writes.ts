/**
 * The steps of contract writes that deal with claims and versions (contracts.ts runs them): the contract's revision
 * claim around a whole write (none under the cas protocol: contract-cas.ts), the insert of a new version under it,
 * the conditional contract step, and the compensation of a failed write.
 */
import type { Collection, Document, WithoutId } from 'mongodb';
import type { Contract, ContractVersion } from '../../domain/contracts.js';
import { AlreadyExistsError } from '../../domain/errors.js';
import { confirmHeld, type HeldClaim, protocolOf, withRevisionClaim } from './claims.js';
import { headFilter, insertVersionCas, matchesHead } from './contract-cas.js';
import { StorageUnavailableError } from '../errors.js';
import { type MongoCollections, type StoredContract, toStoredVersion } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import { contractConflict } from './lookups.js';
import { repairContract } from './repair.js';

/**
 * Runs `run` holding the claim on revision `expectedRevision` of contract `id`. A claim taken over from a dead
 * writer is repaired first (repair.ts). A contract that is gone or at another revision: NotFoundError or
 * ConflictError (with the actual revision), nothing run. Under the cas protocol there is no claim: `run` gets null
 * and its conditional contract step alone decides (contract-cas.ts).
 */
export async function claimContract<T>(
  collections: MongoCollections,
  id: string,
  expectedRevision: number,
  run: (held: HeldClaim | null) => Promise<T>,
  /** `id` was made for this write (a create without a given id): its claim's key is new (claims.ts HeldClaim.fresh). */
  fresh = false,
): Promise<T> {
  if (protocolOf(collections.claims) === 'cas') return run(null);
  const outcome = await withRevisionClaim(
    collections.claims,
    collections.contracts as unknown as Collection<Document & { _id: string; revision: number }>,
    id,
    expectedRevision,
    run,
    () => repairContract(collections, id, expectedRevision),
    fresh,
  );
  if (!outcome.ok) throw await contractConflict(collections, id, expectedRevision);
  return outcome.value;
}

/**
 * Inserts the next version, holding the contract's claim. A duplicate key means: the contract moved on since it
 * was read (ConflictError with its revision); or the version string is already a visible version of this
 * contract (AlreadyExistsError, as in memory); or a write that was cut short left its version above versionCount
 * (an orphan: no other writer can be at this revision, as this one holds its claim, which is confirmed first),
 * which is removed before one retry. A duplicate again means another writer of this revision took the claim over
 * (this one's lease ran out): StorageUnavailableError, nothing written.
 */
export async function insertVersion(
  collections: MongoCollections,
  current: Contract,
  expectedRevision: number,
  version: ContractVersion,
  token: string,
  held: HeldClaim | null,
  byIdAlone = false,
): Promise<void> {
  const { versions } = collections;
  const stored = toStoredVersion(version, token);
  const insert = async (): Promise<boolean> => {
    try {
      await versions.insertOne(stored);
      return true;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      return false;
    }
  };
  // The contract moved on (ConflictError), or the version string is a visible version (AlreadyExistsError).
  const check = async (): Promise<number> => {
    const fresh = await collections.contracts.findOne({ _id: current.id }, { projection: { revision: 1, versionCount: 1 } });
    if (!fresh || fresh.revision !== expectedRevision) throw await contractConflict(collections, current.id, expectedRevision);
    const taken = await versions.findOne(
      { contractId: current.id, version: version.version, number: { $lte: fresh.versionCount } },
      { projection: { _id: 1 } },
    );
    if (taken) throw new AlreadyExistsError('ContractVersion', 'version', version.version);
    return fresh.versionCount;
  };
  // No claim (cas): the slot's occupant is a write in flight or an orphan (contract-cas.ts).
  if (held === null) return insertVersionCas(collections, current.id, expectedRevision, version.id, byIdAlone, insert, async () => void (await check()));
  if (await insert()) return;
  const versionCount = await check();
  // Only the holder may remove the versions above versionCount: another writer's would be its write in flight.
  await confirmHeld(collections.claims, held);
  await versions.deleteMany({ contractId: current.id, number: { $gt: versionCount } });
  try {
    await versions.insertOne(stored);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const now = await collections.contracts.findOne({ _id: current.id }, { projection: { revision: 1 } });
    if (!now || now.revision !== expectedRevision) throw await contractConflict(collections, current.id, expectedRevision);
    throw new StorageUnavailableError(`another writer took over the write of contract ${current.id} at revision ${expectedRevision}`);
  }
}

/** Compensation: removes the version this write inserted (and only that one). Best effort: if it fails, the
 *  version stays invisible (its number is above versionCount) and the next write (or repair) removes it. */
export async function discardVersion(collections: MongoCollections, version: ContractVersion, token: string): Promise<void> {
  try {
    await collections.versions.deleteOne({ _id: version.id, writeToken: token });
  } catch {
    // invisible anyway; see above
  }
}

/**
 * The contract step, under the contract's claim: replaces contract `id` if it is still at `expectedRevision`; false
 * when it is gone or at another revision. `byIdAlone` (capabilities.ts idConditions false: `{_id, revision}` is a
 * scan there) reads it by `_id`, checks the revision and writes by `_id`; the claim keeps every other writer of
 * this revision out in between. Under cas (`held` null) the conditional replace alone decides; `fenceToken`, the
 * write token of an update's version, must then not be fenced (contract-cas.ts).
 */
export async function replaceAtRevision(
  collections: MongoCollections,
  id: string,
  expectedRevision: number,
  replacement: WithoutId<StoredContract>,
  byIdAlone: boolean,
  held: HeldClaim | null,
  fenceToken: string | null = null,
): Promise<boolean> {
  const { contracts } = collections;
  const fenced = held === null && fenceToken !== null;
  if (!byIdAlone) {
    if (held) await confirmHeld(collections.claims, held);
    const filter = fenced ? headFilter(id, expectedRevision, fenceToken) : { _id: id, revision: expectedRevision };
    return (await contracts.replaceOne(filter, replacement)).matchedCount === 1;
  }
  // The claim's check and the revision's read are both reads, needed before the replace: side by side.
  const [doc] = await Promise.all([
    contracts.findOne({ _id: id }, { projection: { revision: 1, fencedWrites: 1 } }),
    held ? confirmHeld(collections.claims, held) : null,
  ]);
  if (fenced ? !matchesHead(doc, expectedRevision, fenceToken) : !doc || doc.revision !== expectedRevision) return false;
  return (await contracts.replaceOne({ _id: id }, replacement)).matchedCount === 1;
}

/** The delete step, under the contract's claim: its deleted state, or null when it is gone or at another revision. */
export async function deleteAtRevision(
  collections: MongoCollections,
  id: string,
  expectedRevision: number,
  byIdAlone: boolean,
  held: HeldClaim | null,
): Promise<StoredContract | null> {
  const { contracts } = collections;
  if (!byIdAlone) {
    if (held) await confirmHeld(collections.claims, held);
    return contracts.findOneAndDelete({ _id: id, revision: expectedRevision });
  }
  const [doc] = await Promise.all([contracts.findOne({ _id: id }), held ? confirmHeld(collections.claims, held) : null]);
  if (!doc || doc.revision !== expectedRevision) return null;
  return (await contracts.deleteOne({ _id: id })).deletedCount === 1 ? doc : null;
}
