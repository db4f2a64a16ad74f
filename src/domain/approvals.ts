/**
 * Approval requests: a contract version, the principals who must decide on it, and a policy (all of them, or any
 * N). Pure; storage writes what these functions return and moves the contract (domain/contracts planReviewClosed).
 *
 * - Only a listed approver decides, once; a rejection needs a reason.
 * - The request resolves as soon as the policy is met (approved) or can no longer be met (rejected).
 * - The requester (or an admin) may withdraw an open request. A closed request never changes again.
 */
import { InvalidStateError, NotAllowedError, ValidationError, type ValidationIssue } from './errors.js';

export const APPROVAL_STATUSES = ['open', 'approved', 'rejected', 'withdrawn'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const APPROVAL_POLICIES = ['all', 'any'] as const;
/** all: every listed approver must approve. any: `requiredApprovals` of them must. */
export type ApprovalPolicy = (typeof APPROVAL_POLICIES)[number];

export type ApprovalVerdict = 'approve' | 'reject';

export interface ApprovalDecision {
  approver: string;
  verdict: ApprovalVerdict;
  /** The approver's note; for a rejection, the reason (required). */
  note: string | null;
  at: Date;
}

export interface ApprovalRequest {
  id: string;
  contractId: string;
  /** The reviewed version: its number and semantic version. */
  versionNumber: number;
  version: string;
  approvers: string[];
  policy: ApprovalPolicy;
  /** How many approvals resolve the request (all: the number of approvers). */
  requiredApprovals: number;
  status: ApprovalStatus;
  /** In the order they were made. */
  decisions: ApprovalDecision[];
  /** Listed approvers who have not decided yet, while the request is open; empty once it is closed. */
  awaiting: string[];
  note: string | null;
  requestedBy: string;
  requestedAt: Date;
  /** When and by whom it closed (the decider who resolved it, or who withdrew it). */
  resolvedAt: Date | null;
  resolvedBy: string | null;
  /** A withdrawal's note, or the resolving decision's note. */
  resolutionNote: string | null;
  /** +1 on every write; decisions are compare-and-set on it. */
  revision: number;
}

export interface SubmitForReviewInput {
  contractId: string;
  /** The contract revision the requester read. */
  expectedRevision: number;
  approvers: string[];
  policy: ApprovalPolicy;
  /** For `any`: how many approvals are needed (default 1). For `all`: must be absent or the number of approvers. */
  requiredApprovals?: number | null;
  note?: string | null;
}

export interface DecideApprovalInput {
  requestId: string;
  verdict: ApprovalVerdict;
  note?: string | null;
}

export interface WithdrawApprovalInput {
  requestId: string;
  note?: string | null;
}

/** Who acts on a request: withdrawing is for the requester, or an admin. */
export interface ApprovalActor {
  name: string | null;
  admin: boolean;
}

export const MAX_APPROVERS = 20;
const MAX_NOTE = 2000;

function checkNote(note: string | null | undefined, path: string, issues: ValidationIssue[]): string | null {
  if (note == null) return null;
  const trimmed = note.trim();
  if (trimmed.length > MAX_NOTE) issues.push({ path, message: `must be at most ${MAX_NOTE} characters`, code: 'too_big' });
  return trimmed || null;
}

/** A new open request for a contract version. The requester may not approve their own request. */
export function planApprovalRequest(
  input: SubmitForReviewInput,
  subject: { contractId: string; versionNumber: number; version: string },
  id: string,
  requester: string | null,
  now: Date,
): ApprovalRequest {
  const issues: ValidationIssue[] = [];
  if (!requester) throw new NotAllowedError('Contract', subject.contractId, 'submit for review', 'an anonymous caller cannot request approval');
  const approvers: string[] = [];
  if (!Array.isArray(input.approvers) || input.approvers.length === 0) {
    issues.push({ path: 'input.approvers', message: 'must name at least one approver', code: 'required' });
  } else if (input.approvers.length > MAX_APPROVERS) {
    issues.push({ path: 'input.approvers', message: `must name at most ${MAX_APPROVERS} approvers`, code: 'too_big' });
  } else {
    input.approvers.forEach((raw, i) => {
      const name = typeof raw === 'string' ? raw.trim().normalize('NFC') : '';
      const path = `input.approvers[${i}]`;
      if (!name) issues.push({ path, message: 'must be a principal name', code: 'required' });
      else if (name.length > 200) issues.push({ path, message: 'must be at most 200 characters', code: 'too_big' });
      else if (approvers.includes(name)) issues.push({ path, message: `names ${name} twice`, code: 'duplicate' });
      else if (name === requester) issues.push({ path, message: 'cannot be the requester: nobody approves their own request', code: 'invalid' });
      else approvers.push(name);
    });
  }
  let required = 0;
  if (input.policy === 'all') {
    required = approvers.length;
    if (input.requiredApprovals != null && input.requiredApprovals !== input.approvers.length) {
      issues.push({ path: 'input.requiredApprovals', message: 'must be left out (or equal the number of approvers) with policy ALL', code: 'invalid' });
    }
  } else if (input.policy === 'any') {
    required = input.requiredApprovals ?? 1;
    if (!Number.isInteger(required) || required < 1 || required > Math.max(1, input.approvers?.length ?? 0)) {
      issues.push({ path: 'input.requiredApprovals', message: `must be between 1 and the number of approvers (${input.approvers?.length ?? 0})`, code: 'out_of_range' });
    }
  } else {
    issues.push({ path: 'input.policy', message: 'must be ALL or ANY', code: 'invalid' });
  }
  const note = checkNote(input.note, 'input.note', issues);
  if (issues.length) throw new ValidationError(issues);
  return {
    id,
    contractId: subject.contractId,
    versionNumber: subject.versionNumber,
    version: subject.version,
    approvers,
    policy: input.policy,
    requiredApprovals: required,
    status: 'open',
    decisions: [],
    awaiting: [...approvers],
    note,
    requestedBy: requester,
    requestedAt: now,
    resolvedAt: null,
    resolvedBy: null,
    resolutionNote: null,
    revision: 1,
  };
}

/** approved once enough approvals are in; rejected once too few approvers are left to ever reach them. */
export function approvalOutcome(request: Pick<ApprovalRequest, 'approvers' | 'requiredApprovals' | 'decisions'>): 'approved' | 'rejected' | null {
  const approvals = request.decisions.filter((d) => d.verdict === 'approve').length;
  const rejections = request.decisions.filter((d) => d.verdict === 'reject').length;
  if (approvals >= request.requiredApprovals) return 'approved';
  if (request.approvers.length - rejections < request.requiredApprovals) return 'rejected';
  return null;
}

function assertOpen(request: ApprovalRequest, action: string): void {
  if (request.status !== 'open') throw new InvalidStateError('ApprovalRequest', request.id, action, `it is already ${request.status}`);
}

/** Records one approver's decision and resolves the request when the policy is met or can no longer be met. */
export function planDecision(request: ApprovalRequest, input: DecideApprovalInput, approver: string | null, now: Date): ApprovalRequest {
  const action = input.verdict === 'approve' ? 'approve' : 'reject';
  const issues: ValidationIssue[] = [];
  const note = checkNote(input.note, input.verdict === 'reject' ? 'input.reason' : 'input.note', issues);
  if (input.verdict === 'reject' && !note && !issues.length) issues.push({ path: 'input.reason', message: 'is required: say why the version is rejected', code: 'required' });
  if (issues.length) throw new ValidationError(issues);
  if (!approver || !request.approvers.includes(approver)) {
    throw new NotAllowedError('ApprovalRequest', request.id, action, `${approver ?? 'an anonymous caller'} is not one of its approvers`);
  }
  if (request.decisions.some((d) => d.approver === approver)) {
    throw new NotAllowedError('ApprovalRequest', request.id, action, `${approver} has already decided`);
  }
  assertOpen(request, action);
  const decisions = [...request.decisions, { approver, verdict: input.verdict, note, at: now }];
  const outcome = approvalOutcome({ ...request, decisions });
  const base = { ...request, decisions, revision: request.revision + 1 };
  if (!outcome) return { ...base, awaiting: request.awaiting.filter((a) => a !== approver) };
  return { ...base, status: outcome, awaiting: [], resolvedAt: now, resolvedBy: approver, resolutionNote: note };
}

export function planWithdrawal(request: ApprovalRequest, input: WithdrawApprovalInput, actor: ApprovalActor, now: Date): ApprovalRequest {
  const issues: ValidationIssue[] = [];
  const note = checkNote(input.note, 'input.note', issues);
  if (issues.length) throw new ValidationError(issues);
  if (actor.name !== request.requestedBy && !actor.admin) {
    throw new NotAllowedError('ApprovalRequest', request.id, 'withdraw', 'only its requester (or an admin) may withdraw it');
  }
  assertOpen(request, 'withdraw');
  return { ...request, status: 'withdrawn', awaiting: [], resolvedAt: now, resolvedBy: actor.name, resolutionNote: note, revision: request.revision + 1 };
}
