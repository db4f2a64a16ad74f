/**
 * How records are stored: the shapes of the stored documents and the mapping records <-> documents.
 *
 * The ODCS document is stored as a JSON string (`documentJson`), never as a BSON object: only a string keeps it
 * byte-identical on every server (key order, unknown keys, keys with '.' or a leading '$', nested arrays, which
 * some MongoDB-wire servers refuse or reorder). Registry metadata lives beside it as ordinary fields, dates as BSON
 * dates. Other free-form JSON (run metadata and results, check values, sample errors, the values of an issue's
 * activity) is stored as JSON text for the same reason. Fields derived for queries (lower-cased names, search words,
 * search text) are stored too; they are recomputed on every write, so they can always be rebuilt from the contract itself.
 */
import type { Collection, Db } from 'mongodb';
import { claimsOf, type StoredClaim } from '../claims.js';
import { KEY_TURNS_COLLECTION, type StoredKeyTurn } from '../key-turns.js';
import { pendingOf, type StoredPendingMark } from '../repair.js';
import type { StoredContract } from './contracts.js';
import type { StoredVersion } from './versions.js';
import type { StoredCatalogEntry } from './catalog.js';
import type { StoredRun, StoredRunHead, StoredRunSlot } from './runs.js';
import type { StoredDailyStats, StoredValidationRecord } from './validations.js';
import type { StoredIssue } from './issues.js';
import type { StoredComment, StoredReaction } from './comments.js';
import type { StoredApprovalRequest } from './approvals.js';

export * from './contracts.js';
export * from './versions.js';
export * from './catalog.js';
export * from './runs.js';
export * from './validations.js';
export * from './issues.js';
export * from './comments.js';
export * from './approvals.js';

export const COLLECTIONS = {
  contracts: 'contracts',
  versions: 'contract_versions',
  catalog: 'schema_catalog',
  runs: 'runs',
  runHeads: 'run_heads',
  runSlots: 'run_slots',
  validations: 'validation_records',
  validationDaily: 'validation_daily',
  issues: 'issues',
  comments: 'comments',
  commentReactions: 'comment_reactions',
  approvals: 'approval_requests',
} as const;

export interface MongoCollections {
  contracts: Collection<StoredContract>;
  versions: Collection<StoredVersion>;
  catalog: Collection<StoredCatalogEntry>;
  runs: Collection<StoredRun>;
  runHeads: Collection<StoredRunHead>;
  runSlots: Collection<StoredRunSlot>;
  validations: Collection<StoredValidationRecord>;
  validationDaily: Collection<StoredDailyStats>;
  issues: Collection<StoredIssue>;
  comments: Collection<StoredComment>;
  commentReactions: Collection<StoredReaction>;
  approvals: Collection<StoredApprovalRequest>;
  /** Compare-and-set claims (claims.ts). */
  claims: Collection<StoredClaim>;
  /** Contracts whose catalog step may not be done (repair.ts). */
  catalogPending: Collection<StoredPendingMark>;
  /** Turns of writers of one key under the cas write protocol (key-turns.ts). */
  keyTurns: Collection<StoredKeyTurn>;
}

export function collectionsOf(db: Db): MongoCollections {
  return {
    contracts: db.collection<StoredContract>(COLLECTIONS.contracts),
    versions: db.collection<StoredVersion>(COLLECTIONS.versions),
    catalog: db.collection<StoredCatalogEntry>(COLLECTIONS.catalog),
    runs: db.collection<StoredRun>(COLLECTIONS.runs),
    runHeads: db.collection<StoredRunHead>(COLLECTIONS.runHeads),
    runSlots: db.collection<StoredRunSlot>(COLLECTIONS.runSlots),
    validations: db.collection<StoredValidationRecord>(COLLECTIONS.validations),
    validationDaily: db.collection<StoredDailyStats>(COLLECTIONS.validationDaily),
    issues: db.collection<StoredIssue>(COLLECTIONS.issues),
    comments: db.collection<StoredComment>(COLLECTIONS.comments),
    commentReactions: db.collection<StoredReaction>(COLLECTIONS.commentReactions),
    approvals: db.collection<StoredApprovalRequest>(COLLECTIONS.approvals),
    claims: claimsOf(db),
    catalogPending: pendingOf(db),
    keyTurns: db.collection<StoredKeyTurn>(KEY_TURNS_COLLECTION),
  };
}
