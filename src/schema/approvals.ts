/**
 * Approval requests in the API: the ApprovalRequest node, the queries that list them (`approvalRequests`,
 * `myPendingApprovals`, `Contract.approvalRequests`, `Contract.pendingApproval`) and the review mutations
 * (`submitForReview`, `approve`, `reject`, `withdrawApprovalRequest`).
 */
import { textKey } from '../domain/names.js';
import type { Context } from '../context.js';
import {
  APPROVAL_POLICIES,
  APPROVAL_STATUSES,
  type ApprovalDecision,
  type ApprovalPolicy,
  type ApprovalRequest,
  type ApprovalStatus,
} from '../domain/approvals.js';
import { versionId } from '../domain/contracts.js';
import type { ApprovalFilter, Page } from '../storage/types.js';
import { builder } from './builder.js';
import { ContractRef, ContractVersionRef } from './contracts.js';
import { ConflictError, InvalidStateError, InvalidTransitionError, NotAllowedError, NotFoundError, ValidationError } from './errors.js';
import { localId } from './ids.js';
import { checkInput, revisionNumber } from './input.js';
import { StatusChangeRef } from './lifecycle.js';
import { loadAll } from './loading.js';
import { connection, pageArgs, pageRequest, toResult } from './pagination.js';

const ApprovalStatusEnum = builder.enumType('ApprovalStatus', {
  description: 'OPEN until the policy is met (APPROVED), can no longer be met (REJECTED), or the requester withdraws it (WITHDRAWN).',
  values: Object.fromEntries(APPROVAL_STATUSES.map((s) => [s.toUpperCase(), { value: s }])) as Record<Uppercase<ApprovalStatus>, { value: ApprovalStatus }>,
});

const ApprovalPolicyEnum = builder.enumType('ApprovalPolicy', {
  description: 'ALL: every listed approver must approve. ANY: `requiredApprovals` of them must (default 1).',
  values: Object.fromEntries(APPROVAL_POLICIES.map((p) => [p.toUpperCase(), { value: p }])) as Record<Uppercase<ApprovalPolicy>, { value: ApprovalPolicy }>,
});

const ApprovalVerdictEnum = builder.enumType('ApprovalVerdict', {
  description: 'What one approver decided.',
  values: { APPROVE: { value: 'approve' }, REJECT: { value: 'reject' } } as const,
});

const ApprovalDecisionRef = builder.objectRef<ApprovalDecision>('ApprovalDecision').implement({
  description: 'One approver\'s decision, kept for good.',
  fields: (t) => ({
    approver: t.exposeString('approver', { description: 'Who decided: the principal name (API key name or JWT subject), one of the listed approvers.' }),
    verdict: t.field({ type: ApprovalVerdictEnum, description: 'Approve or reject.', resolve: (d) => d.verdict }),
    note: t.exposeString('note', { nullable: true, description: 'The note; for a rejection, its reason.' }),
    decidedAt: t.field({ type: 'DateTime', description: 'When the decision was made (UTC).', resolve: (d) => d.at }),
  }),
});

export const ApprovalRequestRef = builder.loadableNodeRef('ApprovalRequest', {
  id: { resolve: (r: ApprovalRequest) => r.id },
  load: (ids: string[], ctx: Context) => loadAll(ctx.storage.approvals.getByIds(ids)),
});

ApprovalRequestRef.implement({
  description: 'A request to activate one contract version, decided by the listed approvers under a policy.',
  fields: (t) => ({
    contract: t.field({ type: ContractRef, nullable: true, description: 'Null once the contract was deleted.', resolve: (r) => r.contractId }),
    version: t.field({ type: ContractVersionRef, nullable: true, description: 'The version under review.', resolve: (r) => versionId(r.contractId, r.versionNumber) }),
    versionString: t.exposeString('version', { description: 'The semantic version under review.' }),
    status: t.field({ type: ApprovalStatusEnum, description: 'OPEN until decided or withdrawn; then final.', resolve: (r) => r.status }),
    policy: t.field({ type: ApprovalPolicyEnum, description: 'How many of the approvers must approve.', resolve: (r) => r.policy }),
    approvers: t.exposeStringList('approvers', { description: 'The principal names asked to decide (1 to 20), in the order given.' }),
    requiredApprovals: t.exposeInt('requiredApprovals', { description: 'How many approvals resolve it (ALL: every approver).' }),
    approvalCount: t.int({ description: 'How many approvers have approved so far.', resolve: (r) => r.decisions.filter((d) => d.verdict === 'approve').length }),
    decisions: t.field({ type: [ApprovalDecisionRef], description: 'In the order they were made.', resolve: (r) => r.decisions }),
    awaiting: t.exposeStringList('awaiting', { description: 'Approvers who have not decided yet (empty once closed).' }),
    viewerCanDecide: t.boolean({
      description: 'The caller is an approver of this open request who has not decided yet.',
      resolve: (r, _args, ctx) => r.status === 'open' && ctx.caller.name !== null && r.awaiting.includes(ctx.caller.name),
    }),
    note: t.exposeString('note', { nullable: true }),
    requestedBy: t.exposeString('requestedBy', { description: 'Who submitted the version for review (API key name or JWT subject).' }),
    requestedAt: t.field({ type: 'DateTime', description: 'When it was submitted (UTC).', resolve: (r) => r.requestedAt }),
    resolvedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was approved, rejected or withdrawn (UTC); null while OPEN.', resolve: (r) => r.resolvedAt }),
    resolvedBy: t.exposeString('resolvedBy', { nullable: true, description: 'The approver whose decision closed it, or who withdrew it.' }),
    resolutionNote: t.exposeString('resolutionNote', {
      nullable: true,
      description: 'The note of the decision or withdrawal that closed it (for a rejection, its reason); null while OPEN or when none was given.',
    }),
    revision: t.exposeInt('revision'),
  }),
});

/** An anonymous caller (with anonymous read on) is nobody's approver. */
const NOTHING: Page<ApprovalRequest> = { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: async () => 0 };

const ApprovalRequestConnection = connection<ApprovalRequest>('ApprovalRequest', ApprovalRequestRef, 'Newest first.');

builder.objectFields(StatusChangeRef, (t) => ({
  approvalRequest: t.field({
    type: ApprovalRequestRef,
    nullable: true,
    description: 'The approval request that caused the change, if one did.',
    resolve: ({ entry }) => entry.approvalRequestId,
  }),
}));

builder.objectFields(ContractRef, (t) => ({
  pendingApproval: t.field({
    type: ApprovalRequestRef,
    nullable: true,
    description: 'The open approval request of the newest version, if any.',
    resolve: (c) => c.openApprovalRequestId,
  }),
  approvalRequests: t.field({
    type: ApprovalRequestConnection,
    description: 'Every approval request of the contract, newest first.',
    args: { status: t.arg({ type: [ApprovalStatusEnum], required: false, description: 'Only requests with any of these statuses; all when omitted.' }), ...pageArgs },
    resolve: (c, args, ctx) => toResult(ctx.storage.approvals.list({ contractId: c.id, status: args.status ?? null }, pageRequest(args)), args),
  }),
}));

const ApprovalFilterInput = builder.inputType('ApprovalRequestFilter', {
  description: 'Which approval requests to list: those matching every criterion given.',
  fields: (t) => ({
    contractId: t.id({ required: false }),
    status: t.field({ type: [ApprovalStatusEnum], required: false, description: 'Any of these statuses.' }),
    approver: t.string({ required: false, description: 'Requests listing this principal as an approver.' }),
    awaiting: t.string({ required: false, description: 'Open requests this principal has not decided yet.' }),
    requestedBy: t.string({ required: false, description: 'Requests submitted by this principal (exact name).' }),
  }),
});

builder.queryFields((t) => ({
  approvalRequests: t.field({
    type: ApprovalRequestConnection,
    description: 'Approval requests across contracts, newest first.',
    args: { filter: t.arg({ type: ApprovalFilterInput, required: false }), ...pageArgs },
    resolve: (_root, args, ctx) => {
      const f = args.filter;
      const filter: ApprovalFilter = {
        contractId: f?.contractId == null ? null : localId(f.contractId, 'Contract', 'filter.contractId'),
        status: f?.status ?? null,
        approver: textKey(f?.approver),
        awaiting: textKey(f?.awaiting),
        requestedBy: textKey(f?.requestedBy),
      };
      return toResult(ctx.storage.approvals.list(filter, pageRequest(args)), args);
    },
  }),
  myPendingApprovals: t.field({
    type: ApprovalRequestConnection,
    description: 'The open requests the caller is an approver of and has not decided yet, newest first.',
    args: pageArgs,
    resolve: (_root, args, ctx) =>
      toResult(
        ctx.caller.name === null ? Promise.resolve(NOTHING) : ctx.storage.approvals.list({ awaiting: ctx.caller.name, status: ['open'] }, pageRequest(args)),
        args,
      ),
  }),
}));

const SubmitForReviewInput = builder.inputType('SubmitForReviewInput', {
  fields: (t) => ({
    contractId: t.id({ required: true }),
    expectedRevision: t.int({ required: true, description: 'The contract revision you read.' }),
    approvers: t.stringList({ required: true, description: 'Principal names (1 to 20); not yourself.' }),
    policy: t.field({ type: ApprovalPolicyEnum, required: false, defaultValue: 'all', description: 'ALL unless given: every approver must approve.' }),
    requiredApprovals: t.int({ required: false, description: 'With ANY: how many approvals are needed (default 1).' }),
    note: t.string({ required: false }),
  }),
});

const ApproveInput = builder.inputType('ApproveInput', {
  fields: (t) => ({
    requestId: t.id({ required: true, description: 'The global ID of the open approval request.' }),
    note: t.string({ required: false }),
  }),
});

const RejectInput = builder.inputType('RejectInput', {
  fields: (t) => ({
    requestId: t.id({ required: true, description: 'The global ID of the open approval request.' }),
    reason: t.string({ required: true, description: 'Why the version is rejected (required).' }),
  }),
});

const WithdrawApprovalRequestInput = builder.inputType('WithdrawApprovalRequestInput', {
  fields: (t) => ({
    requestId: t.id({ required: true, description: 'The global ID of the open approval request to withdraw.' }),
    note: t.string({ required: false }),
  }),
});

const decisionErrors = [ValidationError, NotFoundError, NotAllowedError, InvalidStateError, ConflictError];

builder.mutationFields((t) => ({
  submitForReview: t.field({
    type: ApprovalRequestRef,
    description:
      "Opens an approval request for the contract's newest version. A draft contract moves to IN_REVIEW; an active contract stays ACTIVE (serving its active version) until the revision is approved.",
    errors: { types: [ValidationError, NotFoundError, ConflictError, NotAllowedError, InvalidStateError, InvalidTransitionError], dataField: { name: 'approvalRequest' } },
    args: { input: t.arg({ type: SubmitForReviewInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      checkInput([['input.expectedRevision', revisionNumber, input.expectedRevision]]);
      const contractId = localId(input.contractId, 'Contract', 'input.contractId');
      return ctx.storage.approvals.submit({ ...input, contractId, policy: input.policy ?? 'all' }, ctx.caller.name);
    },
  }),
  approve: t.field({
    type: ApprovalRequestRef,
    description: 'Approves as one of the listed approvers (once). When the policy is met the version becomes active.',
    errors: { types: decisionErrors, dataField: { name: 'approvalRequest' } },
    // Deciding needs the approver scope only (not write): skip the Mutation type's default.
    authScopes: { approve: true },
    skipTypeScopes: true,
    args: { input: t.arg({ type: ApproveInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.storage.approvals.decide({ requestId: localId(input.requestId, 'ApprovalRequest', 'input.requestId'), verdict: 'approve', note: input.note }, ctx.caller.name),
  }),
  reject: t.field({
    type: ApprovalRequestRef,
    description: 'Rejects as one of the listed approvers (once), with a reason. When the policy can no longer be met the request is rejected.',
    errors: { types: decisionErrors, dataField: { name: 'approvalRequest' } },
    // Deciding needs the approver scope only (not write): skip the Mutation type's default.
    authScopes: { approve: true },
    skipTypeScopes: true,
    args: { input: t.arg({ type: RejectInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.storage.approvals.decide({ requestId: localId(input.requestId, 'ApprovalRequest', 'input.requestId'), verdict: 'reject', note: input.reason }, ctx.caller.name),
  }),
  withdrawApprovalRequest: t.field({
    type: ApprovalRequestRef,
    description: 'Closes an open request (its requester, or an admin). An in-review contract goes back to DRAFT.',
    errors: { types: decisionErrors, dataField: { name: 'approvalRequest' } },
    args: { input: t.arg({ type: WithdrawApprovalRequestInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      ctx.storage.approvals.withdraw(
        { requestId: localId(input.requestId, 'ApprovalRequest', 'input.requestId'), note: input.note },
        { name: ctx.caller.name, admin: ctx.auth.scopes.admin },
      ),
  }),
}));
