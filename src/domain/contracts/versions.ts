/** Writing versions, as pure functions: what a create, an update, a rollback or a settings change produces. */
import { quoteInput } from '../echo.js';
import { InvalidStateError, ValidationError, type ValidationIssue } from '../errors.js';
import { DEFAULT_POLICY, planEvolution, type RegistryPolicy } from '../evolution.js';
import { type JsonObject, type OdcsDocument, validateContractDocument } from '../odcs.js';
import { contractHandle, identityProblem, odcsIdOf } from '../odcs-identity.js';
import { normalizeName, ownerKey, versionLengthProblem } from '../names.js';
import type { SourceText } from '../odcs-text.js';
import { isSemVer } from '../versions.js';
import {
  type ChangeKind,
  type Contract,
  type ContractVersion,
  type ContractWrite,
  type CreateContractInput,
  effectiveCompatibility,
  type HeadVersion,
  type RollbackContractInput,
  type SetContractSettingsInput,
  type UpdateContractInput,
  versionId,
  type WriteContext,
} from './model.js';

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

function checkName(name: unknown, path: string, issues: ValidationIssue[]): string | null {
  const checked = normalizeName(name);
  if (checked.ok) return checked.name;
  issues.push({ path, message: checked.message, code: checked.code });
  return typeof name === 'string' && checked.code !== 'required' ? name : null;
}

function ownerOf(document: OdcsDocument): string | null {
  const team = document.team as { name?: unknown } | unknown[] | undefined;
  if (team && !Array.isArray(team) && typeof team.name === 'string') return ownerKey(team.name);
  return null;
}

export function descriptionOf(document: OdcsDocument): string | null {
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

export function cloneJson(value: JsonObject): JsonObject {
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
  else if (!isSemVer(version)) issues.push({ path: versionPath, message: `must be a semantic version such as 1.0.0, not ${quoteInput(version)}`, code: 'invalid_format' });
  if (issues.length) throw new ValidationError(issues);
  const statedVersion = typeof doc.version === 'string' ? doc.version : null;
  const contract: Contract = {
    id,
    name: name!,
    description: descriptionOf(doc),
    owner: ownerKey(input.owner) ?? ownerOf(doc),
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
    owner: input.owner !== undefined && input.owner !== null ? ownerKey(input.owner) : current.owner,
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
  if (identity) throw new ValidationError([{ ...identity, message: `holds ODCS id ${quoteInput(odcsIdOf(document))}; the contract's id ${identity.message}` }]);
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

function snapshot(
  contract: Contract,
  changeKind: ChangeKind,
  restoredFrom: string | null,
  note: string | null,
  ctx: WriteContext,
  evolution: import('../evolution.js').Evolution | null,
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
