/**
 * The per-request context: the storage backend (built once per process) and this request's DataLoaders. Loaders
 * batch every read by key made while resolving one operation into one storage call, and cache it for that
 * request only. Reads by global id go through the Pothos dataloader plugin's loaders (see src/schema/*.ts);
 * the loaders here cover the other keys.
 */
import DataLoader from 'dataloader';
import { DEFAULT_POLICY, type RegistryPolicy } from './domain/evolution.js';
import type { DocumentLimits } from './domain/document-limits.js';
import { nameForLookup } from './domain/names.js';
import { DEFAULT_TEXT_LIMITS } from './domain/odcs-format.js';
import { measuredBatch } from './observability/batches.js';
import { ANONYMOUS, type Principal, type Scopes, scopesOf } from './auth/principal.js';
import type { LiveHub } from './live/hub.js';
import type { CatalogEntry, Comment, Contract, ContractVersion, Issue, Run, StorageBackend, ValidationRecord } from './storage/types.js';

/** Who is acting: the authenticated principal (its name is recorded as createdBy/updatedBy). */
export type Caller = Principal;

/** What authentication decided for this request. */
export interface RequestAuth {
  /** Set when credentials were presented but did not verify: every field then fails with UNAUTHENTICATED. */
  failure: string | null;
  anonymousRead: boolean;
  /** Computed once per request from the principal. */
  scopes: Scopes;
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
  /** The replies of a root comment, oldest first: one storage call for all roots of a page. */
  repliesByRoot: DataLoader<string, Comment[]>;
}

/** What subscriptions need beyond a query (src/live/): the instance's hub, and the request's credentials checked again. */
export interface LiveContext {
  hub: LiveHub;
  /** Verifies the request's credentials again (for each event of a subscription). */
  recheck(): Promise<{ principal: Principal; scopes: Scopes }>;
  /** Aborted when the client goes away. */
  signal: AbortSignal;
}

export interface Context {
  storage: StorageBackend;
  policy: RegistryPolicy;
  caller: Caller;
  auth: RequestAuth;
  loaders: Loaders;
  /** Size and nesting of one document (GRIOT_MAX_DOCUMENT_BYTES/_DEPTH): what an imported text may parse to. */
  documentLimits: Readonly<DocumentLimits>;
  /** Set by the HTTP server; absent where operations run without one. */
  live?: LiveContext;
}

export function versionKey(contractId: string, version: string): string {
  return `${contractId}\u0000${version}`;
}

export function createLoaders(storage: StorageBackend): Loaders {
  return {
    // Names are compared as stored (NFC): one key, and one storage read, for every form of the same name.
    contractByName: new DataLoader(measuredBatch('contractByName', (names) => storage.contracts.getByNames(names.map(nameForLookup))), { cacheKeyFn: nameForLookup }),
    versionByVersion: new DataLoader(
      measuredBatch('versionByVersion', (keys: readonly string[]) =>
        storage.contracts.getVersions(
          keys.map((key) => {
            const at = key.indexOf('\u0000');
            return { contractId: key.slice(0, at), version: key.slice(at + 1) };
          }),
        ),
      ),
    ),
    catalogByContract: new DataLoader(measuredBatch('catalogByContract', (ids) => storage.schemaCatalog.listByContractIds(ids))),
    latestRunByContract: new DataLoader(measuredBatch('latestRunByContract', (ids) => storage.runs.latestByContracts(ids))),
    recordsByRun: new DataLoader(measuredBatch('recordsByRun', (ids) => storage.validations.listByRunIds(ids))),
    issuesByRun: new DataLoader(measuredBatch('issuesByRun', (ids) => storage.issues.listByRunIds(ids))),
    issuesByRecord: new DataLoader(measuredBatch('issuesByRecord', (ids) => storage.issues.listByValidationRecordIds(ids))),
    activeIssueCountByContract: new DataLoader(measuredBatch('activeIssueCountByContract', (ids) => storage.issues.countActiveByContracts(ids))),
    repliesByRoot: new DataLoader(measuredBatch('repliesByRoot', (ids) => storage.comments.listReplies(ids))),
  };
}

export function createContext(
  storage: StorageBackend,
  policy: RegistryPolicy = DEFAULT_POLICY,
  caller: Caller = ANONYMOUS,
  auth: { failure?: string | null; anonymousRead?: boolean } = {},
  documentLimits: Readonly<DocumentLimits> = DEFAULT_TEXT_LIMITS,
): Context {
  const anonymousRead = auth.anonymousRead ?? false;
  const failure = auth.failure ?? null;
  const scopes: Scopes = failure ? { reachable: false, read: false, write: false, approve: false, admin: false } : scopesOf(caller, anonymousRead);
  return { storage, policy, caller, auth: { failure, anonymousRead, scopes }, loaders: createLoaders(storage), documentLimits };
}
