/**
 * The rules for writing contracts, as pure functions: what a create, an update, a rollback or a status change
 * produces. Storage backends call these and then only do the I/O.
 */
import { InvalidTransitionError, ValidationError, type ValidationIssue } from './errors.js';
import { allowedContractTransitions, canTransitionContract, type ContractStatus } from './lifecycle.js';
import { type JsonObject, type OdcsDocument, validateContractDocument } from './odcs.js';
import { bumpVersion, compareSemVer, isSemVer } from './versions.js';

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
}

export interface WriteContext {
  now: Date;
  actor: string | null;
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
  /** Defaults to the document's `version` when the author changed it, else the next patch version. */
  version?: string | null;
  note?: string | null;
}

export interface RollbackContractInput {
  id: string;
  expectedRevision: number;
  /** The version whose document becomes current again, as a new version. */
  toVersion: string;
  note?: string | null;
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
}

export function planSettingsChange(current: Contract, input: SetContractSettingsInput, ctx: WriteContext): Contract {
  return {
    ...current,
    autoOpenIssues: input.autoOpenIssues ?? current.autoOpenIssues,
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

function checkDocument(document: unknown): asserts document is JsonObject {
  const issues = validateContractDocument(document, 'document');
  if (issues.length) throw new ValidationError(issues);
}

function cloneJson(value: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

export function planCreate(input: CreateContractInput, id: string, ctx: WriteContext): ContractWrite {
  checkDocument(input.document);
  const document = cloneJson(input.document);
  const doc = document as unknown as OdcsDocument;
  const issues: ValidationIssue[] = [];
  const name = checkName(input.name ?? doc.name, input.name != null ? 'name' : 'document.name', issues);
  const version = input.version ?? doc.version;
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
    document,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    createdBy: ctx.actor,
    updatedBy: ctx.actor,
  };
  return { contract, version: snapshot(contract, 'create', null, input.note ?? null, ctx) };
}

export function planUpdate(current: Contract, input: UpdateContractInput, ctx: WriteContext): ContractWrite {
  checkDocument(input.document);
  const document = cloneJson(input.document);
  const doc = document as unknown as OdcsDocument;
  const issues: ValidationIssue[] = [];
  const name = input.name != null ? checkName(input.name, 'name', issues) : current.name;
  const previousDocVersion = (current.document as unknown as OdcsDocument).version;
  const declared = input.version ?? (doc.version !== previousDocVersion ? doc.version : null);
  const versionPath = input.version != null ? 'version' : 'document.version';
  let version = bumpVersion(current.version, 'patch');
  if (declared != null) {
    if (!isSemVer(declared)) {
      issues.push({ path: versionPath, message: `must be a semantic version such as 1.0.0, not ${JSON.stringify(declared)}`, code: 'invalid_format' });
    } else if (compareSemVer(declared, current.version) <= 0) {
      issues.push({ path: versionPath, message: `must be greater than the current version ${current.version}`, code: 'too_small' });
    } else version = declared;
  }
  if (issues.length) throw new ValidationError(issues);
  const contract: Contract = {
    ...current,
    name: name!,
    description: descriptionOf(doc),
    owner: input.owner !== undefined && input.owner !== null ? input.owner.trim() || null : current.owner,
    version,
    versionCount: current.versionCount + 1,
    revision: current.revision + 1,
    document,
    updatedAt: ctx.now,
    updatedBy: ctx.actor,
  };
  return { contract, version: snapshot(contract, 'update', null, input.note ?? null, ctx) };
}

export function planRollback(current: Contract, target: ContractVersion, input: RollbackContractInput, ctx: WriteContext): ContractWrite {
  const document = cloneJson(target.document);
  const contract: Contract = {
    ...current,
    description: descriptionOf(document as unknown as OdcsDocument),
    version: bumpVersion(current.version, 'patch'),
    versionCount: current.versionCount + 1,
    revision: current.revision + 1,
    document,
    updatedAt: ctx.now,
    updatedBy: ctx.actor,
  };
  return { contract, version: snapshot(contract, 'rollback', target.version, input.note ?? null, ctx) };
}

export function planStatusChange(current: Contract, input: SetContractStatusInput, ctx: WriteContext): Contract {
  if (!canTransitionContract(current.status, input.status)) {
    throw new InvalidTransitionError('Contract', current.status, input.status, allowedContractTransitions(current.status));
  }
  return { ...current, status: input.status, revision: current.revision + 1, updatedAt: ctx.now, updatedBy: ctx.actor };
}

function snapshot(contract: Contract, changeKind: ChangeKind, restoredFrom: string | null, note: string | null, ctx: WriteContext): ContractVersion {
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
  };
}
