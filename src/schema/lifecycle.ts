/**
 * The contract lifecycle in the API: status history, the active/draft versions, deprecation, and the mutations
 * that move a contract without an approval request (activation when approval is waived, deprecation, retirement,
 * the waiver itself). Approval requests are in approvals.ts.
 */
import { versionId } from '../domain/contracts.js';
import { draftVersionNumber, type StatusChange } from '../domain/lifecycle.js';
import type { Contract } from '../storage/types.js';
import { builder } from './builder.js';
import { ContractRef, ContractStatusEnum, ContractVersionRef } from './contracts.js';
import { ConflictError, InvalidStateError, InvalidTransitionError, NotFoundError, ValidationError } from './errors.js';
import { localId } from './ids.js';
import { checkInput, revisionNumber } from './input.js';

/** A history entry with its contract (entries do not carry it). */
export interface StatusChangeView {
  contractId: string;
  entry: StatusChange;
}

export const StatusChangeRef = builder.objectRef<StatusChangeView>('ContractStatusChange').implement({
  description:
    "One entry of a contract's status history. `from` is null for the creation; ACTIVE → ACTIVE records a revision being activated (the served version changed).",
  fields: (t) => ({
    from: t.field({ type: ContractStatusEnum, nullable: true, description: 'The status before; null for the creation.', resolve: ({ entry }) => entry.from }),
    to: t.field({ type: ContractStatusEnum, description: 'The status after.', resolve: ({ entry }) => entry.to }),
    at: t.field({ type: 'DateTime', description: 'When the change happened (UTC).', resolve: ({ entry }) => entry.at }),
    by: t.string({ nullable: true, description: 'The principal who caused the change (the deciding approver for an approval).', resolve: ({ entry }) => entry.by }),
    note: t.string({ nullable: true, resolve: ({ entry }) => entry.note }),
    version: t.string({ description: 'The version concerned: activated, reviewed, or served at the time.', resolve: ({ entry }) => entry.version }),
    contractVersion: t.field({ type: ContractVersionRef, nullable: true, description: 'The version concerned (see `version`) as a node; null if it can no longer be read.', resolve: ({ contractId, entry }) => versionId(contractId, entry.versionNumber) }),
  }),
});

interface DeprecationView {
  contract: Contract;
}

const DeprecationRef = builder.objectRef<DeprecationView>('ContractDeprecation').implement({
  description: 'Why a deprecated (or retired) contract should no longer be used, and what replaces it.',
  fields: (t) => ({
    reason: t.string({ description: 'Why consumers should move away, as given to deprecateContract.', resolve: ({ contract }) => contract.deprecation!.reason }),
    replacedBy: t.field({ type: ContractRef, nullable: true, description: 'The contract to move to (it was active when this one was deprecated).', resolve: ({ contract }) => contract.deprecation!.replacedBy }),
    deprecatedAt: t.field({ type: 'DateTime', nullable: true, description: 'When it was deprecated (UTC); null if the history has no such entry.', resolve: ({ contract }) => lastEntry(contract, 'deprecated')?.at ?? null }),
    deprecatedBy: t.string({ nullable: true, description: 'Who deprecated it (API key name or JWT subject); null when unknown.', resolve: ({ contract }) => lastEntry(contract, 'deprecated')?.by ?? null }),
  }),
});

function lastEntry(contract: Contract, to: StatusChange['to']): StatusChange | undefined {
  return contract.statusHistory.findLast((e) => e.to === to);
}

builder.objectFields(ContractRef, (t) => ({
  statusHistory: t.field({
    type: [StatusChangeRef],
    description: 'Every status change, oldest first, starting with the creation.',
    resolve: (c) => c.statusHistory.map((entry) => ({ contractId: c.id, entry })),
  }),
  activeVersion: t.field({
    type: ContractVersionRef,
    nullable: true,
    description: 'The last approved version, served as current; null until the contract is first activated.',
    resolve: (c) => (c.activeVersion === null ? null : versionId(c.id, c.activeVersion)),
  }),
  latestVersion: t.field({ type: ContractVersionRef, description: 'The newest version (a draft revision when newer than activeVersion).', resolve: (c) => versionId(c.id, c.versionCount) }),
  draftVersion: t.field({
    type: ContractVersionRef,
    nullable: true,
    description: 'The newest version while it is not active: the draft (or the version under review). Null when the newest version is the active one.',
    resolve: (c) => {
      const number = draftVersionNumber(c);
      return number === null ? null : versionId(c.id, number);
    },
  }),
  approvalRequired: t.exposeBoolean('approvalRequired', { description: 'Activation needs an approved approval request (false when an admin waived it for this contract).' }),
  deprecation: t.field({ type: DeprecationRef, nullable: true, description: 'The deprecation notice; null unless the contract is DEPRECATED or RETIRED.', resolve: (c) => (c.deprecation ? { contract: c } : null) }),
}));

const ActivateContractInput = builder.inputType('ActivateContractInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    note: t.string({ required: false }),
  }),
});

const DeprecateContractInput = builder.inputType('DeprecateContractInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    reason: t.string({ required: true, description: 'Why consumers should move away (required).' }),
    replacedBy: t.id({ required: false, description: 'The contract that replaces this one; it must be active.' }),
  }),
});

const RetireContractInput = builder.inputType('RetireContractInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    note: t.string({ required: false }),
  }),
});

const SetContractApprovalPolicyInput = builder.inputType('SetContractApprovalPolicyInput', {
  fields: (t) => ({
    id: t.id({ required: true }),
    expectedRevision: t.int({ required: true }),
    approvalRequired: t.boolean({ required: true, description: 'false waives approval: editors may then activate versions with activateContract.' }),
  }),
});

const lifecycleErrors = [ValidationError, NotFoundError, ConflictError, InvalidTransitionError, InvalidStateError];

function contractInput<T extends { id: string; expectedRevision: number }>(input: T): T {
  checkInput([['input.expectedRevision', revisionNumber, input.expectedRevision]]);
  return { ...input, id: localId(input.id, 'Contract', 'input.id') };
}

builder.mutationFields((t) => ({
  activateContract: t.field({
    type: ContractRef,
    description:
      'Activates the newest version without an approval request. Only for a contract whose approval an admin waived (approvalRequired false); otherwise InvalidStateError: use submitForReview.',
    errors: { types: lifecycleErrors, dataField: { name: 'contract' } },
    args: { input: t.arg({ type: ActivateContractInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.storage.contracts.activate(contractInput(input), ctx.caller.name),
  }),
  deprecateContract: t.field({
    type: ContractRef,
    description: 'ACTIVE → DEPRECATED, with a reason and optionally the active contract that replaces it. Refused while an approval request is open.',
    errors: { types: lifecycleErrors, dataField: { name: 'contract' } },
    args: { input: t.arg({ type: DeprecateContractInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const replacedBy = input.replacedBy == null ? null : localId(input.replacedBy, 'Contract', 'input.replacedBy');
      return ctx.storage.contracts.deprecate({ ...contractInput(input), replacedBy }, ctx.caller.name);
    },
  }),
  retireContract: t.field({
    type: ContractRef,
    description: 'DEPRECATED → RETIRED. Retired is final: no new versions, no further status.',
    errors: { types: lifecycleErrors, dataField: { name: 'contract' } },
    args: { input: t.arg({ type: RetireContractInput, required: true }) },
    resolve: (_root, { input }, ctx) => ctx.storage.contracts.retire(contractInput(input), ctx.caller.name),
  }),
  setContractApprovalPolicy: t.field({
    type: ContractRef,
    description: 'Requires (default) or waives approval for activating versions of one contract. Admins only.',
    errors: { types: [ValidationError, NotFoundError, ConflictError], dataField: { name: 'contract' } },
    authScopes: { admin: true },
    args: { input: t.arg({ type: SetContractApprovalPolicyInput, required: true }) },
    resolve: (_root, { input }, ctx) => {
      const { id, expectedRevision } = contractInput(input);
      return ctx.storage.contracts.setSettings({ id, expectedRevision, approvalRequired: input.approvalRequired }, ctx.caller.name);
    },
  }),
}));
