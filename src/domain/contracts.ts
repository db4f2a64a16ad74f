/**
 * The rules for writing contracts, as pure functions: what a create, an update, a rollback or a status change
 * produces. Storage backends call these and then only do the I/O.
 */
import type { CompatibilityMode, RequiredBump } from './compatibility.js';
import { InvalidStateError, InvalidTransitionError, NotFoundError, ValidationError, type ValidationIssue } from './errors.js';
import { type CompatibilityVerdict, DEFAULT_POLICY, planEvolution, type RegistryPolicy, type VersionChange } from './evolution.js';
import {
  allowedContractTransitions,
  canTransitionContract,
  type ContractStatus,
  type Deprecation,
  type LifecycleState,
  type StatusChange,
} from './lifecycle.js';
import { type JsonObject, type OdcsDocument, validateContractDocument } from './odcs.js';
import { contractHandle, identityProblem, odcsIdOf } from './odcs-identity.js';
import { normalizeName, versionLengthProblem } from './names.js';
import type { SourceText } from './odcs-text.js';
import { isSemVer } from './versions.js';

export type ChangeKind = 'create' | 'update' | 'rollback';

/** Registry metadata and the current document of a contract. The document is never mixed with metadata. */
export interface Contract extends LifecycleState {
  id: string;
  name: string;
  description: string | null;
  owner: string | null;
  status: ContractStatus;
  /** The registry version (semantic) of the served document (see lifecycle: the active version, else the newest). */
  version: string;
  /** How many versions the contract has; the newest is number `versionCount`. */
  versionCount: number;
  /** The number of the active (last approved) version, which is served; null until the first activation. */
  activeVersion: number | null;
  /** Activation needs an approved approval request (true unless an admin waived it for this contract). */
  approvalRequired: boolean;
  /** The open approval request of the contract's newest version, if any; no new version is written meanwhile. */
  openApprovalRequestId: string | null;
  /** Every status change, oldest first, starting with the creation (null → draft). */
  statusHistory: StatusChange[];
  /** Set when the contract was deprecated. */
  deprecation: Deprecation | null;
  /** Optimistic-concurrency counter: +1 on every write to the contract. */
  revision: number;
  /** A failing check in a pushed validation record opens (or adds an occurrence to) a data-quality issue. */
  autoOpenIssues: boolean;
  /** The contract's compatibility mode; null follows the registry default. */
  compatibility: CompatibilityMode | null;
  /** The served document (the active version's once there is one); the newest version may be a newer draft. */
  document: JsonObject;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
}

/** One immutable snapshot of a contract's document. */
export interface ContractVersion {
  /** `${contractId}@${number}` */
  id: string;
  contractId: string;
  /** 1, 2, 3, … in the order the versions were written. */
  number: number;
  version: string;
  document: JsonObject;
  changeKind: ChangeKind;
  /** For a rollback: the version whose document was restored. */
  restoredFrom: string | null;
  note: string | null;
  createdAt: Date;
  createdBy: string | null;
  /** The judged changes from the previous version (empty for version 1). */
  changes: VersionChange[];
  requiredBump: RequiredBump;
  /** The compatibility check this version passed or was accepted past; null for version 1. */
  compatibility: CompatibilityVerdict | null;
  /** Breaking or incompatible changes were written because the author accepted them explicitly. */
  breakingChangesAccepted: boolean;
  /** Problems of the document, when the registry stores invalid documents with warnings. */
  warnings: ValidationIssue[];
  /** The YAML or JSON text the document came in as (import), kept as written; null for a structured write. */
  source: SourceText | null;
  /**
   * The `version` the document stated when it came in (null: none). When it differs from `version`, the registry
   * chose the version and wrote it into the stored document (domain/odcs-served).
   */
  statedVersion: string | null;
}

export interface WriteContext {
  now: Date;
  actor: string | null;
  policy?: RegistryPolicy;
}

export function effectiveCompatibility(contract: Pick<Contract, 'compatibility'>, policy: RegistryPolicy = DEFAULT_POLICY): CompatibilityMode {
  return contract.compatibility ?? policy.defaultCompatibility;
}

export interface CreateContractInput {
  document: unknown;
  /** Defaults to the document's `name`, else `defaultName`, else its ODCS `id` (domain/odcs-identity contractHandle). */
  name?: string | null;
  /** The handle of a contract whose document has no name (import: a name the caller offers, e.g. the file's). */
  defaultName?: string | null;
  /** Defaults to the document's team name. */
  owner?: string | null;
  /** Defaults to the document's `version`. */
  version?: string | null;
  note?: string | null;
  /** The text the document was parsed from (import): kept for faithful export. */
  source?: SourceText | null;
}

export interface UpdateContractInput {
  id: string;
  /** The revision the caller read; a different current revision is a conflict. */
  expectedRevision: number;
  document: unknown;
  name?: string | null;
  owner?: string | null;
  /** Defaults to the document's `version` when the author changed it, else the minimum bump its changes require. */
  version?: string | null;
  note?: string | null;
  /** Write breaking or incompatible changes anyway; recorded on the version. */
  acceptBreakingChanges?: boolean | null;
  /** The text the document was parsed from (import): kept for faithful export. */
  source?: SourceText | null;
}

export interface RollbackContractInput {
  id: string;
  expectedRevision: number;
  /** The version whose document becomes current again, as a new version. */
  toVersion: string;
  note?: string | null;
  acceptBreakingChanges?: boolean | null;
}

export interface SetContractSettingsInput {
  id: string;
  expectedRevision: number;
  autoOpenIssues?: boolean | null;
  /** A mode, or null to follow the registry default again; undefined keeps the current setting. */
  compatibility?: CompatibilityMode | null;
  /** false waives approval: an editor may then activate versions directly. Only admins may change it (API). */
  approvalRequired?: boolean | null;
}

export function planSettingsChange(current: Contract, input: SetContractSettingsInput, ctx: WriteContext): Contract {
  return {
    ...current,
    autoOpenIssues: input.autoOpenIssues ?? current.autoOpenIssues,
    // null resets the contract to the registry default; leaving it out keeps the current setting.
    compatibility: input.compatibility !== undefined ? input.compatibility : current.compatibility,
    approvalRequired: input.approvalRequired ?? current.approvalRequired,
    revision: current.revision + 1,
    updatedAt: ctx.now,
    updatedBy: ctx.actor,
  };
}

export interface ContractWrite {
  contract: Contract;
  version: ContractVersion;
}

export function versionId(contractId: string, number: number): string {
  return `${contractId}@${number}`;
}

function checkName(name: unknown, path: string, issues: ValidationIssue[]): string | null {
  const checked = normalizeName(name);
  if (checked.ok) return checked.name;
  issues.push({ path, message: checked.message, code: checked.code });
  return typeof name === 'string' && checked.code !== 'required' ? name : null;
}

function ownerOf(document: OdcsDocument): string | null {
  const team = document.team as { name?: unknown } | unknown[] | undefined;
  if (team && !Array.isArray(team) && typeof team.name === 'string' && team.name.trim()) return team.name.trim();
  return null;
}

function descriptionOf(document: OdcsDocument): string | null {
  const d = document.description;
  if (!d || typeof d !== 'object') return null;
  for (const v of [d.purpose, d.usage, d.limitations]) if (typeof v === 'string' && v.trim()) return v.trim();
  return null;
}

/**
 * Validates a document. Returns its ODCS problems as warnings when the policy stores invalid documents; throws
 * otherwise. What the registry itself needs (an object, unique schema names) is always enforced.
 */
function checkDocument(document: unknown, policy: RegistryPolicy): ValidationIssue[] {
  const issues = validateContractDocument(document, 'document');
  if (!issues.length) return [];
  const blocking = policy.invalidDocuments === 'warn' ? issues.filter((i) => i.code === 'duplicate' || i.path === 'document') : issues;
  if (blocking.length) throw new ValidationError(blocking);
  return issues;
}

function cloneJson(value: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

export function planCreate(input: CreateContractInput, id: string, ctx: WriteContext): ContractWrite {
  const warnings = checkDocument(input.document, ctx.policy ?? DEFAULT_POLICY);
  const document = cloneJson(input.document as JsonObject);
  const doc = document as unknown as OdcsDocument;
  const issues: ValidationIssue[] = [];
  const handle = contractHandle(input);
  const name = checkName(handle?.name, handle?.path ?? 'document.name', issues);
  const version = input.version ?? (typeof doc.version === 'string' ? doc.version : '');
  const versionPath = input.version != null ? 'version' : 'document.version';
  const tooLong = versionLengthProblem(version);
  if (tooLong) issues.push({ path: versionPath, message: tooLong, code: 'too_big' });
  else if (!isSemVer(version)) issues.push({ path: versionPath, message: `must be a semantic version such as 1.0.0, not ${JSON.stringify(version)}`, code: 'invalid_format' });
  if (issues.length) throw new ValidationError(issues);
  const statedVersion = typeof doc.version === 'string' ? doc.version : null;
  const contract: Contract = {
    id,
    name: name!,
    description: descriptionOf(doc),
    owner: input.owner?.trim() || ownerOf(doc),
    status: 'draft',
    version,
    versionCount: 1,
    revision: 1,
    autoOpenIssues: true,
    compatibility: null,
    activeVersion: null,
    approvalRequired: true,
    openApprovalRequestId: null,
    statusHistory: [{ at: ctx.now, by: ctx.actor, from: null, to: 'draft', version, versionNumber: 1, note: input.note ?? null, approvalRequestId: null }],
    deprecation: null,
    document,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    createdBy: ctx.actor,
    updatedBy: ctx.actor,
  };
  return { contract, version: snapshot(contract, 'create', null, input.note ?? null, ctx, null, warnings, input.source ?? null, statedVersion) };
}

/** The newest version's document and semantic version: what the next version is diffed and numbered against. */
export interface HeadVersion {
  document: JsonObject;
  version: string;
}

/**
 * A new version is written unless an approval request is open (its version would no longer be the newest) or the
 * contract is deprecated or retired.
 */
export function assertAcceptsNewVersion(current: Contract): void {
  if (current.openApprovalRequestId !== null) {
    throw new InvalidStateError(
      'Contract',
      current.id,
      'write a new version of',
      `approval request ${current.openApprovalRequestId} for its newest version is open; withdraw it or wait for its decision`,
    );
  }
  if (current.status === 'deprecated' || current.status === 'retired') {
    throw new InvalidStateError('Contract', current.id, 'write a new version of', `it is ${current.status}`);
  }
}

/**
 * Keeps the served fields of `current` when it has an active version: the new version is then a draft revision,
 * and the active version stays served until the revision is approved.
 */
function servedAfterWrite(current: Contract, written: Contract): Contract {
  if (current.activeVersion === null) return written;
  return { ...written, document: current.document, version: current.version, description: current.description, activeVersion: current.activeVersion };
}

/**
 * `head`: the newest version (defaults to the served one, which it is unless a draft revision exists).
 * `history`: earlier documents, newest first (the head first); transitive modes check them all.
 */
export function planUpdate(
  current: Contract,
  input: UpdateContractInput,
  ctx: WriteContext,
  history?: readonly JsonObject[],
  head: HeadVersion = current,
): ContractWrite {
  assertAcceptsNewVersion(current);
  const policy = ctx.policy ?? DEFAULT_POLICY;
  const warnings = checkDocument(input.document, policy);
  const document = cloneJson(input.document as JsonObject);
  const doc = document as unknown as OdcsDocument;
  const issues: ValidationIssue[] = [];
  const name = input.name != null ? checkName(input.name, 'name', issues) : current.name;
  const identity = identityProblem(head.document, document, 'document.id');
  if (identity) issues.push(identity);
  if (issues.length) throw new ValidationError(issues);
  const previousDocVersion = (head.document as unknown as OdcsDocument).version;
  const declared = input.version ?? (doc.version !== previousDocVersion && typeof doc.version === 'string' ? doc.version : null);
  const evolution = planEvolution({
    currentDocument: head.document,
    currentVersion: head.version,
    candidate: document,
    declaredVersion: declared,
    versionPath: input.version != null ? 'version' : 'document.version',
    mode: effectiveCompatibility(current, policy),
    history: history ?? [head.document],
    acceptBreakingChanges: input.acceptBreakingChanges === true,
  });
  const written: Contract = {
    ...current,
    name: name!,
    description: descriptionOf(doc),
    owner: input.owner !== undefined && input.owner !== null ? input.owner.trim() || null : current.owner,
    version: evolution.version,
    versionCount: current.versionCount + 1,
    revision: current.revision + 1,
    document,
    updatedAt: ctx.now,
    updatedBy: ctx.actor,
  };
  const statedVersion = typeof doc.version === 'string' ? doc.version : null;
  const version = snapshot(written, 'update', null, input.note ?? null, ctx, evolution, warnings, input.source ?? null, statedVersion);
  return { contract: servedAfterWrite(current, written), version };
}

export function planRollback(
  current: Contract,
  target: ContractVersion,
  input: RollbackContractInput,
  ctx: WriteContext,
  history?: readonly JsonObject[],
  head: HeadVersion = current,
): ContractWrite {
  assertAcceptsNewVersion(current);
  const policy = ctx.policy ?? DEFAULT_POLICY;
  const document = cloneJson(target.document);
  const identity = identityProblem(head.document, document, 'toVersion');
  if (identity) throw new ValidationError([{ ...identity, message: `holds ODCS id ${JSON.stringify(odcsIdOf(document))}; the contract's id ${identity.message}` }]);
  const evolution = planEvolution({
    currentDocument: head.document,
    currentVersion: head.version,
    candidate: document,
    declaredVersion: null,
    versionPath: 'toVersion',
    mode: effectiveCompatibility(current, policy),
    history: history ?? [head.document],
    acceptBreakingChanges: input.acceptBreakingChanges === true,
  });
  const written: Contract = {
    ...current,
    description: descriptionOf(document as unknown as OdcsDocument),
    version: evolution.version,
    versionCount: current.versionCount + 1,
    revision: current.revision + 1,
    document,
    updatedAt: ctx.now,
    updatedBy: ctx.actor,
  };
  const version = snapshot(written, 'rollback', target.version, input.note ?? null, ctx, evolution, target.warnings, target.source, target.version);
  return { contract: servedAfterWrite(current, written), version };
}

// ---------------------------------------------------------------------------------------------------------------
// Lifecycle (see domain/lifecycle for the rules)

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

function snapshot(
  contract: Contract,
  changeKind: ChangeKind,
  restoredFrom: string | null,
  note: string | null,
  ctx: WriteContext,
  evolution: import('./evolution.js').Evolution | null,
  warnings: ValidationIssue[],
  source: SourceText | null,
  statedVersion: string | null,
): ContractVersion {
  return {
    id: versionId(contract.id, contract.versionCount),
    contractId: contract.id,
    number: contract.versionCount,
    version: contract.version,
    document: contract.document,
    changeKind,
    restoredFrom,
    note,
    createdAt: ctx.now,
    createdBy: ctx.actor,
    changes: evolution?.changes ?? [],
    requiredBump: evolution?.requiredBump ?? 'none',
    compatibility: evolution?.compatibility ?? null,
    breakingChangesAccepted: evolution?.breakingChangesAccepted ?? false,
    warnings,
    source,
    statedVersion,
  };
}
