/**
 * The key step of a single create (contracts.ts): its ODCS id key, its name key and its first version's key
 * (keys.ts, odcs-ids.ts) go out as one unordered insert, before anything else of the create is written. When no key
 * is taken, that is the whole step: one command where claiming them one by one took three.
 *
 * When the insert meets a taken key (a name or ODCS id in use, a key a crashed write left behind, a create of the
 * same name in flight), the careful way decides, in the order it always had: the ODCS id (odcs-ids.ts claim), then
 * the name (keys.ts claimName). Both accept a key that already names this contract, so what the insert stored counts
 * as claimed, and FerretDB 1.x stopping an unordered insert at its first error changes nothing. A refusal gives back
 * every key this create holds (each only while it still names this contract), so a refused create leaves no key.
 * The version key is then written after the version, as before (putVersionKey, an upsert).
 *
 * Keys are a way in, never the truth (keys.ts): a version key written before its version exists names a number no
 * read finds yet, and one left by a create cut short names a contract that does not exist.
 */
import type { Contract, ContractVersion } from '../../domain/contracts.js';
import type { MongoCollections } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import { claimName, type KeyCollection, nameKeyId, odcsKeyId, releaseName, type StoredContractKey, versionKeyId } from './keys.js';
import type { OdcsIdKeys } from './odcs-ids.js';

export interface CreateKeys {
  /** The first version's key is stored (else the create writes it after the version). */
  versionKey: boolean;
  /**
   * When its keys were taken (ms; contracts.ts: under cas a create gives up three quarters of a lease after it):
   * right before the one insert, or once the first key's claim (the ODCS id's, else the name's) returned, since it
   * may first wait out a create in flight.
   */
  takenAt: number;
  /** Gives every key of the create back (a later step refused it), each only while it still names the contract. */
  release(): Promise<void>;
  /** The same but the name's key, which the caller sets right (keys.ts repairName: the name is another contract's). */
  releaseExceptName(): Promise<void>;
}

/**
 * Takes the keys of `contract` (just planned) and of its first `version`. AlreadyExistsError naming the
 * ODCS id or the name in use (the ODCS id first), with no key of this create left stored.
 */
export async function takeCreateKeys(
  keys: KeyCollection,
  collections: MongoCollections,
  odcsIds: OdcsIdKeys,
  contract: Contract,
  version: ContractVersion,
  odcsId: string | null,
  /** The id was made for this create (not given by the caller): no other write can hold its version key. */
  fresh: boolean,
): Promise<CreateKeys> {
  const contractId = contract.id;
  const at = new Date();
  let takenAt = at.getTime();
  const docs: StoredContractKey[] = [
    ...(odcsId !== null ? [{ _id: odcsKeyId(odcsId), contractId, at }] : []),
    { _id: nameKeyId(contract.name), contractId, at },
    { _id: versionKeyId(contractId, version.version), contractId, number: version.number, at },
  ];
  const releaseOdcsId = () => (odcsId !== null ? odcsIds.release(odcsId, contractId) : Promise.resolve());
  const releaseVersionKey = async () => {
    const _id = versionKeyId(contractId, version.version);
    try {
      // A fresh id's version key can only be this create's; a given id's (an import) is read first.
      const stored = fresh ? null : await keys.findOne({ _id }, { projection: { contractId: 1 } });
      if (fresh || stored?.contractId === contractId) await keys.deleteOne({ _id });
    } catch {
      // a key left behind is harmless (keys.ts)
    }
  };
  const releaseExceptName = async () => {
    await releaseVersionKey();
    await releaseOdcsId();
  };
  const release = async () => {
    await releaseName(keys, contract.name, contractId);
    await releaseExceptName();
  };
  try {
    await keys.insertMany(docs, { ordered: false });
    return { versionKey: true, takenAt, release, releaseExceptName };
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  // A refused claim leaves that key to its holder: only the others can be this create's.
  if (odcsId !== null) {
    try {
      await odcsIds.claim(odcsId, contractId);
    } catch (error) {
      await releaseVersionKey();
      await releaseName(keys, contract.name, contractId);
      throw error;
    }
  }
  takenAt = Date.now();
  try {
    await claimName(keys, collections, contract.name, contractId);
  } catch (error) {
    await releaseExceptName();
    throw error;
  }
  // Without an ODCS id the name is the first key (claimName may have waited out a create in flight first).
  if (odcsId === null) takenAt = Date.now();
  return { versionKey: false, takenAt, release, releaseExceptName };
}
