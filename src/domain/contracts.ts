/**
 * The rules for writing contracts, as pure functions: what a create, an update, a rollback or a status change
 * produces. Storage backends call these and then only do the I/O.
 */
import type { CompatibilityMode, RequiredBump } from './compatibility.js';
import { InvalidTransitionError, ValidationError, type ValidationIssue } from './errors.js';
import { type CompatibilityVerdict, DEFAULT_POLICY, planEvolution, type RegistryPolicy, type VersionChange } from './evolution.js';
import { allowedContractTransitions, canTransitionContract, type ContractStatus } from './lifecycle.js';
import { type JsonObject, type OdcsDocument, validateContractDocument } from './odcs.js';
import { isSemVer } from './versions.js';

export type ChangeKind = 'create' | 'update' | 'rollback';

/** Registry metadata and the current document of a contract. The document is never mixed with metadata. */
export interface Contract {
  id: string;
  name: string;
  description: string | null;
  owner: string | null;
  status: ContractStatus;
  /** The registry version (semantic) of the current document. */
  version: string;
  /** How many versions the contract has; the current one is number `versionCount`. */
  versionCount: number;
  /** Optimistic-concurrency counter: +1 on every write to the contract. */
  revision: number;
  /** A failing check in a pushed validation record opens (or adds an occurrence to) a data-quality issue. */
  autoOpenIssues: boolean;
  /** The contract's compatibility mode; null follows the registry default. */
  compatibility: CompatibilityMode | null;
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
  /** Defaults to the document's `name`. */
  name?: string | null;
  /** Defaults to the document's team name. */
  owner?: string | null;
  /** Defaults to the document's `version`. */
  version?: string | null;
  note?: string | null;
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
}

export interface RollbackContractInput {
  id: string;
  expectedRevision: number;
  /** The version whose document becomes current again, as a new version. */
  toVersion: string;
  note?: string | null;
  acceptBreakingChanges?: boolean | null;
}

export interface SetContractStatusInput {
  id: string;
  expectedRevision: number;
  status: ContractStatus;
}

export interface SetContractSettingsInput {
  id: string;
  expectedRevision: number;
  autoOpenIssues?: boolean | null;
  /** A mode, or null to follow the registry default again; undefined keeps the current setting. */
  compatibility?: CompatibilityMode | null;
}

export function planSettingsChange(current: Contract, input: SetContractSettingsInput, ctx: WriteContext): Contract {
  return {
    ...current,
    autoOpenIssues: input.autoOpenIssues ?? current.autoOpenIssues,
    // null resets the contract to the registry default; leaving it out keeps the current setting.
    compatibility: input.compatibility !== undefined ? input.compatibility : current.compatibility,
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

const MAX_NAME = 200;

function checkName(name: unknown, path: string, issues: ValidationIssue[]): string | null {
  if (typeof name !== 'string' || !name.trim()) {
    issues.push({ path, message: 'is required (give a name, or a document with a name)', code: 'required' });
    return null;
  }
  const trimmed = name.trim();
  if (trimmed.length > MAX_NAME) issues.push({ path, message: `must be at most ${MAX_NAME} characters`, code: 'too_big' });
  return trimmed;
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
  const name = checkName(input.name ?? doc.name, input.name != null ? 'name' : 'document.name', issues);
  const version = input.version ?? (typeof doc.version === 'string' ? doc.version : '');
  const versionPath = input.version != null ? 'version' : 'document.version';
  if (!isSemVer(version)) issues.push({ path: versionPath, message: `must be a semantic version such as 1.0.0, not ${JSON.stringify(version)}`, code: 'invalid_format' });
  if (issues.length) throw new ValidationError(issues);
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
    document,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    createdBy: ctx.actor,
    updatedBy: ctx.actor,
  };
  return { contract, version: snapshot(contract, 'create', null, input.note ?? null, ctx, null, warnings) };
}

/** `history`: earlier documents, newest first (the current one first); transitive modes check them all. */
export function planUpdate(current: Contract, input: UpdateContractInput, ctx: WriteContext, history: readonly JsonObject[] = [current.document]): ContractWrite {
  const policy = ctx.policy ?? DEFAULT_POLICY;
  const warnings = checkDocument(input.document, policy);
  const document = cloneJson(input.document as JsonObject);
  const doc = document as unknown as OdcsDocument;
  const issues: ValidationIssue[] = [];
  const name = input.name != null ? checkName(input.name, 'name', issues) : current.name;
  if (issues.length) throw new ValidationError(issues);
  const previousDocVersion = (current.document as unknown as OdcsDocument).version;
  const declared = input.version ?? (doc.version !== previousDocVersion && typeof doc.version === 'string' ? doc.version : null);
  const evolution = planEvolution({
    currentDocument: current.document,
    currentVersion: current.version,
    candidate: document,
    declaredVersion: declared,
    versionPath: input.version != null ? 'version' : 'document.version',
    mode: effectiveCompatibility(current, policy),
    history,
    acceptBreakingChanges: input.acceptBreakingChanges === true,
  });
  const contract: Contract = {
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
  return { contract, version: snapshot(contract, 'update', null, input.note ?? null, ctx, evolution, warnings) };
}

export function planRollback(
  current: Contract,
  target: ContractVersion,
  input: RollbackContractInput,
  ctx: WriteContext,
  history: readonly JsonObject[] = [current.document],
): ContractWrite {
  const policy = ctx.policy ?? DEFAULT_POLICY;
  const document = cloneJson(target.document);
  const evolution = planEvolution({
    currentDocument: current.document,
    currentVersion: current.version,
    candidate: document,
    declaredVersion: null,
    versionPath: 'toVersion',
    mode: effectiveCompatibility(current, policy),
    history,
    acceptBreakingChanges: input.acceptBreakingChanges === true,
  });
  const contract: Contract = {
    ...current,
    description: descriptionOf(document as unknown as OdcsDocument),
    version: evolution.version,
    versionCount: current.versionCount + 1,
    revision: current.revision + 1,
    document,
    updatedAt: ctx.now,
    updatedBy: ctx.actor,
  };
  return { contract, version: snapshot(contract, 'rollback', target.version, input.note ?? null, ctx, evolution, target.warnings) };
}

export function planStatusChange(current: Contract, input: SetContractStatusInput, ctx: WriteContext): Contract {
  if (!canTransitionContract(current.status, input.status)) {
    throw new InvalidTransitionError('Contract', current.status, input.status, allowedContractTransitions(current.status));
  }
  return { ...current, status: input.status, revision: current.revision + 1, updatedAt: ctx.now, updatedBy: ctx.actor };
}

function snapshot(
  contract: Contract,
  changeKind: ChangeKind,
  restoredFrom: string | null,
  note: string | null,
  ctx: WriteContext,
  evolution: import('./evolution.js').Evolution | null,
  warnings: ValidationIssue[],
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
  };
}
