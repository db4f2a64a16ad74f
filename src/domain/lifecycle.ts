/**
 * The contract lifecycle: which status may follow which, the status history, and which version a contract serves.
 * Pure; storage and the API enforce it.
 *
 * - draft → in_review → active → deprecated → retired, and in_review → draft (rejected or withdrawn). Retired is final.
 * - A contract serves its active version (the last approved one) once it has one, else its newest version.
 * - A new version of an active contract is a draft revision: the contract stays active and keeps serving the
 *   active version until the revision is approved. While an approval request is open, no new version is written.
 */

export const CONTRACT_STATUSES = ['draft', 'in_review', 'active', 'deprecated', 'retired'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

const CONTRACT_TRANSITIONS: Record<ContractStatus, readonly ContractStatus[]> = {
  draft: ['in_review'],
  in_review: ['active', 'draft'],
  active: ['deprecated'],
  deprecated: ['retired'],
  retired: [],
};

export function allowedContractTransitions(from: ContractStatus): readonly ContractStatus[] {
  return CONTRACT_TRANSITIONS[from];
}

export function canTransitionContract(from: ContractStatus, to: ContractStatus): boolean {
  return CONTRACT_TRANSITIONS[from].includes(to);
}

/**
 * One entry of a contract's status history. `from` is null for the creation entry. An entry whose `from` and `to`
 * are both active records a revision being activated (the contract stayed active; its served version changed).
 */
export interface StatusChange {
  at: Date;
  by: string | null;
  from: ContractStatus | null;
  to: ContractStatus;
  /** The version concerned: the one activated, reviewed, or served at the time. */
  version: string;
  versionNumber: number;
  note: string | null;
  /** The approval request that caused the change, if one did. */
  approvalRequestId: string | null;
}

/** Why and in favour of what a contract was deprecated. */
export interface Deprecation {
  reason: string;
  /** The id of the contract that replaces this one (it was active when this one was deprecated). */
  replacedBy: string | null;
}

/** The lifecycle fields of a contract (a subset of domain/contracts Contract). */
export interface LifecycleState {
  id: string;
  status: ContractStatus;
  versionCount: number;
  /** The number of the version that was approved last and is served; null until the first activation. */
  activeVersion: number | null;
  openApprovalRequestId: string | null;
  statusHistory: StatusChange[];
}

/** The number of the version a contract serves as current: its active version, else its newest. */
export function servedVersionNumber(c: Pick<LifecycleState, 'activeVersion' | 'versionCount'>): number {
  return c.activeVersion ?? c.versionCount;
}

/** The newest version is the served one (no draft revision above an active version). */
export function servesNewestVersion(c: Pick<LifecycleState, 'activeVersion' | 'versionCount'>): boolean {
  return servedVersionNumber(c) === c.versionCount;
}

/** The newest version when it is not (yet) the active one: a draft, or the version under review. */
export function draftVersionNumber(c: Pick<LifecycleState, 'activeVersion' | 'versionCount'>): number | null {
  return c.activeVersion === null || c.versionCount > c.activeVersion ? c.versionCount : null;
}

/** Numbers of the versions that were ever active, newest activation first, without repeats. */
export function everActiveVersionNumbers(c: Pick<LifecycleState, 'statusHistory'>): number[] {
  const seen = new Set<number>();
  for (let i = c.statusHistory.length - 1; i >= 0; i--) {
    const entry = c.statusHistory[i]!;
    if (entry.to === 'active') seen.add(entry.versionNumber);
  }
  return [...seen];
}

/**
 * The earlier versions (besides the newest, which is always checked) that a transitive compatibility mode checks a
 * new version against: every version that was ever active, newest activation first. Drafts that were never
 * approved promised nothing to consumers, so they are not among them.
 */
export function transitiveBaseline(c: Pick<LifecycleState, 'statusHistory' | 'versionCount'>): number[] {
  return everActiveVersionNumbers(c).filter((n) => n !== c.versionCount);
}
