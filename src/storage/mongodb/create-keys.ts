/**
 * The key step of a single create (contracts.ts): its ODCS id key, its name key and its first version's key
 * (keys.ts, odcs-ids.ts) go out as one ORDERED insert, in that order, before anything else of the create is
 * written. When no key is taken, that is the whole step: one command where claiming them one by one took three.
 *
 * Ordered, because the keys must be taken in the order they always were: the insert stops at the first taken key,
 * so a create only ever holds a prefix of (ODCS id, name, version). An unordered insert (FerretDB 1.24 goes on past a
 * duplicate, as MongoDB does) let a create whose ODCS id was taken still hold its name, and two creates could then
 * each wait for the other's create to finish (the ODCS id of one, the name of the other): measured, the loser got
 * UNAVAILABLE after two leases instead of AlreadyExistsError.
 *
 * At the taken key the careful way decides, as before: the ODCS id (odcs-ids.ts claim), then the name (keys.ts
 * claimName), each only for a key the insert did not store (its answer says how many it stored, in order). A
 * refusal gives back exactly the keys this create stored, so a refused create leaves none. The version key is then
 * written after the version, as before (putVersionKey, an upsert). A failure of the insert other than a duplicate
 * (a lost answer) may have stored keys: each is given back while it is the very document this create wrote.
 *
 * Keys are a way in, never the truth (keys.ts): a version key written before its version exists names a number no
 * read finds yet, and one left by a create cut short names a contract that does not exist.
 */
import { MongoBulkWriteError } from 'mongodb';
import type { Contract, ContractVersion } from '../../domain/contracts.js';
import type { MongoCollections } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import { claimName, type KeyCollection, nameKeyId, odcsKeyId, releaseName, type StoredContractKey, versionKeyId } from './keys.js';
import type { OdcsIdKeys } from './odcs-ids.js';

export interface CreateKeys {
  /** The first version's key is stored (else the create writes it after the version). */
  versionKey: boolean;
  /**
   * Since when its keys are held (ms; contracts.ts: under cas a create gives up three quarters of a lease after it):
   * the insert's time when it stored the first key, else the time the first key's claim returned (it may first
   * wait out a create in flight).
   */
  takenAt: number;
  /** Gives back every key this create took (a later step refused it). */
  release(): Promise<void>;
  /** The same but the name's key, which the caller sets right (keys.ts repairName: the name is another contract's). */
  releaseExceptName(): Promise<void>;
}

/**
 * Takes the keys of `contract` (just planned) and of its first `version`. AlreadyExistsError naming the ODCS id or
 * the name in use (the ODCS id first), with no key of this create left stored.
 */
export async function takeCreateKeys(
  keys: KeyCollection,
  collections: MongoCollections,
  odcsIds: OdcsIdKeys,
  contract: Contract,
  version: ContractVersion,
  odcsId: string | null,
): Promise<CreateKeys> {
  const contractId = contract.id;
  const at = new Date();
  const versionKey: StoredContractKey = { _id: versionKeyId(contractId, version.version), contractId, number: version.number, at };
  const docs: StoredContractKey[] = [
    ...(odcsId !== null ? [{ _id: odcsKeyId(odcsId), contractId, at }] : []),
    { _id: nameKeyId(contract.name), contractId, at },
    versionKey,
  ];
  // Which keys this create holds, so that a release gives back only those.
  const held = { odcs: false, name: false, version: false };
  const release = async (name: boolean) => {
    if (held.version) await keys.deleteOne({ _id: versionKey._id }).catch(() => undefined);
    if (name && held.name) await releaseName(keys, collections.claims, contract.name, contractId);
    if (held.odcs && odcsId !== null) await odcsIds.release(odcsId, contractId);
  };
  const done = (takenAt: number): CreateKeys => ({ versionKey: held.version, takenAt, release: () => release(true), releaseExceptName: () => release(false) });

  let stored: number;
  try {
    await keys.insertMany(docs, { ordered: true });
    stored = docs.length;
  } catch (error) {
    if (!isDuplicateKeyError(error)) {
      await giveBackIfWritten(keys, collections, docs, odcsIds, odcsId, contract);
      throw error;
    }
    // Ordered: the keys before the taken one are stored, none after it.
    stored = error instanceof MongoBulkWriteError ? error.insertedCount : 0;
  }
  const odcsAt = odcsId !== null ? 0 : -1;
  const nameAt = odcsAt + 1;
  held.odcs = stored > odcsAt && odcsAt >= 0;
  held.name = stored > nameAt;
  held.version = stored === docs.length;
  if (held.version) return done(at.getTime());

  let takenAt = stored > 0 ? at.getTime() : 0;
  if (odcsId !== null && !held.odcs) {
    try {
      await odcsIds.claim(odcsId, contractId);
    } catch (error) {
      await release(true);
      throw error;
    }
    held.odcs = true;
    takenAt = Date.now();
  }
  if (!held.name) {
    try {
      await claimName(keys, collections, contract.name, contractId);
    } catch (error) {
      await release(true);
      throw error;
    }
    held.name = true;
    if (takenAt === 0) takenAt = Date.now(); // no ODCS id: the name is the first key
  }
  return done(takenAt);
}

/**
 * After an insert whose outcome is unknown: removes each of `docs` that is stored as this create wrote it (its
 * contract and its `at`), best effort. A key left behind is harmless and taken over later (keys.ts).
 */
async function giveBackIfWritten(
  keys: KeyCollection,
  collections: MongoCollections,
  docs: readonly StoredContractKey[],
  odcsIds: OdcsIdKeys,
  odcsId: string | null,
  contract: Contract,
): Promise<void> {
  for (const doc of docs) {
    try {
      const found = await keys.findOne({ _id: doc._id }, { projection: { contractId: 1, at: 1 } });
      if (found?.contractId !== contract.id || found.at?.getTime() !== doc.at.getTime()) continue;
      if (odcsId !== null && doc._id === odcsKeyId(odcsId)) await odcsIds.release(odcsId, contract.id);
      else if (doc._id === nameKeyId(contract.name)) await releaseName(keys, collections.claims, contract.name, contract.id);
      else await keys.deleteOne({ _id: doc._id }); // its version key: no other writer touches it
    } catch {
      // left behind: taken over later
    }
  }
}
