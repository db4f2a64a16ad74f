import type { ApprovalRequest } from '../../domain/approvals.js';
import type { CatalogEntry } from '../../domain/catalog.js';
import type { Comment, Reaction } from '../../domain/comments.js';
import type { Contract, ContractVersion } from '../../domain/contracts.js';
import type { IdempotencyRecord } from '../../domain/idempotency.js';
import type { Issue } from '../../domain/issues.js';
import type { Run } from '../../domain/runs.js';
import type { ValidationRecord } from '../../domain/validations.js';

/** Everything the in-memory backend holds. Values are deep-copied in and out so callers never share objects. */
export class MemoryState {
  readonly contracts = new Map<string, Contract>();
  readonly versions = new Map<string, ContractVersion[]>();
  readonly catalog = new Map<string, CatalogEntry>();
  readonly runs = new Map<string, Run>();
  readonly validations = new Map<string, ValidationRecord>();
  /** `${contractId}\u0000${idempotencyKey}` → the id of the first record pushed with that key. */
  readonly idempotencyKeys = new Map<string, string>();
  /** Idempotency keys of the other mutations (src/services/idempotency.ts), by their id. */
  readonly idempotencyRecords = new Map<string, IdempotencyRecord>();
  /** The write token an idempotent updateContract chose → the id of the version it wrote. */
  readonly writeTokens = new Map<string, string>();
  readonly issues = new Map<string, Issue>();
  /** Comments without their reactions (those are in `reactions`). */
  readonly comments = new Map<string, Comment>();
  /** reactionKey(commentId, kind, by) → the reaction. */
  readonly reactions = new Map<string, Reaction>();
  readonly approvals = new Map<string, ApprovalRequest>();
  /** ODCS id → the id of the contract that holds it (unique: domain/odcs-identity). */
  readonly odcsIds = new Map<string, string>();

  clear(): void {
    this.contracts.clear();
    this.versions.clear();
    this.catalog.clear();
    this.runs.clear();
    this.validations.clear();
    this.idempotencyKeys.clear();
    this.idempotencyRecords.clear();
    this.writeTokens.clear();
    this.issues.clear();
    this.comments.clear();
    this.reactions.clear();
    this.approvals.clear();
    this.odcsIds.clear();
  }

  /** Whether `version` (a semantic version string) is one of the contract's versions. */
  hasVersion(contractId: string, version: string): boolean {
    return (this.versions.get(contractId) ?? []).some((v) => v.version === version);
  }
}

/**
 * A deep copy of a stored value. Plain objects, arrays and dates (all the backend stores, the JSON documents above
 * all) are copied by hand, about four times faster than structuredClone, which copied every list page's documents
 * (issue 15.6 profile); anything else (Map, Set…) goes through structuredClone.
 */
export function copy<T>(value: T): T {
  return clone(value) as T;
}

function clone(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clone);
  if (value instanceof Date) return new Date(value.getTime());
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return structuredClone(value); // Map, Set, typed arrays…
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) out[key] = clone((value as Record<string, unknown>)[key]);
  return out;
}
