/**
 * Reads that writes of runs, records and issues make before writing: the referenced things must exist. A contract's
 * `version` is its served version (domain/lifecycle servedVersionNumber): runs and records default to it. Any visible
 * version (number up to versionCount, drafts included) may be named explicitly.
 */
import { type ContractVersion, versionId } from '../../domain/contracts.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { fromStoredVersion, type MongoCollections, type StoredContract } from './documents/index.js';
import { type KeyCollection, versionsByKey } from './keys.js';

export type ContractHead = Pick<StoredContract, '_id' | 'name' | 'version' | 'versionCount' | 'autoOpenIssues'>;

/** The contract's metadata needed by writes that refer to it; NotFoundError('Contract', id) when there is none. */
export async function findContract(collections: MongoCollections, id: string): Promise<ContractHead> {
  const contract = await collections.contracts.findOne(
    { _id: id },
    { projection: { _id: 1, name: 1, version: 1, versionCount: 1, autoOpenIssues: 1 } },
  );
  if (!contract) throw new NotFoundError('Contract', id);
  return contract;
}

/**
 * `version` must be one of the contract's visible versions: NotFoundError('ContractVersion', `${name}@${version}`).
 * Two point reads: the version key, then the version (keys.ts).
 */
export async function checkVersion(collections: MongoCollections, keys: KeyCollection, contract: ContractHead, version: string): Promise<void> {
  const [found] = await versionsByKey(keys, collections, [{ contractId: contract._id, version }], 'points');
  if (!found || found.number > contract.versionCount) throw new NotFoundError('ContractVersion', `${contract.name}@${version}`);
}

/** The error for a compare-and-set on a contract that matched nothing: the contract is gone, or at another revision. */
export async function contractConflict(collections: MongoCollections, id: string, expectedRevision: number): Promise<NotFoundError | ConflictError> {
  const doc = await collections.contracts.findOne({ _id: id }, { projection: { revision: 1 } });
  if (!doc) return new NotFoundError('Contract', id);
  return new ConflictError('Contract', id, expectedRevision, doc.revision === expectedRevision ? null : doc.revision);
}

/** A version of a contract by number; numbers up to the contract's versionCount always exist while it does. */
export async function versionByNumber(collections: MongoCollections, contractId: string, number: number): Promise<ContractVersion> {
  const doc = await collections.versions.findOne({ _id: versionId(contractId, number) });
  if (!doc) throw new Error(`version ${number} of contract ${contractId} is missing`);
  return fromStoredVersion(doc);
}
