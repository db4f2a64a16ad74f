/**
 * The indexes of the collections, created idempotently at start-up with explicit names. Only features every
 * MongoDB-wire server we support has: unique, compound and multikey indexes (no partial filters, no collations).
 * The text index is separate: whether the server can build it is part of capability detection.
 */
import { type Db, type IndexDescription, MongoServerError } from 'mongodb';
import { COLLECTIONS } from './documents/index.js';

export const CONTRACT_INDEXES: IndexDescription[] = [
  { key: { name: 1 }, name: 'contracts_name_unique', unique: true },
  { key: { status: 1, name: 1, _id: 1 }, name: 'contracts_status_name_id' },
  { key: { owner: 1, name: 1, _id: 1 }, name: 'contracts_owner_name_id' },
  { key: { schemaNamesLower: 1 }, name: 'contracts_schema_names' },
  { key: { createdAt: 1, _id: 1 }, name: 'contracts_created_at' },
  { key: { updatedAt: 1, _id: 1 }, name: 'contracts_updated_at' },
  { key: { searchTerms: 1 }, name: 'contracts_search_terms' },
  // Contracts whose stored search fields an older derivation wrote (search-migration.ts, at start-up).
  { key: { searchVersion: 1 }, name: 'contracts_search_version' },
  { key: { odcsId: 1, createdAt: 1, _id: 1 }, name: 'contracts_odcs_id' },
  // Contracts whose catalog step is not done yet (repair.ts settlePending, before every catalog list).
  { key: { catalogPending: 1 }, name: 'contracts_catalog_pending' },
];

export const VERSION_INDEXES: IndexDescription[] = [
  { key: { contractId: 1, version: 1 }, name: 'versions_contract_version_unique', unique: true },
  { key: { contractId: 1, number: 1 }, name: 'versions_contract_number_unique', unique: true },
];

export const CATALOG_INDEXES: IndexDescription[] = [
  { key: { contractId: 1 }, name: 'catalog_contract' },
  { key: { schemaNameLower: 1, _id: 1 }, name: 'catalog_schema_name' },
  { key: { hasPii: 1, schemaNameLower: 1 }, name: 'catalog_pii_schema_name' },
  { key: { propertyKeys: 1 }, name: 'catalog_property_keys' },
  { key: { propertyWords: 1 }, name: 'catalog_property_words' },
  { key: { contractStatus: 1 }, name: 'catalog_contract_status' },
];

export const RUN_INDEXES: IndexDescription[] = [
  { key: { contractId: 1, createdAt: 1, _id: 1 }, name: 'runs_contract_created_at' },
  { key: { status: 1, createdAt: 1 }, name: 'runs_status_created_at' },
  { key: { pipelineId: 1, createdAt: 1 }, name: 'runs_pipeline_created_at' },
  { key: { environment: 1, createdAt: 1 }, name: 'runs_environment_created_at' },
  { key: { createdAt: 1, _id: 1 }, name: 'runs_created_at' },
];

// run_heads is read and written by _id only (one document per contract): the default _id index is all it needs.

export const VALIDATION_INDEXES: IndexDescription[] = [
  { key: { contractId: 1, recordedAt: 1, _id: 1 }, name: 'validations_contract_recorded_at' },
  { key: { runId: 1, recordedAt: 1 }, name: 'validations_run_recorded_at' },
  { key: { contractId: 1, durationMs: 1 }, name: 'validations_contract_duration' },
  { key: { idemKey: 1 }, name: 'validations_idem_key_unique', unique: true },
  { key: { environment: 1, recordedAt: 1 }, name: 'validations_environment_recorded_at' },
  { key: { recordedAt: 1, _id: 1 }, name: 'validations_recorded_at' },
];

export const VALIDATION_DAILY_INDEXES: IndexDescription[] = [{ key: { contractId: 1, day: 1 }, name: 'validation_daily_contract_day' }];

export const ISSUE_INDEXES: IndexDescription[] = [
  { key: { contractId: 1, detectedAt: 1, _id: 1 }, name: 'issues_contract_detected_at' },
  { key: { status: 1, detectedAt: 1 }, name: 'issues_status_detected_at' },
  // The severity order is (severityRank, detectedAt desc, _id desc) for asc and (severityRank desc, detectedAt desc,
  // _id desc) for desc: one index each (the second read backwards).
  { key: { severityRank: 1, detectedAt: -1, _id: -1 }, name: 'issues_severity_newest' },
  { key: { severityRank: 1, detectedAt: 1, _id: 1 }, name: 'issues_severity_detected_at' },
  { key: { assignee: 1, detectedAt: 1 }, name: 'issues_assignee_detected_at' },
  { key: { category: 1, detectedAt: 1 }, name: 'issues_category_detected_at' },
  { key: { runId: 1 }, name: 'issues_run' },
  { key: { validationRecordId: 1 }, name: 'issues_validation_record' },
  { key: { activeKey: 1 }, name: 'issues_active_key_unique', unique: true },
  { key: { textTerms: 1 }, name: 'issues_text_terms' },
  { key: { detectedAt: 1, _id: 1 }, name: 'issues_detected_at' },
];

// Threads of a target: roots (parentId null) newest first; replies of roots oldest first; reactions per comment.
export const COMMENT_INDEXES: IndexDescription[] = [
  { key: { targetKey: 1, parentId: 1, createdAt: 1, _id: 1 }, name: 'comments_target_parent_created_at' },
  { key: { parentId: 1, createdAt: 1, _id: 1 }, name: 'comments_parent_created_at' },
];

export const COMMENT_REACTION_INDEXES: IndexDescription[] = [{ key: { commentId: 1, at: 1 }, name: 'comment_reactions_comment_at' }];

// Approval requests, newest first (requestedAt desc, _id desc) under each list filter; the bookkeeping flags for
// reconcile (approvals.ts).
export const APPROVAL_INDEXES: IndexDescription[] = [
  { key: { requestedAt: -1, _id: -1 }, name: 'approvals_requested_at' },
  { key: { contractId: 1, requestedAt: -1, _id: -1 }, name: 'approvals_contract_requested_at' },
  { key: { status: 1, requestedAt: -1, _id: -1 }, name: 'approvals_status_requested_at' },
  { key: { approvers: 1, requestedAt: -1, _id: -1 }, name: 'approvals_approvers_requested_at' },
  { key: { awaiting: 1, requestedAt: -1, _id: -1 }, name: 'approvals_awaiting_requested_at' },
  { key: { requestedBy: 1, requestedAt: -1, _id: -1 }, name: 'approvals_requested_by_requested_at' },
  { key: { applied: 1 }, name: 'approvals_applied' },
  { key: { confirmed: 1 }, name: 'approvals_confirmed' },
];

export const TEXT_INDEX_NAME = 'contracts_search_text';

/**
 * The text index over the stored word list (every whole term and every part, search-fields.ts): it finds the same
 * candidates as the multikey index on that list; ranking is the registry's own (domain rankCandidates).
 * No stemming, no stop words.
 */
export function textIndex(): IndexDescription {
  return {
    key: { searchTerms: 'text' },
    name: TEXT_INDEX_NAME,
    default_language: 'none',
    // No stored field is named like this: every document is indexed in the default language ('none').
    language_override: 'textIndexLanguage',
  };
}

/**
 * Creates every index (a no-op for those that exist). One index per createIndexes command: FerretDB 1.24 crashes
 * the connection when a multi-index createIndexes names indexes that already exist.
 */
export async function ensureIndexes(db: Db): Promise<void> {
  const plan: [string, IndexDescription[]][] = [
    [COLLECTIONS.contracts, CONTRACT_INDEXES],
    [COLLECTIONS.versions, VERSION_INDEXES],
    [COLLECTIONS.catalog, CATALOG_INDEXES],
    [COLLECTIONS.runs, RUN_INDEXES],
    [COLLECTIONS.validations, VALIDATION_INDEXES],
    [COLLECTIONS.validationDaily, VALIDATION_DAILY_INDEXES],
    [COLLECTIONS.issues, ISSUE_INDEXES],
    [COLLECTIONS.comments, COMMENT_INDEXES],
    [COLLECTIONS.commentReactions, COMMENT_REACTION_INDEXES],
    [COLLECTIONS.approvals, APPROVAL_INDEXES],
  ];
  await Promise.all(
    plan.map(async ([collection, indexes]) => {
      for (const index of indexes) await db.collection(collection).createIndexes([index]);
    }),
  );
}

/** IndexOptionsConflict / IndexKeySpecsConflict: an index of that name (or keys) exists with other options. */
const INDEX_CONFLICT_CODES = new Set([85, 86]);

/**
 * Creates the text index; throws when the server cannot. An existing text index with other options (e.g. older
 * weights) is replaced once.
 */
export async function ensureTextIndex(db: Db): Promise<void> {
  const contracts = db.collection(COLLECTIONS.contracts);
  try {
    await contracts.createIndexes([textIndex()]);
  } catch (error) {
    if (!(error instanceof MongoServerError) || typeof error.code !== 'number' || !INDEX_CONFLICT_CODES.has(error.code)) throw error;
    await dropTextIndexes(db);
    await contracts.createIndexes([textIndex()]);
  }
}

/** A collection has at most one text index: drops whichever exists, under any name. */
async function dropTextIndexes(db: Db): Promise<void> {
  const contracts = db.collection(COLLECTIONS.contracts);
  const existing = await contracts.listIndexes().toArray();
  for (const index of existing) {
    const key = (index.key ?? {}) as Record<string, unknown>;
    if (index.name === TEXT_INDEX_NAME || Object.values(key).includes('text') || '_fts' in key) {
      await contracts.dropIndex(index.name as string);
    }
  }
}
