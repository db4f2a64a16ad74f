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
import type { CatalogEntry, CatalogProperty } from '../../domain/catalog.js';
import type { ApprovalDecision, ApprovalPolicy, ApprovalRequest, ApprovalStatus, ApprovalVerdict } from '../../domain/approvals.js';
import type { CompatibilityMode } from '../../domain/compatibility.js';
import type { ChangeKind, Contract, ContractVersion } from '../../domain/contracts.js';
import {
  ACTIVE_ISSUE_STATUSES,
  type ActivityEntry,
  type Issue,
  type IssueCategory,
  issueFingerprint,
  type IssueResolution,
  type IssueSeverity,
  type IssueStatus,
  SEVERITY_RANK,
} from '../../domain/issues.js';
import type { Comment, CommentTargetType, Reaction, ReactionKind } from '../../domain/comments.js';
import type { ContractStatus, StatusChange } from '../../domain/lifecycle.js';
import type { JsonObject, JsonValue } from '../../domain/odcs.js';
import type { Run, RunStatus } from '../../domain/runs.js';
import { type SearchText, searchTermsOf, searchTextOf } from '../../domain/search.js';
import type { StatsBucket } from '../../domain/stats.js';
import { type CheckResult, type CheckStatus, dayOf, type ValidationRecord } from '../../domain/validations.js';
import { issueTermsOf } from '../issue-text.js';
import { claimsOf, type StoredClaim } from './claims.js';

export const COLLECTIONS = {
  contracts: 'contracts',
  versions: 'contract_versions',
  catalog: 'schema_catalog',
  runs: 'runs',
  runHeads: 'run_heads',
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
  validations: Collection<StoredValidationRecord>;
  validationDaily: Collection<StoredDailyStats>;
  issues: Collection<StoredIssue>;
  comments: Collection<StoredComment>;
  commentReactions: Collection<StoredReaction>;
  approvals: Collection<StoredApprovalRequest>;
  /** Compare-and-set claims (claims.ts). */
  claims: Collection<StoredClaim>;
}

export function collectionsOf(db: Db): MongoCollections {
  return {
    contracts: db.collection<StoredContract>(COLLECTIONS.contracts),
    versions: db.collection<StoredVersion>(COLLECTIONS.versions),
    catalog: db.collection<StoredCatalogEntry>(COLLECTIONS.catalog),
    runs: db.collection<StoredRun>(COLLECTIONS.runs),
    runHeads: db.collection<StoredRunHead>(COLLECTIONS.runHeads),
    validations: db.collection<StoredValidationRecord>(COLLECTIONS.validations),
    validationDaily: db.collection<StoredDailyStats>(COLLECTIONS.validationDaily),
    issues: db.collection<StoredIssue>(COLLECTIONS.issues),
    comments: db.collection<StoredComment>(COLLECTIONS.comments),
    commentReactions: db.collection<StoredReaction>(COLLECTIONS.commentReactions),
    approvals: db.collection<StoredApprovalRequest>(COLLECTIONS.approvals),
    claims: claimsOf(db),
  };
}

/** The search text of a contract, as stored (and as indexed by the text index when the server has one). */
export interface StoredSearchText {
  name: string;
  description: string;
  schemaNames: string[];
  propertyNames: string[];
  propertyDescriptions: string[];
}

export interface StoredContract {
  _id: string;
  name: string;
  description: string | null;
  owner: string | null;
  status: ContractStatus;
  version: string;
  versionCount: number;
  revision: number;
  /** Absent on contracts stored before the setting existed: read as true (the default). */
  autoOpenIssues?: boolean;
  /** Absent or null: the registry's default compatibility mode. */
  compatibility?: CompatibilityMode | null;
  // Lifecycle fields; absent on contracts stored before the lifecycle existed (fromStoredContract's defaults).
  /** The number of the active (served) version; null until the first activation. */
  activeVersion?: number | null;
  approvalRequired?: boolean;
  openApprovalRequestId?: string | null;
  /** Oldest first; an array of flat subdocuments (no nested arrays: FerretDB refuses them). */
  statusHistory?: StoredStatusChange[];
  deprecation?: StoredDeprecation | null;
  /** The served document (the active version's once there is one), as JSON text. */
  documentJson: string;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
  // derived, for queries
  /** The ODCS `id` of the current document (import updates the contract holding it). */
  odcsId: string | null;
  /** Lower-cased schema names (the `schemaName` filter). */
  schemaNamesLower: string[];
  /** Every distinct word of the search text (the portable search index). */
  searchTerms: string[];
  /** The searchable text (the text index, and the fields reported as matched). */
  search: StoredSearchText;
}

export interface StoredStatusChange {
  at: Date;
  by: string | null;
  from: ContractStatus | null;
  to: ContractStatus;
  version: string;
  versionNumber: number;
  note: string | null;
  approvalRequestId: string | null;
}

export interface StoredDeprecation {
  reason: string;
  replacedBy: string | null;
}

export interface StoredVersion {
  _id: string;
  contractId: string;
  number: number;
  version: string;
  documentJson: string;
  changeKind: ChangeKind;
  restoredFrom: string | null;
  note: string | null;
  createdAt: Date;
  createdBy: string | null;
  /**
   * The version's judged changes, compatibility verdict, accepted flag and warnings, as JSON text: their before/after
   * values are pieces of documents and may hold keys or nested arrays that some servers refuse as BSON.
   */
  evolutionJson?: string;
  /** A random token of the write that inserted this version: its compensation deletes only its own version. */
  writeToken: string;
}

export interface StoredCatalogProperty {
  path: string;
  name: string;
  logicalType: string | null;
  physicalType: string | null;
  description: string | null;
  required: boolean;
  primaryKey: boolean;
  classification: string | null;
  pii: boolean;
}

export interface StoredCatalogEntry {
  _id: string;
  contractId: string;
  contractName: string;
  contractVersion: string;
  contractStatus: ContractStatus;
  contractRevision: number;
  schemaName: string;
  physicalName: string | null;
  physicalType: string | null;
  description: string | null;
  properties: StoredCatalogProperty[];
  propertyCount: number;
  hasPii: boolean;
  primaryKey: string[];
  updatedAt: Date;
  // derived, for queries
  schemaNameLower: string;
  /** Lower-cased property names and paths, deduplicated (the `propertyName` filter). */
  propertyKeys: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Contracts

export function toStoredContract(contract: Contract): StoredContract {
  const search = searchTextOf(contract.name, contract.document);
  return {
    _id: contract.id,
    name: contract.name,
    description: contract.description,
    owner: contract.owner,
    status: contract.status,
    version: contract.version,
    versionCount: contract.versionCount,
    revision: contract.revision,
    autoOpenIssues: contract.autoOpenIssues,
    compatibility: contract.compatibility,
    activeVersion: contract.activeVersion,
    approvalRequired: contract.approvalRequired,
    openApprovalRequestId: contract.openApprovalRequestId,
    statusHistory: contract.statusHistory.map(toStoredStatusChange),
    deprecation: contract.deprecation === null ? null : { reason: contract.deprecation.reason, replacedBy: contract.deprecation.replacedBy },
    documentJson: JSON.stringify(contract.document),
    createdAt: contract.createdAt,
    updatedAt: contract.updatedAt,
    createdBy: contract.createdBy,
    updatedBy: contract.updatedBy,
    odcsId: typeof contract.document.id === 'string' ? contract.document.id : null,
    schemaNamesLower: [...new Set(search.schemaNames.map((s) => s.toLowerCase()))],
    searchTerms: searchTermsOf(search),
    search: {
      name: search.name,
      description: search.description,
      schemaNames: search.schemaNames,
      propertyNames: search.propertyNames,
      propertyDescriptions: search.propertyDescriptions,
    },
  };
}

/** The record, with its keys in the order the domain creates them. */
export function fromStoredContract(doc: StoredContract): Contract {
  const legacy = doc.statusHistory === undefined ? legacyLifecycle(doc) : null;
  return {
    id: doc._id,
    name: doc.name,
    description: doc.description ?? null,
    owner: doc.owner ?? null,
    status: legacy?.status ?? doc.status,
    version: doc.version,
    versionCount: doc.versionCount,
    revision: doc.revision,
    autoOpenIssues: doc.autoOpenIssues !== false,
    compatibility: doc.compatibility ?? null,
    activeVersion: doc.activeVersion !== undefined ? doc.activeVersion : defaultActiveVersion(doc),
    approvalRequired: doc.approvalRequired !== false,
    openApprovalRequestId: doc.openApprovalRequestId ?? null,
    statusHistory: legacy?.statusHistory ?? (doc.statusHistory ?? []).map(fromStoredStatusChange),
    deprecation: doc.deprecation ? { reason: doc.deprecation.reason, replacedBy: doc.deprecation.replacedBy ?? null } : null,
    document: parseDocument(doc.documentJson),
    createdAt: toDate(doc.createdAt),
    updatedAt: toDate(doc.updatedAt),
    createdBy: doc.createdBy ?? null,
    updatedBy: doc.updatedBy ?? null,
  };
}

/**
 * A contract stored before status history existed: its history starts with one entry for the status it had (its
 * served version counts as active for transitive compatibility). It was in_review without an approval request,
 * which nobody could ever decide, so it reads as a draft (recorded in that entry); its next write stores it so.
 */
function legacyLifecycle(doc: StoredContract): Pick<Contract, 'status' | 'statusHistory'> {
  const status = doc.status === 'in_review' && !doc.openApprovalRequestId ? 'draft' : doc.status;
  const note = status === doc.status ? 'status before the history was recorded' : 'was in_review without an approval request; reads as draft';
  const entry: StatusChange = {
    at: toDate(doc.updatedAt),
    by: doc.updatedBy ?? null,
    from: null,
    to: status,
    version: doc.version,
    versionNumber: doc.versionCount,
    note,
    approvalRequestId: null,
  };
  return { status, statusHistory: [entry] };
}

/** A contract stored before the lifecycle existed served its newest version, which counts as active once approved. */
function defaultActiveVersion(doc: Pick<StoredContract, 'status' | 'versionCount'>): number | null {
  return doc.status === 'active' || doc.status === 'deprecated' || doc.status === 'retired' ? doc.versionCount : null;
}

function toStoredStatusChange(c: StatusChange): StoredStatusChange {
  return {
    at: c.at,
    by: c.by,
    from: c.from,
    to: c.to,
    version: c.version,
    versionNumber: c.versionNumber,
    note: c.note,
    approvalRequestId: c.approvalRequestId,
  };
}

function fromStoredStatusChange(c: StoredStatusChange): StatusChange {
  return {
    at: toDate(c.at),
    by: c.by ?? null,
    from: c.from ?? null,
    to: c.to,
    version: c.version,
    versionNumber: c.versionNumber,
    note: c.note ?? null,
    approvalRequestId: c.approvalRequestId ?? null,
  };
}

/** The SearchText of a stored contract, from its stored search fields (the document is not parsed). */
export function storedSearchText(doc: Pick<StoredContract, 'search'>): SearchText {
  const s = doc.search;
  return {
    name: s?.name ?? '',
    description: s?.description ?? '',
    schemaNames: strings(s?.schemaNames),
    propertyNames: strings(s?.propertyNames),
    propertyDescriptions: strings(s?.propertyDescriptions),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Versions

export function toStoredVersion(version: ContractVersion, writeToken: string): StoredVersion {
  return {
    _id: version.id,
    contractId: version.contractId,
    number: version.number,
    version: version.version,
    documentJson: JSON.stringify(version.document),
    changeKind: version.changeKind,
    restoredFrom: version.restoredFrom,
    note: version.note,
    createdAt: version.createdAt,
    createdBy: version.createdBy,
    evolutionJson: JSON.stringify({
      changes: version.changes,
      requiredBump: version.requiredBump,
      compatibility: version.compatibility,
      breakingChangesAccepted: version.breakingChangesAccepted,
      warnings: version.warnings,
    }),
    writeToken,
  };
}

export function fromStoredVersion(doc: StoredVersion): ContractVersion {
  return {
    id: doc._id,
    contractId: doc.contractId,
    number: doc.number,
    version: doc.version,
    document: parseDocument(doc.documentJson),
    changeKind: doc.changeKind,
    restoredFrom: doc.restoredFrom ?? null,
    note: doc.note ?? null,
    createdAt: toDate(doc.createdAt),
    createdBy: doc.createdBy ?? null,
    ...evolutionOf(doc.evolutionJson),
  };
}

type StoredEvolution = Pick<ContractVersion, 'changes' | 'requiredBump' | 'compatibility' | 'breakingChangesAccepted' | 'warnings'>;

function evolutionOf(json: string | undefined): StoredEvolution {
  const e = (json ? JSON.parse(json) : {}) as Partial<StoredEvolution>;
  return {
    changes: e.changes ?? [],
    requiredBump: e.requiredBump ?? 'none',
    compatibility: e.compatibility ?? null,
    breakingChangesAccepted: e.breakingChangesAccepted ?? false,
    warnings: e.warnings ?? [],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Catalog entries

/** The stored entry without `_id`: the replacement document of an upsert (its `_id` comes from the filter). */
export function toStoredCatalogEntry(entry: CatalogEntry): Omit<StoredCatalogEntry, '_id'> {
  const keys = new Set<string>();
  for (const p of entry.properties) {
    keys.add(p.name.toLowerCase());
    keys.add(p.path.toLowerCase());
  }
  return {
    contractId: entry.contractId,
    contractName: entry.contractName,
    contractVersion: entry.contractVersion,
    contractStatus: entry.contractStatus,
    contractRevision: entry.contractRevision,
    schemaName: entry.schemaName,
    physicalName: entry.physicalName,
    physicalType: entry.physicalType,
    description: entry.description,
    properties: entry.properties.map(toStoredProperty),
    propertyCount: entry.propertyCount,
    hasPii: entry.hasPii,
    primaryKey: entry.primaryKey,
    updatedAt: entry.updatedAt,
    schemaNameLower: entry.schemaName.toLowerCase(),
    propertyKeys: [...keys],
  };
}

function toStoredProperty(p: CatalogProperty): StoredCatalogProperty {
  return {
    path: p.path,
    name: p.name,
    logicalType: p.logicalType,
    physicalType: p.physicalType,
    description: p.description,
    required: p.required,
    primaryKey: p.primaryKey,
    classification: p.classification,
    pii: p.pii,
  };
}

/** The entry, with its keys in the order deriveCatalogEntries creates them. */
export function fromStoredCatalogEntry(doc: StoredCatalogEntry): CatalogEntry {
  return {
    id: doc._id,
    contractId: doc.contractId,
    contractName: doc.contractName,
    contractVersion: doc.contractVersion,
    contractStatus: doc.contractStatus,
    contractRevision: doc.contractRevision,
    schemaName: doc.schemaName,
    physicalName: doc.physicalName ?? null,
    physicalType: doc.physicalType ?? null,
    description: doc.description ?? null,
    properties: (doc.properties ?? []).map((p) => ({
      path: p.path,
      name: p.name,
      logicalType: p.logicalType ?? null,
      physicalType: p.physicalType ?? null,
      description: p.description ?? null,
      required: p.required === true,
      primaryKey: p.primaryKey === true,
      classification: p.classification ?? null,
      pii: p.pii === true,
    })),
    propertyCount: doc.propertyCount,
    hasPii: doc.hasPii === true,
    primaryKey: strings(doc.primaryKey),
    updatedAt: toDate(doc.updatedAt),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Runs

/** Free-form JSON of pipelines (metadata, result) is stored as JSON text, like contract documents. */
export interface StoredRun {
  _id: string;
  contractId: string;
  contractVersion: string;
  pipelineId: string;
  environment: string | null;
  trigger: string | null;
  metadataJson: string | null;
  resultJson: string | null;
  status: RunStatus;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  durationMs: number | null;
  createdBy: string | null;
  updatedAt: Date;
  updatedBy: string | null;
  /** Compare-and-set counter of the stored run (+1 on every write); not part of the record. */
  revision: number;
}

/** The newest run of a contract (by createdAt, then id): one document per contract, `_id` = the contract id. */
export interface StoredRunHead {
  _id: string;
  runId: string;
  createdAt: Date;
}

export function toStoredRun(run: Run, revision: number): StoredRun {
  return {
    _id: run.id,
    contractId: run.contractId,
    contractVersion: run.contractVersion,
    pipelineId: run.pipelineId,
    environment: run.environment,
    trigger: run.trigger,
    metadataJson: run.metadata === null ? null : JSON.stringify(run.metadata),
    resultJson: run.result === null ? null : JSON.stringify(run.result),
    status: run.status,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    endedAt: run.endedAt,
    durationMs: run.durationMs,
    createdBy: run.createdBy,
    updatedAt: run.updatedAt,
    updatedBy: run.updatedBy,
    revision,
  };
}

/** The record, with its keys in the order the domain creates them. */
export function fromStoredRun(doc: StoredRun): Run {
  return {
    id: doc._id,
    contractId: doc.contractId,
    contractVersion: doc.contractVersion,
    pipelineId: doc.pipelineId,
    environment: doc.environment ?? null,
    trigger: doc.trigger ?? null,
    metadata: doc.metadataJson == null ? null : (JSON.parse(doc.metadataJson) as JsonObject),
    result: doc.resultJson == null ? null : (JSON.parse(doc.resultJson) as JsonObject),
    status: doc.status,
    createdAt: toDate(doc.createdAt),
    startedAt: dateOrNull(doc.startedAt),
    endedAt: dateOrNull(doc.endedAt),
    durationMs: doc.durationMs ?? null,
    createdBy: doc.createdBy ?? null,
    updatedAt: toDate(doc.updatedAt),
    updatedBy: doc.updatedBy ?? null,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Validation records

/** A check; its JSON values (observed value, threshold) as JSON text. */
export interface StoredCheck {
  checkId: string;
  propertyPath: string | null;
  status: CheckStatus;
  observedValueJson: string;
  thresholdJson: string;
  message: string | null;
  issueId: string | null;
}

export interface StoredValidationRecord {
  _id: string;
  contractId: string;
  contractVersion: string;
  runId: string | null;
  schemaName: string | null;
  passed: boolean;
  rowCount: number;
  errorCount: number;
  errorRate: number;
  durationMs: number | null;
  environment: string | null;
  checks: StoredCheck[];
  sampleErrorsJson: string;
  idempotencyKey: string | null;
  recordedAt: Date;
  createdBy: string | null;
  // derived, for queries
  /**
   * Unique: `${contractId}\u0000${idempotencyKey}` when the record has a key, else `\u0001${_id}` — always set,
   * because servers without partial indexes (FerretDB) would otherwise count every keyless record as a duplicate.
   */
  idemKey: string;
  /** The UTC day of recordedAt (domain dayOf): the stats timeline and the daily rollup. */
  day: string;
  /** 1 when passed, else 0: summed by the stats aggregation. */
  passedCount: 0 | 1;
  /** 1 when durationMs is set, else 0: summed by the stats aggregation. */
  durationCount: 0 | 1;
}

/** Partial stats of one (contract, version, environment, UTC day), kept in step with every inserted record. */
export interface StoredDailyStats {
  _id: string;
  contractId: string;
  contractVersion: string;
  environment: string | null;
  day: string;
  total: number;
  passed: number;
  rows: number;
  errors: number;
  durationSum: number;
  durationCount: number;
}

export function idemKeyOf(record: Pick<ValidationRecord, 'id' | 'contractId' | 'idempotencyKey'>): string {
  return record.idempotencyKey === null ? `\u0001${record.id}` : `${record.contractId}\u0000${record.idempotencyKey}`;
}

export function toStoredValidationRecord(record: ValidationRecord): StoredValidationRecord {
  return {
    _id: record.id,
    contractId: record.contractId,
    contractVersion: record.contractVersion,
    runId: record.runId,
    schemaName: record.schemaName,
    passed: record.passed,
    rowCount: record.rowCount,
    errorCount: record.errorCount,
    errorRate: record.errorRate,
    durationMs: record.durationMs,
    environment: record.environment,
    checks: record.checks.map((c) => ({
      checkId: c.checkId,
      propertyPath: c.propertyPath,
      status: c.status,
      observedValueJson: JSON.stringify(c.observedValue),
      thresholdJson: JSON.stringify(c.threshold),
      message: c.message,
      issueId: c.issueId,
    })),
    sampleErrorsJson: JSON.stringify(record.sampleErrors),
    idempotencyKey: record.idempotencyKey,
    recordedAt: record.recordedAt,
    createdBy: record.createdBy,
    idemKey: idemKeyOf(record),
    day: dayOf(record.recordedAt),
    passedCount: record.passed ? 1 : 0,
    durationCount: record.durationMs === null ? 0 : 1,
  };
}

/** The record, with its keys in the order the domain creates them. */
export function fromStoredValidationRecord(doc: StoredValidationRecord): ValidationRecord {
  return {
    id: doc._id,
    contractId: doc.contractId,
    contractVersion: doc.contractVersion,
    runId: doc.runId ?? null,
    schemaName: doc.schemaName ?? null,
    passed: doc.passed === true,
    rowCount: doc.rowCount,
    errorCount: doc.errorCount,
    errorRate: doc.errorRate,
    durationMs: doc.durationMs ?? null,
    environment: doc.environment ?? null,
    checks: (doc.checks ?? []).map(
      (c): CheckResult => ({
        checkId: c.checkId,
        propertyPath: c.propertyPath ?? null,
        status: c.status,
        observedValue: parseJsonValue(c.observedValueJson),
        threshold: parseJsonValue(c.thresholdJson),
        message: c.message ?? null,
        issueId: c.issueId ?? null,
      }),
    ),
    sampleErrors: (parseJsonValue(doc.sampleErrorsJson) as JsonValue[] | null) ?? [],
    idempotencyKey: doc.idempotencyKey ?? null,
    recordedAt: toDate(doc.recordedAt),
    createdBy: doc.createdBy ?? null,
  };
}

/** The rollup document a record adds to: one per (contract, version, environment, day). */
export function dailyStatsKey(record: Pick<ValidationRecord, 'contractId' | 'contractVersion' | 'environment' | 'recordedAt'>): string {
  return JSON.stringify([record.contractId, record.contractVersion, record.environment, dayOf(record.recordedAt)]);
}

export function fromStoredDailyStats(doc: StoredDailyStats): StatsBucket {
  return {
    day: doc.day,
    total: doc.total ?? 0,
    passed: doc.passed ?? 0,
    rows: doc.rows ?? 0,
    errors: doc.errors ?? 0,
    durationSum: doc.durationSum ?? 0,
    durationCount: doc.durationCount ?? 0,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Issues

export interface StoredFieldChange {
  field: string;
  fromJson: string;
  toJson: string;
}

export interface StoredActivityEntry {
  at: Date;
  actor: string | null;
  action: ActivityEntry['action'];
  changes: StoredFieldChange[];
  note: string | null;
}

export interface StoredIssue {
  _id: string;
  contractId: string;
  runId: string | null;
  validationRecordId: string | null;
  schemaName: string | null;
  propertyPath: string | null;
  checkId: string | null;
  title: string;
  description: string | null;
  severity: IssueSeverity;
  category: IssueCategory;
  assignee: string | null;
  tags: string[];
  status: IssueStatus;
  resolution: IssueResolution | null;
  resolvedBy: string | null;
  resolvedAt: Date | null;
  detectedAt: Date;
  lastSeenAt: Date;
  occurrences: number;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
  revision: number;
  activity: StoredActivityEntry[];
  // derived, for queries
  /** SEVERITY_RANK of the severity (critical = 0): the severity order. */
  severityRank: number;
  /**
   * Unique: the issue's fingerprint (domain issueFingerprint) while it is active and has one, else `\u0001${_id}`.
   * So at most one active issue per failing check, also under concurrent pushes.
   */
  activeKey: string;
  /** The distinct words of title and description (the `text` filter). */
  textTerms: string[];
}

export function activeKeyOf(issue: Issue): string {
  const fingerprint = ACTIVE_ISSUE_STATUSES.includes(issue.status) ? issueFingerprint(issue) : null;
  return fingerprint ?? `\u0001${issue.id}`;
}

export function toStoredIssue(issue: Issue): StoredIssue {
  return {
    _id: issue.id,
    contractId: issue.contractId,
    runId: issue.runId,
    validationRecordId: issue.validationRecordId,
    schemaName: issue.schemaName,
    propertyPath: issue.propertyPath,
    checkId: issue.checkId,
    title: issue.title,
    description: issue.description,
    severity: issue.severity,
    category: issue.category,
    assignee: issue.assignee,
    tags: issue.tags,
    status: issue.status,
    resolution: issue.resolution,
    resolvedBy: issue.resolvedBy,
    resolvedAt: issue.resolvedAt,
    detectedAt: issue.detectedAt,
    lastSeenAt: issue.lastSeenAt,
    occurrences: issue.occurrences,
    updatedAt: issue.updatedAt,
    createdBy: issue.createdBy,
    updatedBy: issue.updatedBy,
    revision: issue.revision,
    activity: issue.activity.map((a) => ({
      at: a.at,
      actor: a.actor,
      action: a.action,
      changes: a.changes.map((c) => ({ field: c.field, fromJson: JSON.stringify(c.from), toJson: JSON.stringify(c.to) })),
      note: a.note,
    })),
    severityRank: SEVERITY_RANK[issue.severity],
    activeKey: activeKeyOf(issue),
    textTerms: issueTermsOf(issue),
  };
}

/** The record, with its keys in the order the domain creates them. */
export function fromStoredIssue(doc: StoredIssue): Issue {
  return {
    id: doc._id,
    contractId: doc.contractId,
    runId: doc.runId ?? null,
    validationRecordId: doc.validationRecordId ?? null,
    schemaName: doc.schemaName ?? null,
    propertyPath: doc.propertyPath ?? null,
    checkId: doc.checkId ?? null,
    title: doc.title,
    description: doc.description ?? null,
    severity: doc.severity,
    category: doc.category,
    assignee: doc.assignee ?? null,
    tags: strings(doc.tags),
    status: doc.status,
    resolution: doc.resolution ?? null,
    resolvedBy: doc.resolvedBy ?? null,
    resolvedAt: dateOrNull(doc.resolvedAt),
    detectedAt: toDate(doc.detectedAt),
    lastSeenAt: toDate(doc.lastSeenAt),
    occurrences: doc.occurrences,
    updatedAt: toDate(doc.updatedAt),
    createdBy: doc.createdBy ?? null,
    updatedBy: doc.updatedBy ?? null,
    revision: doc.revision,
    activity: (doc.activity ?? []).map((a) => ({
      at: toDate(a.at),
      actor: a.actor ?? null,
      action: a.action,
      changes: (a.changes ?? []).map((c) => ({ field: c.field, from: parseJsonValue(c.fromJson), to: parseJsonValue(c.toJson) })),
      note: a.note ?? null,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------

function parseDocument(json: string): JsonObject {
  return JSON.parse(json) as JsonObject;
}

function toDate(value: Date | string | number): Date {
  return value instanceof Date ? value : new Date(value);
}

function dateOrNull(value: Date | string | number | null | undefined): Date | null {
  return value == null ? null : toDate(value);
}

/** JSON text back to its value; null for a missing field. */
function parseJsonValue(json: string | null | undefined): JsonValue {
  return json == null ? null : (JSON.parse(json) as JsonValue);
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Comments

export interface StoredComment {
  _id: string;
  targetType: CommentTargetType;
  targetId: string;
  contractVersion: string | null;
  section: string | null;
  propertyPath: string | null;
  parentId: string | null;
  inReplyToId: string | null;
  body: string | null;
  mentions: string[];
  author: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  deletedBy: string | null;
  updatedAt: Date;
  revision: number;
  // derived, for queries
  /** `${targetType}:${targetId}`: the threads of a target. */
  targetKey: string;
}

/** One principal's reaction of one kind: `_id` is domain reactionKey, so a repeat insert is a duplicate key on every server. */
export interface StoredReaction {
  _id: string;
  commentId: string;
  kind: ReactionKind;
  by: string;
  at: Date;
}

export function commentTargetKey(type: CommentTargetType, id: string): string {
  return `${type}:${id}`;
}

export function toStoredComment(comment: Comment): StoredComment {
  return {
    _id: comment.id,
    targetType: comment.targetType,
    targetId: comment.targetId,
    contractVersion: comment.contractVersion,
    section: comment.section,
    propertyPath: comment.propertyPath,
    parentId: comment.parentId,
    inReplyToId: comment.inReplyToId,
    body: comment.body,
    mentions: comment.mentions,
    author: comment.author,
    createdAt: comment.createdAt,
    editedAt: comment.editedAt,
    deletedAt: comment.deletedAt,
    deletedBy: comment.deletedBy,
    updatedAt: comment.updatedAt,
    revision: comment.revision,
    targetKey: commentTargetKey(comment.targetType, comment.targetId),
  };
}

/** The comment without its reactions (the repository adds them). */
export function fromStoredComment(doc: StoredComment): Comment {
  return {
    id: doc._id,
    targetType: doc.targetType,
    targetId: doc.targetId,
    contractVersion: doc.contractVersion ?? null,
    section: doc.section ?? null,
    propertyPath: doc.propertyPath ?? null,
    parentId: doc.parentId ?? null,
    inReplyToId: doc.inReplyToId ?? null,
    body: doc.body ?? null,
    mentions: strings(doc.mentions),
    author: doc.author,
    createdAt: toDate(doc.createdAt),
    editedAt: dateOrNull(doc.editedAt),
    deletedAt: dateOrNull(doc.deletedAt),
    deletedBy: doc.deletedBy ?? null,
    updatedAt: toDate(doc.updatedAt),
    revision: doc.revision,
    reactions: [],
  };
}

export function fromStoredReaction(doc: StoredReaction): Reaction {
  return { commentId: doc.commentId, kind: doc.kind, by: doc.by, at: toDate(doc.at) };
}

// ---------------------------------------------------------------------------------------------------------------
// Approval requests

export interface StoredApprovalDecision {
  approver: string;
  verdict: ApprovalVerdict;
  note: string | null;
  at: Date;
}

export interface StoredApprovalRequest {
  _id: string;
  contractId: string;
  versionNumber: number;
  version: string;
  approvers: string[];
  policy: ApprovalPolicy;
  requiredApprovals: number;
  status: ApprovalStatus;
  decisions: StoredApprovalDecision[];
  awaiting: string[];
  note: string | null;
  requestedBy: string;
  requestedAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  revision: number;
  // bookkeeping (approvals.ts), not part of the record
  /** The contract points at the request. False only between the insert and the contract write of a submit. */
  confirmed: boolean;
  /** A closed request's contract move was done. */
  applied: boolean;
}

export function toStoredApprovalRequest(request: ApprovalRequest, flags: { confirmed: boolean; applied: boolean }): StoredApprovalRequest {
  return {
    _id: request.id,
    contractId: request.contractId,
    versionNumber: request.versionNumber,
    version: request.version,
    approvers: request.approvers,
    policy: request.policy,
    requiredApprovals: request.requiredApprovals,
    status: request.status,
    decisions: request.decisions.map((d) => ({ approver: d.approver, verdict: d.verdict, note: d.note, at: d.at })),
    awaiting: request.awaiting,
    note: request.note,
    requestedBy: request.requestedBy,
    requestedAt: request.requestedAt,
    resolvedAt: request.resolvedAt,
    resolvedBy: request.resolvedBy,
    resolutionNote: request.resolutionNote,
    revision: request.revision,
    confirmed: flags.confirmed,
    applied: flags.applied,
  };
}

/** The record, with its keys in the order the domain creates them (without the bookkeeping flags). */
export function fromStoredApprovalRequest(doc: StoredApprovalRequest): ApprovalRequest {
  return {
    id: doc._id,
    contractId: doc.contractId,
    versionNumber: doc.versionNumber,
    version: doc.version,
    approvers: strings(doc.approvers),
    policy: doc.policy,
    requiredApprovals: doc.requiredApprovals,
    status: doc.status,
    decisions: (doc.decisions ?? []).map(
      (d): ApprovalDecision => ({ approver: d.approver, verdict: d.verdict, note: d.note ?? null, at: toDate(d.at) }),
    ),
    awaiting: strings(doc.awaiting),
    note: doc.note ?? null,
    requestedBy: doc.requestedBy,
    requestedAt: toDate(doc.requestedAt),
    resolvedAt: dateOrNull(doc.resolvedAt),
    resolvedBy: doc.resolvedBy ?? null,
    resolutionNote: doc.resolutionNote ?? null,
    revision: doc.revision,
  };
}
