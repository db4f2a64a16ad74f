/**
 * The per-request context: the storage backend (built once per process) and this request's DataLoaders. Loaders
 * batch every read by key made while resolving one operation into one storage call, and cache it for that
 * request only. Reads by global id go through the Pothos dataloader plugin's loaders (see src/schema/*.ts);
 * the loaders here cover the other keys.
 */
import DataLoader from 'dataloader';
import { DEFAULT_POLICY, type RegistryPolicy } from './domain/evolution.js';
import type { CatalogEntry, Contract, ContractVersion, Issue, Run, StorageBackend, ValidationRecord } from './storage/types.js';

export interface Caller {
  /** Who is acting, recorded as createdBy/updatedBy. Null until identity is configured. */
  name: string | null;
}

export interface Loaders {
  contractByName: DataLoader<string, Contract | null>;
  /** Key: `${contractId}\u0000${version}`. */
  versionByVersion: DataLoader<string, ContractVersion | null>;
  catalogByContract: DataLoader<string, CatalogEntry[]>;
  latestRunByContract: DataLoader<string, Run | null>;
  recordsByRun: DataLoader<string, ValidationRecord[]>;
  issuesByRun: DataLoader<string, Issue[]>;
  issuesByRecord: DataLoader<string, Issue[]>;
  activeIssueCountByContract: DataLoader<string, number>;
}

export interface Context {
  storage: StorageBackend;
  policy: RegistryPolicy;
  caller: Caller;
  loaders: Loaders;
}

export function versionKey(contractId: string, version: string): string {
  return `${contractId}\u0000${version}`;
}

export function createLoaders(storage: StorageBackend): Loaders {
  return {
    contractByName: new DataLoader((names) => storage.contracts.getByNames(names)),
    versionByVersion: new DataLoader((keys) =>
      storage.contracts.getVersions(
        keys.map((key) => {
          const at = key.indexOf('\u0000');
          return { contractId: key.slice(0, at), version: key.slice(at + 1) };
        }),
      ),
    ),
    catalogByContract: new DataLoader((ids) => storage.schemaCatalog.listByContractIds(ids)),
    latestRunByContract: new DataLoader((ids) => storage.runs.latestByContracts(ids)),
    recordsByRun: new DataLoader((ids) => storage.validations.listByRunIds(ids)),
    issuesByRun: new DataLoader((ids) => storage.issues.listByRunIds(ids)),
    issuesByRecord: new DataLoader((ids) => storage.issues.listByValidationRecordIds(ids)),
    activeIssueCountByContract: new DataLoader((ids) => storage.issues.countActiveByContracts(ids)),
  };
}

export function createContext(storage: StorageBackend, policy: RegistryPolicy = DEFAULT_POLICY, caller: Caller = { name: null }): Context {
  return { storage, policy, caller, loaders: createLoaders(storage) };
}
