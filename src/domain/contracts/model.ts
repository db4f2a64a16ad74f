/** What a contract and its versions are, and the inputs of the writes on them. Pure types and small facts. */
import type { CompatibilityMode, RequiredBump } from '../compatibility.js';
import type { ValidationIssue } from '../errors.js';
import { type CompatibilityVerdict, DEFAULT_POLICY, type RegistryPolicy, type VersionChange } from '../evolution.js';
import type { ContractStatus, Deprecation, LifecycleState, StatusChange } from '../lifecycle.js';
import type { JsonObject } from '../odcs.js';
import type { SourceText } from '../odcs-text.js';

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
  /** The id to create it under (an idempotent retry reuses the id chosen for its key); a new UUID when absent. */
  id?: string | null;
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
  /**
   * The write token stored with the new version (an idempotent retry reuses the one chosen for its key, so it can
   * tell whether its write happened); a new UUID when absent.
   */
  writeToken?: string | null;
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

export interface ContractWrite {
  contract: Contract;
  version: ContractVersion;
}

export function versionId(contractId: string, number: number): string {
  return `${contractId}@${number}`;
}

/** The newest version's document and semantic version: what the next version is diffed and numbered against. */
export interface HeadVersion {
  document: JsonObject;
  version: string;
}
