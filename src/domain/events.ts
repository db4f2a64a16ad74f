/**
 * The registry's change log (issue 14): one event per committed change, in position order. Pure: the event types,
 * their deterministic keys, and how an event is derived from the stored state of the thing that changed. Deriving
 * from state (not from the call) is what lets a repair pass rebuild a lost event exactly as the writer would have:
 * both compute the same key, and appending is idempotent by key.
 */
import type { ApprovalRequest } from './approvals.js';
import type { Comment, ReactionKind } from './comments.js';
import type { Contract, ContractVersion } from './contracts.js';
import type { Issue } from './issues.js';
import type { Run } from './runs.js';
import type { ValidationRecord } from './validations.js';

export const EVENT_TYPES = [
  'CONTRACT_CREATED',
  'CONTRACT_VERSION_PUBLISHED',
  'CONTRACT_STATUS_CHANGED',
  'CONTRACT_SETTINGS_CHANGED',
  'CONTRACT_DELETED',
  'RUN_CHANGED',
  'VALIDATION_RECORDED',
  'ISSUE_OPENED',
  'ISSUE_CHANGED',
  'COMMENT_ADDED',
  'COMMENT_CHANGED',
  'COMMENT_REACTION_CHANGED',
  'APPROVAL_REQUESTED',
  'APPROVAL_DECIDED',
  'APPROVAL_WITHDRAWN',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** What kind of thing an event is about: the GraphQL type of its subject (for its global id). */
export const EVENT_SUBJECT_TYPES = ['Contract', 'Run', 'ValidationRecord', 'Issue', 'Comment', 'ApprovalRequest'] as const;
export type EventSubjectType = (typeof EVENT_SUBJECT_TYPES)[number];

/** A small, JSON-safe summary of the change (see each derive function for its fields). */
export type EventSummary = Record<string, string | number | boolean | null | string[]>;

export interface RegistryEvent {
  /** 1, 2, 3, … in the order the events were appended; never reused, gapless (older ones expire, see retention). */
  position: number;
  /** Deterministic per change (`contract:<id>:version:<n>`…): the writer and the repair pass append idempotently. */
  key: string;
  type: EventType;
  subjectType: EventSubjectType;
  /** The local id of the subject (the API gives it as a global id of `subjectType`). */
  subjectId: string;
  /** The local id of the subject's contract; null only where a subject has none (never today). */
  contractId: string | null;
  /** The principal that made the change; null for the registry itself (no principal). */
  actor: string | null;
  /** When the change was made. */
  at: Date;
  /** When the event was appended (retention counts from it; a repaired event is appended after its change). */
  loggedAt: Date;
  /** The subject's revision after the change, where it has one. */
  revision: number | null;
  /** The contract version concerned (semantic), where there is one. */
  version: string | null;
  summary: EventSummary;
  /** The principals the event is addressed to (approval requests: the approvers; decisions: the requester). */
  audience: string[];
}

/** An event before it has a position (what writers and the repair pass append). */
export type NewEvent = Omit<RegistryEvent, 'position' | 'loggedAt'>;

/** Filters of the log; every one is an index read on MongoDB. */
export interface EventFilter {
  /** Any of these types. */
  types?: readonly EventType[] | null;
  contractId?: string | null;
  actor?: string | null;
  /** Events addressed to this principal (`audience`). */
  audience?: string | null;
  subjectId?: string | null;
}

/** Whether an event passes a filter (the memory backend; the same rules as the MongoDB query). */
export function matchesEventFilter(event: RegistryEvent, filter: EventFilter | null | undefined): boolean {
  if (!filter) return true;
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  if (filter.contractId != null && event.contractId !== filter.contractId) return false;
  if (filter.actor != null && event.actor !== filter.actor) return false;
  if (filter.audience != null && !event.audience.includes(filter.audience)) return false;
  if (filter.subjectId != null && event.subjectId !== filter.subjectId) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------------------
// Deriving events from stored state. `since`: only changes made at or after it (the start of the write, or of the
// repaired intent); a write's own changes are stamped with the clock read after the write started.

function base(
  type: EventType,
  subjectType: EventSubjectType,
  subjectId: string,
  contractId: string | null,
  key: string,
  fields: Partial<Pick<NewEvent, 'actor' | 'revision' | 'version' | 'summary' | 'audience'>> & { at: Date },
): NewEvent {
  return {
    key,
    type,
    subjectType,
    subjectId,
    contractId,
    actor: fields.actor ?? null,
    at: fields.at,
    revision: fields.revision ?? null,
    version: fields.version ?? null,
    summary: fields.summary ?? {},
    audience: fields.audience ?? [],
  };
}

/** The creation of a contract (its version 1). */
export function contractCreatedEvent(contract: Contract): NewEvent {
  return base('CONTRACT_CREATED', 'Contract', contract.id, contract.id, `contract:${contract.id}:created`, {
    at: contract.createdAt,
    actor: contract.createdBy,
    revision: 1,
    version: contract.statusHistory[0]?.version ?? contract.version,
    summary: { name: contract.name, status: contract.statusHistory[0]?.to ?? contract.status },
  });
}

/** A version written by update or rollback (number ≥ 2): its required bump and whether it is breaking. */
export function versionPublishedEvent(contract: Contract, version: ContractVersion): NewEvent {
  const breaking = version.requiredBump === 'major';
  return base('CONTRACT_VERSION_PUBLISHED', 'Contract', contract.id, contract.id, `contract:${contract.id}:version:${version.number}`, {
    at: version.createdAt,
    actor: version.createdBy,
    revision: contract.versionCount === version.number ? contract.revision : null,
    version: version.version,
    summary: {
      number: version.number,
      changeKind: version.changeKind,
      requiredBump: version.requiredBump,
      breaking,
      breakingChangesAccepted: version.breakingChangesAccepted,
      changes: version.changes.length,
      restoredFrom: version.restoredFrom,
    },
  });
}

/** The status changes (entries of statusHistory after the creation) made at or after `since`. */
export function statusChangedEvents(contract: Contract, since: Date): NewEvent[] {
  const events: NewEvent[] = [];
  contract.statusHistory.forEach((change, index) => {
    if (index === 0 || change.at.getTime() < since.getTime()) return;
    events.push(
      base('CONTRACT_STATUS_CHANGED', 'Contract', contract.id, contract.id, `contract:${contract.id}:status:${index}`, {
        at: change.at,
        actor: change.by,
        revision: index === contract.statusHistory.length - 1 ? contract.revision : null,
        version: change.version,
        summary: { from: change.from, to: change.to, versionNumber: change.versionNumber, approvalRequestId: change.approvalRequestId, note: change.note },
      }),
    );
  });
  return events;
}

/** A settings change (autoOpenIssues, compatibility, approvalRequired): keyed by the revision it wrote. */
export function settingsChangedEvent(contract: Contract, actor: string | null): NewEvent {
  return base('CONTRACT_SETTINGS_CHANGED', 'Contract', contract.id, contract.id, `contract:${contract.id}:rev:${contract.revision}`, {
    at: contract.updatedAt,
    actor,
    revision: contract.revision,
    version: contract.version,
    summary: { autoOpenIssues: contract.autoOpenIssues, compatibility: contract.compatibility, approvalRequired: contract.approvalRequired },
  });
}

/** What a deleted contract's event says about it (recorded before the delete, for the repair pass). */
export type DeletedContract = Pick<Contract, 'id' | 'name' | 'status' | 'revision' | 'version'>;

export function contractDeletedEvent(contract: DeletedContract, actor: string | null, at: Date): NewEvent {
  return base('CONTRACT_DELETED', 'Contract', contract.id, contract.id, `contract:${contract.id}:deleted`, {
    at,
    actor,
    revision: contract.revision,
    version: contract.version,
    summary: { name: contract.name, status: contract.status },
  });
}

/** A run started or changed: keyed by its status and update time (each write stamps updatedAt). */
export function runChangedEvent(run: Run): NewEvent {
  return base('RUN_CHANGED', 'Run', run.id, run.contractId, `run:${run.id}:${run.status}:${run.updatedAt.getTime()}`, {
    at: run.updatedAt,
    actor: run.updatedBy ?? run.createdBy,
    version: run.contractVersion,
    summary: { status: run.status, pipelineId: run.pipelineId, environment: run.environment, durationMs: run.durationMs },
  });
}

export function validationRecordedEvent(record: ValidationRecord): NewEvent {
  const failing = record.checks.filter((c) => c.status === 'failed' || c.status === 'error').length;
  return base('VALIDATION_RECORDED', 'ValidationRecord', record.id, record.contractId, `validation:${record.id}`, {
    at: record.recordedAt,
    actor: record.createdBy,
    version: record.contractVersion,
    summary: { passed: record.passed, rowCount: record.rowCount, errorCount: record.errorCount, failingChecks: failing, runId: record.runId, environment: record.environment },
  });
}

/** An issue opened (revision 1) or changed (any later revision: edit, transition, a new occurrence). */
export function issueEvent(issue: Issue): NewEvent {
  const last = issue.activity[issue.activity.length - 1];
  const opened = issue.revision === 1;
  return base(opened ? 'ISSUE_OPENED' : 'ISSUE_CHANGED', 'Issue', issue.id, issue.contractId, `issue:${issue.id}:rev:${issue.revision}`, {
    at: opened ? issue.detectedAt : issue.updatedAt,
    actor: last?.actor ?? issue.updatedBy,
    revision: issue.revision,
    summary: {
      action: last?.action ?? 'created',
      status: issue.status,
      severity: issue.severity,
      title: issue.title,
      occurrences: issue.occurrences,
      assignee: issue.assignee,
      changed: last ? last.changes.map((c) => c.field) : [],
    },
  });
}

/** A comment added (revision 1) or changed (edited or deleted). `contractId`: the contract the target belongs to. */
export function commentEvent(comment: Comment, contractId: string | null): NewEvent {
  const added = comment.revision === 1 && comment.deletedAt === null;
  const action = comment.deletedAt ? 'deleted' : comment.editedAt ? 'edited' : 'added';
  return base(added ? 'COMMENT_ADDED' : 'COMMENT_CHANGED', 'Comment', comment.id, contractId, `comment:${comment.id}:rev:${comment.revision}`, {
    at: comment.deletedAt ?? comment.editedAt ?? comment.createdAt,
    actor: comment.deletedBy ?? comment.author,
    revision: comment.revision,
    version: comment.contractVersion,
    summary: { action, targetType: comment.targetType, targetId: comment.targetId, parentId: comment.parentId, mentions: comment.mentions },
    audience: action === 'added' ? comment.mentions : [],
  });
}

/**
 * A reaction added to (or removed from) a comment by `by`, when the stored comment shows it (`comment` read after
 * the write): nothing when the reaction is not (or still) there. Reactions live beside the comment and have no
 * revision, so the key carries the write's start (`since`), which the writer and the repair pass share.
 */
export function reactionEvent(comment: Comment, contractId: string | null, reaction: { kind: ReactionKind; by: string; added: boolean }, since: Date): NewEvent | null {
  const by = comment.reactions.find((group) => group.kind === reaction.kind)?.by ?? [];
  if (by.includes(reaction.by) !== reaction.added) return null;
  const action = reaction.added ? 'added' : 'removed';
  return base('COMMENT_REACTION_CHANGED', 'Comment', comment.id, contractId, `comment:${comment.id}:reaction:${reaction.kind}:${reaction.by}:${action}:${since.getTime()}`, {
    at: since,
    actor: reaction.by,
    revision: comment.revision,
    version: comment.contractVersion,
    summary: { action, kind: reaction.kind, count: by.length, targetType: comment.targetType, targetId: comment.targetId, parentId: comment.parentId },
  });
}

/** The events of an approval request made at or after `since`: the request, each decision, a withdrawal. */
export function approvalEvents(request: ApprovalRequest, since: Date): NewEvent[] {
  const events: NewEvent[] = [];
  const common = { version: request.version };
  if (request.requestedAt.getTime() >= since.getTime()) {
    events.push(
      base('APPROVAL_REQUESTED', 'ApprovalRequest', request.id, request.contractId, `approval:${request.id}:requested`, {
        ...common,
        at: request.requestedAt,
        actor: request.requestedBy,
        revision: 1,
        summary: { versionNumber: request.versionNumber, policy: request.policy, requiredApprovals: request.requiredApprovals, approvers: request.approvers },
        audience: [...request.approvers],
      }),
    );
  }
  request.decisions.forEach((decision, index) => {
    if (decision.at.getTime() < since.getTime()) return;
    const last = index === request.decisions.length - 1;
    events.push(
      base('APPROVAL_DECIDED', 'ApprovalRequest', request.id, request.contractId, `approval:${request.id}:decision:${index}`, {
        ...common,
        at: decision.at,
        actor: decision.approver,
        revision: last && request.status !== 'withdrawn' ? request.revision : null,
        summary: { verdict: decision.verdict, status: last ? request.status : 'open', note: decision.note },
        audience: [request.requestedBy],
      }),
    );
  });
  if (request.status === 'withdrawn' && request.resolvedAt && request.resolvedAt.getTime() >= since.getTime()) {
    events.push(
      base('APPROVAL_WITHDRAWN', 'ApprovalRequest', request.id, request.contractId, `approval:${request.id}:withdrawn`, {
        ...common,
        at: request.resolvedAt,
        actor: request.resolvedBy,
        revision: request.revision,
        summary: { status: request.status, note: request.resolutionNote },
        audience: request.awaiting.length ? [...request.awaiting] : [...request.approvers],
      }),
    );
  }
  return events;
}

/** Puts events in the order they happened (by time, then key), the order they are appended in. */
export function inChangeOrder(events: readonly NewEvent[]): NewEvent[] {
  return [...events].sort((a, b) => a.at.getTime() - b.at.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
