/**
 * Which events a change implies, read from the stored state of what it touched (domain/events derives them). The
 * writer and the repair pass share this: the writer after a write, with what the write returned; the repair pass
 * for an intent a crash left behind, from what the intent locates. Same state, same keys, so appending is
 * idempotent whichever runs, or both.
 */
import {
  approvalEvents,
  type DeletedContract,
  commentEvent,
  contractCreatedEvent,
  contractDeletedEvent,
  inChangeOrder,
  reactionEvent,
  issueEvent,
  type NewEvent,
  runChangedEvent,
  settingsChangedEvent,
  statusChangedEvents,
  validationRecordedEvent,
  versionPublishedEvent,
} from '../../domain/events.js';
import type { ReactionKind } from '../../domain/comments.js';
import type { ApprovalRequest, Comment, Contract, Issue, Run, StorageBackend, ValidationRecord } from '../types.js';
import { publishedVersionOf } from './written.js';

/** What a write touched, recorded before it (an intent) and completed after it. */
export interface Locator {
  op: WriteOp;
  /** The contract concerned (null for a contract create until it is known). */
  contractId: string | null;
  /** The subject (run, issue, comment, approval request) when the write names it. */
  subjectId: string | null;
  /** A comment's target (`contract:<id>` / `issue:<id>`) and its thread root, for an added comment. */
  commentTarget?: { type: 'contract' | 'issue'; id: string; parentId: string | null } | null;
  actor: string | null;
  /** A reaction added or removed (op `comment.reaction`; the comment is `subjectId`, the principal `actor`). */
  reaction?: { kind: ReactionKind; added: boolean } | null;
  /** A deleted contract as it was (the delete returns it; the repair pass cannot read it any more). */
  deleted?: DeletedContract | null;
}

export type WriteOp =
  | 'contract.create'
  | 'contract.version'
  | 'contract.status'
  | 'contract.settings'
  | 'contract.delete'
  | 'run'
  | 'validation'
  | 'issue'
  | 'comment'
  | 'comment.reaction'
  | 'approval';

/** What the write returned, when the writer has it (saves reading it again). */
export interface Known {
  contract?: Contract | null;
  run?: Run | null;
  record?: ValidationRecord | null;
  /** The issue states a validation push wrote (RecordedValidation.issues): logged as they are, not read again. */
  issues?: Issue[];
  issue?: Issue | null;
  comment?: Comment | null;
  approval?: ApprovalRequest | null;
}

/** How many recent items the repair pass looks at per contract (it only appends those changed since the intent). */
const RECENT = 100;

export async function collectEvents(storage: StorageBackend, where: Locator, since: Date, known: Known = {}): Promise<NewEvent[]> {
  const events: NewEvent[] = [];
  const contractOf = async (id: string | null) => (known.contract !== undefined ? known.contract : id ? await storage.contracts.getById(id) : null);
  const after = (date: Date) => date.getTime() >= since.getTime();

  switch (where.op) {
    case 'contract.create': {
      const created = known.contract ? [known.contract] : await recentContracts(storage, since);
      for (const c of created) {
        if (after(c.createdAt)) events.push(contractCreatedEvent(c), ...statusChangedEvents(c, since));
      }
      break;
    }
    case 'contract.version':
    case 'contract.status':
    case 'contract.settings': {
      const contract = await contractOf(where.contractId);
      if (!contract) break;
      events.push(...statusChangedEvents(contract, since));
      if (where.op === 'contract.version') {
        // The writer: the version it committed (written.ts), else the newest by its id (a point read); the repair
        // pass: the recent ones.
        const committed = known.contract ? publishedVersionOf(known.contract) : null;
        const versions = committed
          ? [committed]
          : known.contract
            ? (await storage.contracts.getVersionsByIds([`${contract.id}@${contract.versionCount}`])).filter((v) => v !== null)
            : (await storage.contracts.listVersions(contract.id, { first: RECENT })).items;
        for (const v of versions) if (v.number > 1 && after(v.createdAt)) events.push(versionPublishedEvent(contract, v));
      }
      if (where.op === 'contract.settings' && after(contract.updatedAt)) events.push(settingsChangedEvent(contract, where.actor));
      break;
    }
    case 'contract.delete': {
      const gone = where.deleted;
      if (gone && !(await storage.contracts.getById(gone.id))) {
        events.push(contractDeletedEvent(gone, where.actor, known.contract ? new Date() : since));
      }
      break;
    }
    case 'run': {
      const runs = known.run
        ? [known.run]
        : where.subjectId
          ? (await storage.runs.getByIds([where.subjectId])).filter((r): r is Run => r !== null)
          : where.contractId
            ? (await storage.runs.list({ contractId: where.contractId, from: since }, 'asc', { first: RECENT })).items
            : [];
      for (const run of runs) if (after(run.updatedAt)) events.push(runChangedEvent(run));
      break;
    }
    case 'validation': {
      const records = known.record
        ? [known.record]
        : where.contractId
          ? (await storage.validations.list({ contractId: where.contractId, from: since }, 'asc', { first: RECENT })).items
          : [];
      const issueIds = new Set<string>();
      for (const record of records) {
        if (after(record.recordedAt)) events.push(validationRecordedEvent(record));
        for (const check of record.checks) if (check.issueId) issueIds.add(check.issueId);
      }
      // The push's own issue writes, each its own revision's event. Read again instead (a repeat, the repair
      // pass), an issue gives the event of its current revision, which may be a concurrent push's.
      const issues = known.issues ?? (await storage.issues.getByIds([...issueIds]));
      for (const issue of issues) if (issue && after(issue.updatedAt)) events.push(issueEvent(issue));
      break;
    }
    case 'issue': {
      const issues = known.issue
        ? [known.issue]
        : where.subjectId
          ? (await storage.issues.getByIds([where.subjectId])).filter((i): i is Issue => i !== null)
          : where.contractId
            ? (await storage.issues.list({ contractId: where.contractId, from: since }, { field: 'detectedAt', direction: 'desc' }, { first: RECENT })).items
            : [];
      for (const issue of issues) if (after(issue.updatedAt)) events.push(issueEvent(issue));
      break;
    }
    case 'comment': {
      let comments: Comment[] = [];
      if (known.comment) comments = [known.comment];
      else if (where.subjectId) comments = (await storage.comments.getByIds([where.subjectId])).filter((c): c is Comment => c !== null);
      else if (where.commentTarget) {
        const t = where.commentTarget;
        comments = t.parentId
          ? ((await storage.comments.listReplies([t.parentId]))[0] ?? [])
          : (await storage.comments.listThreads({ type: t.type, id: t.id }, { first: RECENT })).items;
      }
      for (const comment of comments) {
        if (!after(comment.updatedAt)) continue;
        events.push(commentEvent(comment, await commentContract(storage, comment)));
      }
      break;
    }
    case 'comment.reaction': {
      const comment = known.comment ?? (where.subjectId ? (await storage.comments.getByIds([where.subjectId]))[0] : null);
      if (!comment || !where.reaction || !where.actor) break;
      const event = reactionEvent(comment, await commentContract(storage, comment), { ...where.reaction, by: where.actor }, since);
      if (event) events.push(event);
      break;
    }
    case 'approval': {
      const requests = known.approval
        ? [known.approval]
        : where.subjectId
          ? (await storage.approvals.getByIds([where.subjectId])).filter((r): r is ApprovalRequest => r !== null)
          : where.contractId
            ? (await storage.approvals.list({ contractId: where.contractId }, { first: 5 })).items
            : [];
      for (const request of requests) events.push(...approvalEvents(request, since));
      // The contract moves the request caused (in review, back to draft, activated).
      const contractId = requests[0]?.contractId ?? where.contractId;
      const contract = contractId ? await storage.contracts.getById(contractId) : null;
      if (contract) events.push(...statusChangedEvents(contract, since));
      break;
    }
  }
  return inChangeOrder(dedupe(events));
}

async function recentContracts(storage: StorageBackend, since: Date): Promise<Contract[]> {
  const page = await storage.contracts.list({}, { field: 'createdAt', direction: 'desc' }, { first: RECENT });
  return page.items.filter((c) => c.createdAt.getTime() >= since.getTime());
}

async function commentContract(storage: StorageBackend, comment: Comment): Promise<string | null> {
  if (comment.targetType === 'contract') return comment.targetId;
  const [issue] = await storage.issues.getByIds([comment.targetId]);
  return issue?.contractId ?? null;
}

function dedupe(events: NewEvent[]): NewEvent[] {
  const seen = new Set<string>();
  return events.filter((e) => (seen.has(e.key) ? false : (seen.add(e.key), true)));
}
