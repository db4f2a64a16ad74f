/** Reads that writes of runs, records and issues make before writing: the referenced things must exist. */
import { NotFoundError } from '../../domain/errors.js';
import type { MongoCollections, StoredContract } from './documents.js';

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

/** `version` must be one of the contract's visible versions: NotFoundError('ContractVersion', `${name}@${version}`). */
export async function checkVersion(collections: MongoCollections, contract: ContractHead, version: string): Promise<void> {
  const found = await collections.versions.findOne(
    { contractId: contract._id, version, number: { $lte: contract.versionCount } },
    { projection: { _id: 1 } },
  );
  if (!found) throw new NotFoundError('ContractVersion', `${contract.name}@${version}`);
}
