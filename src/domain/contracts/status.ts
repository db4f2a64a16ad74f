/**
 * Status changes of a contract, as pure functions: review opened and closed, activation, deprecation, retirement
 * (the transitions themselves are the rules of domain/lifecycle).
 */
import { InvalidStateError, InvalidTransitionError, NotFoundError, ValidationError, type ValidationIssue } from '../errors.js';
import { allowedContractTransitions, canTransitionContract, type ContractStatus, type StatusChange } from '../lifecycle.js';
import type { OdcsDocument } from '../odcs.js';
import type { Contract, ContractVersion, WriteContext } from './model.js';
import { cloneJson, descriptionOf } from './versions.js';

function transitioned(
  current: Contract,
  to: ContractStatus,
  subject: Pick<ContractVersion, 'version' | 'number'>,
  ctx: WriteContext,
  note: string | null,
  approvalRequestId: string | null,
): Contract {
  const from = current.status;
  // active → active records a revision's activation; every other move must be a lifecycle transition (so retiring a
  // retired contract, or deprecating a deprecated one, is refused: retired is final).
  const revisionActivated = from === 'active' && to === 'active';
  if (!revisionActivated && !canTransitionContract(from, to)) throw new InvalidTransitionError('Contract', from, to, allowedContractTransitions(from));
  const entry: StatusChange = { at: ctx.now, by: ctx.actor, from, to, version: subject.version, versionNumber: subject.number, note, approvalRequestId };
  return { ...current, status: to, statusHistory: [...current.statusHistory, entry], revision: current.revision + 1, updatedAt: ctx.now, updatedBy: ctx.actor };
}

/** The version a review or an activation concerns: the newest, which must not be active already. */
function assertReviewable(current: Contract, head: ContractVersion, action: string): void {
  if (head.contractId !== current.id || head.number !== current.versionCount) {
    throw new InvalidStateError('Contract', current.id, action, `version ${head.version} is not its newest version (${current.versionCount})`);
  }
  if (current.openApprovalRequestId !== null) {
    throw new InvalidStateError('Contract', current.id, action, `approval request ${current.openApprovalRequestId} is already open`);
  }
  if (current.status === 'draft') return;
  if (current.status === 'active' && current.activeVersion !== null && current.versionCount > current.activeVersion) return;
  if (current.status === 'active') throw new InvalidStateError('Contract', current.id, action, `its newest version ${head.version} is already active; write a new version first`);
  throw new InvalidTransitionError('Contract', current.status, 'in_review', allowedContractTransitions(current.status));
}

/**
 * An approval request for the newest version was opened: a draft contract moves to in_review; an active contract
 * stays active (it keeps serving its active version) and only records the open request.
 */
export function planReviewOpened(current: Contract, requestId: string, head: ContractVersion, ctx: WriteContext, note: string | null): Contract {
  assertReviewable(current, head, 'submit for review');
  const next = current.status === 'draft' ? transitioned(current, 'in_review', head, ctx, note, requestId) : { ...current, revision: current.revision + 1, updatedAt: ctx.now, updatedBy: ctx.actor };
  return { ...next, openApprovalRequestId: requestId };
}

export type ReviewOutcome = 'approved' | 'rejected' | 'withdrawn';

/**
 * The contract's open request closed. Approved: the reviewed version becomes active and served (in_review → active,
 * or active → active for a revision). Rejected or withdrawn: in_review → draft, or an active contract simply keeps
 * its active version. Returns null when the contract no longer points at the request (already applied).
 */
export function planReviewClosed(current: Contract, requestId: string, outcome: ReviewOutcome, reviewed: ContractVersion, ctx: WriteContext, note: string | null): Contract | null {
  if (current.openApprovalRequestId !== requestId) return null;
  const closed = { ...current, openApprovalRequestId: null };
  if (outcome === 'approved') return activated(closed, reviewed, ctx, note, requestId);
  if (current.status === 'in_review') return transitioned(closed, 'draft', reviewed, ctx, note, requestId);
  return { ...closed, revision: current.revision + 1, updatedAt: ctx.now, updatedBy: ctx.actor };
}

function activated(current: Contract, version: ContractVersion, ctx: WriteContext, note: string | null, requestId: string | null): Contract {
  const next = transitioned(current, 'active', version, ctx, note, requestId);
  return {
    ...next,
    activeVersion: version.number,
    document: cloneJson(version.document),
    version: version.version,
    description: descriptionOf(version.document as unknown as OdcsDocument),
  };
}

export interface ActivateContractInput {
  id: string;
  expectedRevision: number;
  note?: string | null;
}

/**
 * Activation without an approval request, for a contract whose approval an admin waived: the newest version
 * becomes active. A draft contract passes through in_review (both entries are recorded).
 */
export function planActivation(current: Contract, head: ContractVersion, input: ActivateContractInput, ctx: WriteContext): Contract {
  if (current.approvalRequired) {
    throw new InvalidStateError('Contract', current.id, 'activate', 'it requires an approved approval request (submit the version for review)');
  }
  assertReviewable(current, head, 'activate');
  const note = input.note ?? null;
  const reviewed = current.status === 'draft' ? transitioned(current, 'in_review', head, ctx, note ?? 'approval waived', null) : current;
  return { ...activated(reviewed, head, ctx, note ?? 'approval waived', null), revision: current.revision + 1 };
}

export interface DeprecateContractInput {
  id: string;
  expectedRevision: number;
  reason: string;
  /** The contract that replaces this one; it must be active. */
  replacedBy?: string | null;
}

/** `replacement`: the contract named by replacedBy, as read (null if it does not exist). */
export function planDeprecation(current: Contract, input: DeprecateContractInput, replacement: Contract | null, ctx: WriteContext): Contract {
  const issues: ValidationIssue[] = [];
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (!reason) issues.push({ path: 'input.reason', message: 'is required: say why the contract is deprecated', code: 'required' });
  else if (reason.length > 2000) issues.push({ path: 'input.reason', message: 'must be at most 2000 characters', code: 'too_big' });
  if (input.replacedBy != null) {
    if (input.replacedBy === current.id) issues.push({ path: 'input.replacedBy', message: 'cannot be the deprecated contract itself', code: 'invalid' });
    else if (replacement && replacement.status !== 'active') {
      issues.push({ path: 'input.replacedBy', message: `must be an active contract; ${replacement.name} is ${replacement.status}`, code: 'invalid' });
    }
  }
  if (issues.length) throw new ValidationError(issues);
  if (input.replacedBy != null && !replacement) throw new NotFoundError('Contract', input.replacedBy);
  if (current.status === 'active' && current.openApprovalRequestId !== null) {
    throw new InvalidStateError('Contract', current.id, 'deprecate', `approval request ${current.openApprovalRequestId} is open; withdraw it first`);
  }
  const served = { version: current.version, number: current.activeVersion ?? current.versionCount };
  const next = transitioned(current, 'deprecated', served, ctx, reason, null);
  return { ...next, deprecation: { reason, replacedBy: input.replacedBy ?? null } };
}

export interface RetireContractInput {
  id: string;
  expectedRevision: number;
  note?: string | null;
}

export function planRetirement(current: Contract, input: RetireContractInput, ctx: WriteContext): Contract {
  const served = { version: current.version, number: current.activeVersion ?? current.versionCount };
  return transitioned(current, 'retired', served, ctx, input.note ?? null, null);
}
