/** Data-quality issues: their workflow, the activity history every change appends, and auto-opening. Pure. */
import { InvalidTransitionError, ValidationError, type ValidationIssue } from './errors.js';
import type { JsonValue } from './odcs.js';
import type { CheckResult, ValidationRecord } from './validations.js';

export const ISSUE_SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type IssueSeverity = (typeof ISSUE_SEVERITIES)[number];
/** Sort rank: critical first. */
export const SEVERITY_RANK: Record<IssueSeverity, number> = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

export const ISSUE_CATEGORIES = ['quality_failure', 'schema_drift', 'pii_exposure', 'sla_breach', 'other'] as const;
export type IssueCategory = (typeof ISSUE_CATEGORIES)[number];

export const ISSUE_STATUSES = ['open', 'acknowledged', 'in_progress', 'resolved', 'ignored'] as const;
export type IssueStatus = (typeof ISSUE_STATUSES)[number];
export const ACTIVE_ISSUE_STATUSES: readonly IssueStatus[] = ['open', 'acknowledged', 'in_progress'];

export const ISSUE_RESOLUTIONS = ['fixed', 'wont_fix', 'false_positive', 'duplicate'] as const;
export type IssueResolution = (typeof ISSUE_RESOLUTIONS)[number];

const ISSUE_TRANSITIONS: Record<IssueStatus, readonly IssueStatus[]> = {
  open: ['acknowledged', 'resolved', 'ignored'],
  acknowledged: ['in_progress', 'resolved', 'ignored'],
  in_progress: ['resolved', 'ignored'],
  resolved: ['open'],
  ignored: ['open'],
};

export function allowedIssueTransitions(from: IssueStatus): readonly IssueStatus[] {
  return ISSUE_TRANSITIONS[from];
}

/** The Issue fields an activity entry can record a change of. */
export const ISSUE_CHANGE_FIELDS = ['title', 'description', 'severity', 'category', 'assignee', 'tags', 'status', 'resolution', 'occurrences'] as const;
export type IssueChangeField = (typeof ISSUE_CHANGE_FIELDS)[number];

export interface FieldChange {
  /** One of ISSUE_CHANGE_FIELDS (stored documents are read back as text). */
  field: string;
  from: JsonValue;
  to: JsonValue;
}

export interface ActivityEntry {
  at: Date;
  actor: string | null;
  action: 'created' | 'updated' | 'status_changed' | 'occurred';
  changes: FieldChange[];
  note: string | null;
}

export interface Issue {
  id: string;
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
  /** How many times the failure was seen (1 when opened; +1 per repeat while the issue is active). */
  occurrences: number;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
  revision: number;
  activity: ActivityEntry[];
}

export interface CreateIssueInput {
  /** The id to create it under (an idempotent retry reuses the id chosen for its key); a new UUID when absent. */
  id?: string | null;
  contractId: string;
  runId?: string | null;
  validationRecordId?: string | null;
  schemaName?: string | null;
  propertyPath?: string | null;
  checkId?: string | null;
  title: string;
  description?: string | null;
  severity: IssueSeverity;
  category: IssueCategory;
  assignee?: string | null;
  tags?: string[] | null;
}

export interface UpdateIssueInput {
  id: string;
  expectedRevision: number;
  title?: string | null;
  description?: string | null;
  severity?: IssueSeverity | null;
  category?: IssueCategory | null;
  /** Undefined leaves it; null unassigns. */
  assignee?: string | null;
  tags?: string[] | null;
}

export interface TransitionIssueInput {
  id: string;
  expectedRevision: number;
  status: IssueStatus;
  /** Required when resolving. */
  resolution?: IssueResolution | null;
  note?: string | null;
}

const MAX_TITLE = 300;
const MAX_DESCRIPTION = 20_000;
const MAX_TAGS = 30;

function checkFields(
  input: { title?: string | null; description?: string | null; tags?: string[] | null },
  issues: ValidationIssue[],
  creating: boolean,
): void {
  if (creating || input.title !== undefined) {
    if (!input.title?.trim()) issues.push({ path: 'input.title', message: 'is required', code: 'required' });
    else if (input.title.length > MAX_TITLE) issues.push({ path: 'input.title', message: `must be at most ${MAX_TITLE} characters`, code: 'too_big' });
  }
  if (input.description && input.description.length > MAX_DESCRIPTION) {
    issues.push({ path: 'input.description', message: `must be at most ${MAX_DESCRIPTION} characters`, code: 'too_big' });
  }
  if (input.tags) {
    if (input.tags.length > MAX_TAGS) issues.push({ path: 'input.tags', message: `must have at most ${MAX_TAGS} items`, code: 'too_big' });
    input.tags.forEach((t, i) => {
      if (!t.trim() || t.length > 100) issues.push({ path: `input.tags[${i}]`, message: 'must be 1 to 100 characters', code: 'invalid_value' });
    });
  }
}

/** The key that makes a repeat failure of the same check an occurrence of the open issue, not a new issue. */
export function issueFingerprint(i: Pick<Issue, 'contractId' | 'schemaName' | 'propertyPath' | 'checkId'>): string | null {
  return i.checkId ? [i.contractId, i.schemaName ?? '', i.propertyPath ?? '', i.checkId].join('\u0000') : null;
}

export function planIssueCreate(input: CreateIssueInput, id: string, now: Date, actor: string | null): Issue {
  const problems: ValidationIssue[] = [];
  checkFields(input, problems, true);
  if (problems.length) throw new ValidationError(problems);
  return {
    id,
    contractId: input.contractId,
    runId: input.runId ?? null,
    validationRecordId: input.validationRecordId ?? null,
    schemaName: input.schemaName ?? null,
    propertyPath: input.propertyPath ?? null,
    checkId: input.checkId ?? null,
    title: input.title.trim(),
    description: input.description ?? null,
    severity: input.severity,
    category: input.category,
    assignee: input.assignee?.trim() || null,
    tags: [...new Set((input.tags ?? []).map((t) => t.trim()))],
    status: 'open',
    resolution: null,
    resolvedBy: null,
    resolvedAt: null,
    detectedAt: now,
    lastSeenAt: now,
    occurrences: 1,
    updatedAt: now,
    createdBy: actor,
    updatedBy: actor,
    revision: 1,
    activity: [{ at: now, actor, action: 'created', changes: [], note: null }],
  };
}

export function planIssueUpdate(current: Issue, input: UpdateIssueInput, now: Date, actor: string | null): Issue {
  const problems: ValidationIssue[] = [];
  checkFields({ ...input, title: input.title ?? undefined }, problems, false);
  if (problems.length) throw new ValidationError(problems);
  const next: Issue = { ...current };
  const changes: FieldChange[] = [];
  const set = <K extends 'title' | 'description' | 'severity' | 'category' | 'assignee' | 'tags'>(field: K, value: Issue[K]) => {
    if (JSON.stringify(current[field]) === JSON.stringify(value)) return;
    changes.push({ field, from: current[field] as JsonValue, to: value as JsonValue });
    next[field] = value;
  };
  if (input.title != null) set('title', input.title.trim());
  if (input.description !== undefined) set('description', input.description);
  if (input.severity) set('severity', input.severity);
  if (input.category) set('category', input.category);
  if (input.assignee !== undefined) set('assignee', input.assignee?.trim() || null);
  if (input.tags) set('tags', [...new Set(input.tags.map((t) => t.trim()))]);
  if (changes.length === 0) return current;
  return touch(next, now, actor, { at: now, actor, action: 'updated', changes, note: null });
}

export function planIssueTransition(current: Issue, input: TransitionIssueInput, now: Date, actor: string | null): Issue {
  if (!ISSUE_TRANSITIONS[current.status].includes(input.status)) {
    throw new InvalidTransitionError('Issue', current.status, input.status, ISSUE_TRANSITIONS[current.status]);
  }
  if (input.status === 'resolved' && !input.resolution) {
    throw ValidationError.single('input.resolution', 'is required to resolve an issue (fixed, wont_fix, false_positive or duplicate)', 'required');
  }
  if (input.status !== 'resolved' && input.resolution) {
    throw ValidationError.single('input.resolution', 'is only given when resolving', 'invalid_value');
  }
  const next: Issue = { ...current, status: input.status };
  const changes: FieldChange[] = [{ field: 'status', from: current.status, to: input.status }];
  if (input.status === 'resolved') {
    next.resolution = input.resolution!;
    next.resolvedBy = actor;
    next.resolvedAt = now;
    changes.push({ field: 'resolution', from: current.resolution, to: input.resolution! });
  } else if (current.resolution) {
    changes.push({ field: 'resolution', from: current.resolution, to: null });
    next.resolution = null;
    next.resolvedBy = null;
    next.resolvedAt = null;
  }
  return touch(next, now, actor, { at: now, actor, action: 'status_changed', changes, note: input.note ?? null });
}

/**
 * A repeat failure of the check while the issue is active. Consecutive repeats fold into one activity entry
 * (occurrences from → to, latest note), so a check that fails every hour does not grow the history without bound.
 */
export function planOccurrence(current: Issue, record: Pick<ValidationRecord, 'id' | 'runId'>, now: Date, actor: string | null): Issue {
  const next = { ...current, occurrences: current.occurrences + 1, lastSeenAt: now };
  const note = `seen again in validation record ${record.id}${record.runId ? ` (run ${record.runId})` : ''}`;
  const last = current.activity[current.activity.length - 1];
  if (last?.action === 'occurred') {
    const folded: ActivityEntry = { at: now, actor, action: 'occurred', changes: [{ field: 'occurrences', from: last.changes[0]?.from ?? current.occurrences, to: next.occurrences }], note };
    return { ...next, updatedAt: now, updatedBy: actor, revision: current.revision + 1, activity: [...current.activity.slice(0, -1), folded] };
  }
  return touch(next, now, actor, { at: now, actor, action: 'occurred', changes: [{ field: 'occurrences', from: current.occurrences, to: next.occurrences }], note });
}

/** What a failing check opens when the contract auto-opens issues. */
export function issueForFailedCheck(record: ValidationRecord, check: CheckResult): CreateIssueInput {
  const where = [record.schemaName, check.propertyPath].filter(Boolean).join('.');
  return {
    contractId: record.contractId,
    runId: record.runId,
    validationRecordId: record.id,
    schemaName: record.schemaName,
    propertyPath: check.propertyPath,
    checkId: check.checkId,
    title: truncate(`Check ${check.checkId} ${check.status === 'error' ? 'errored' : 'failed'}${where ? ` on ${where}` : ''}`, MAX_TITLE),
    description: check.message,
    severity: check.status === 'error' ? 'medium' : 'high',
    category: 'quality_failure',
    tags: ['auto'],
  };
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function touch(next: Issue, now: Date, actor: string | null, entry: ActivityEntry): Issue {
  return { ...next, updatedAt: now, updatedBy: actor, revision: next.revision + 1, activity: [...next.activity, entry] };
}
