/**
 * What a contract write already holds about the version it published, handed to the change log's writer
 * (collect.ts) with the contract it returned, so that the writer does not read back the version it just wrote
 * (issue 15.2: on FerretDB every `_id` read scans its collection, and a version document is large). Keyed by the
 * returned Contract object itself (a WeakMap): nothing outlives the write, and a contract read from the database
 * (the repair pass) has no entry, so the repair pass reads the stored versions as before.
 */
import type { Contract, ContractVersion } from '../../domain/contracts.js';

const published = new WeakMap<Contract, ContractVersion>();

/** Records that the write returning `contract` committed `version` (its newest: number = versionCount); returns `contract`. */
export function notePublishedVersion(contract: Contract, version: ContractVersion): Contract {
  if (version.number === contract.versionCount) published.set(contract, version);
  return contract;
}

/** The version the write that returned `contract` committed, when it said so (notePublishedVersion). */
export function publishedVersionOf(contract: Contract): ContractVersion | null {
  return published.get(contract) ?? null;
}
