/** How issues are stored (collection `issues`) and the mapping. */
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
} from '../../../domain/issues.js';
import { issueTermsOf } from '../../issue-text.js';
import { nulFree } from '../nul-free.js';
import { dateOrNull, parseJsonValue, strings, toDate } from './values.js';

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

/** The issue's fingerprint as stored: without NUL (nul-free.ts), which PostgreSQL refuses. Null: it has none. */
export function storedFingerprint(issue: Issue): string | null {
  const fingerprint = issueFingerprint(issue);
  return fingerprint === null ? null : nulFree(fingerprint);
}

export function activeKeyOf(issue: Issue): string {
  const fingerprint = ACTIVE_ISSUE_STATUSES.includes(issue.status) ? storedFingerprint(issue) : null;
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
