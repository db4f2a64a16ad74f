/**
 * Expected failures of the registry. Storage and domain code throw these; the GraphQL layer maps each
 * class to its own error type in mutation results. Anything else is an unexpected error and is masked.
 */
import type { RuleLevel } from './breaking-rules/table.js';
import type { CompatibilityMode, RequiredBump } from './compatibility.js';
import type { ErrorCode, ValidationIssueCode } from './error-codes.js';
import { quoteInput } from './echo.js';

/** The kinds of thing an error can be about (the GraphQL type names). */
export const RESOURCE_TYPES = ['Contract', 'ContractVersion', 'Run', 'ValidationRecord', 'Issue', 'Comment', 'ApprovalRequest'] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The unique values an AlreadyExistsError can name: a contract's name, ODCS id or id, a version, an issue's fingerprint. */
export const UNIQUE_FIELDS = ['name', 'odcsId', 'id', 'version', 'fingerprint'] as const;
export type UniqueField = (typeof UNIQUE_FIELDS)[number];

export interface ValidationIssue {
  /** Where the problem is, e.g. `schema[0].properties[3].logicalType` or `input.name`. */
  path: string;
  message: string;
  /** Machine-readable kind of problem, e.g. `required`, `invalid_type`, `invalid_value`, `too_big` (the closed list: error-codes.ts). */
  code: ValidationIssueCode;
}

export abstract class RegistryError extends Error {
  abstract readonly code: ErrorCode;
}

export class ValidationError extends RegistryError {
  readonly code = 'VALIDATION_FAILED';
  constructor(readonly issues: ValidationIssue[]) {
    super(
      issues.length === 1
        ? `Invalid input at ${issues[0]!.path}: ${issues[0]!.message}`
        : `Invalid input: ${issues.length} problems, the first at ${issues[0]?.path}: ${issues[0]?.message}`,
    );
    this.name = 'ValidationError';
  }

  static single(path: string, message: string, code: ValidationIssueCode = 'invalid_value'): ValidationError {
    return new ValidationError([{ path, message, code }]);
  }
}

export class NotFoundError extends RegistryError {
  readonly code = 'NOT_FOUND';
  constructor(
    readonly resource: ResourceType,
    readonly key: string,
  ) {
    super(`${resource} ${quoteInput(key)} was not found`);
    this.name = 'NotFoundError';
  }
}

/** Optimistic concurrency: the caller's revision is not the current one. Nothing was written. */
export class ConflictError extends RegistryError {
  readonly code = 'CONFLICT';
  constructor(
    readonly resource: ResourceType,
    readonly id: string,
    readonly expectedRevision: number,
    readonly actualRevision: number | null,
  ) {
    super(
      actualRevision === null
        ? `${resource} ${id} changed while this write was in flight (expected revision ${expectedRevision}); read it again and retry`
        : `${resource} ${id} is at revision ${actualRevision}, not ${expectedRevision}; read it again and retry`,
    );
    this.name = 'ConflictError';
  }
}

/** A unique value (a contract name, a version of a contract) is taken. Nothing was written. */
export class AlreadyExistsError extends RegistryError {
  readonly code = 'ALREADY_EXISTS';
  constructor(
    readonly resource: ResourceType,
    readonly field: UniqueField,
    readonly value: string,
    /** The contract that holds the value, when it is one (e.g. the holder of an ODCS id). */
    readonly existing: { id: string; name: string } | null = null,
  ) {
    super(`${resource} with ${field} ${JSON.stringify(value)} already exists${existing ? `: contract ${JSON.stringify(existing.name)} (id ${existing.id})` : ''}`);
    this.name = 'AlreadyExistsError';
  }
}

/** A lifecycle transition that the state machine does not allow. Nothing was written. */
export class InvalidTransitionError extends RegistryError {
  readonly code = 'INVALID_TRANSITION';
  constructor(
    readonly resource: ResourceType,
    readonly from: string,
    readonly to: string,
    readonly allowed: readonly string[],
  ) {
    super(
      `${resource} cannot go from ${from} to ${to}` +
        (allowed.length ? `; allowed from ${from}: ${allowed.join(', ')}` : `; ${from} is final`),
    );
    this.name = 'InvalidTransitionError';
  }
}

export interface IncompatibleChange {
  ruleId: string;
  level: RuleLevel;
  readablePath: string;
  explanation: string;
  suggestion: string;
}

/**
 * The update holds breaking changes, or changes the contract's compatibility mode forbids, and the caller did not
 * accept them explicitly (acceptBreakingChanges). Nothing was written.
 */
export class IncompatibleChangeError extends RegistryError {
  readonly code = 'INCOMPATIBLE_CHANGE';
  constructor(
    readonly compatibility: CompatibilityMode,
    readonly requiredBump: RequiredBump,
    readonly changes: IncompatibleChange[],
  ) {
    super(
      `${changes.length} change${changes.length === 1 ? '' : 's'} ${changes.length === 1 ? 'is' : 'are'} breaking${compatibility === 'NONE' ? '' : ` or not ${compatibility}-compatible`}` +
        (changes[0] ? `, e.g. ${changes[0].explanation}` : '') +
        '; pass acceptBreakingChanges to write it anyway',
    );
    this.name = 'IncompatibleChangeError';
  }
}

/**
 * The caller is authenticated and may call the mutation, but not on this thing (e.g. editing someone else's
 * comment). Nothing was written.
 */
export class NotAllowedError extends RegistryError {
  readonly code = 'FORBIDDEN';
  constructor(
    readonly resource: ResourceType,
    readonly id: string,
    readonly action: string,
    readonly reason: string,
  ) {
    super(`Not allowed to ${action} ${resource} ${id}: ${reason}`);
    this.name = 'NotAllowedError';
  }
}

/**
 * The thing is not in a state that allows the action (a new version while an approval request is open, activation
 * without an approved request, deciding a closed request). Nothing was written; `reason` says what would allow it.
 */
export class InvalidStateError extends RegistryError {
  readonly code = 'INVALID_STATE';
  constructor(
    readonly resource: ResourceType,
    readonly id: string,
    readonly action: string,
    readonly reason: string,
  ) {
    super(`Cannot ${action} ${resource} ${id}: ${reason}`);
    this.name = 'InvalidStateError';
  }
}

/**
 * A change-log cursor older than retention: the event right after it was deleted, so resuming from it would
 * silently miss events. `oldest` is the oldest position still kept (resume with no cursor to start there).
 */
export class ExpiredCursorError extends RegistryError {
  readonly code = 'CURSOR_EXPIRED';
  constructor(
    readonly path: string,
    readonly after: number,
    readonly oldest: number | null,
  ) {
    super(`The cursor at ${path} (position ${after}) has expired: the events after it are older than the retention period${oldest === null ? '' : `; the oldest kept event is at position ${oldest}`}`);
    this.name = 'ExpiredCursorError';
  }
}

/** An idempotency key already used by this principal for this mutation with a different input. Nothing was written. */
export class IdempotencyKeyReusedError extends RegistryError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  readonly field = 'input.idempotencyKey';
  constructor(
    readonly mutation: string,
    readonly key: string,
  ) {
    super(`input.idempotencyKey ${JSON.stringify(key)} was already used for ${mutation} with a different input; use a new key for a different request`);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** An earlier request with the same idempotency key and input is still running. This one wrote nothing: retry shortly. */
export class IdempotencyKeyInProgressError extends RegistryError {
  readonly code = 'IDEMPOTENCY_KEY_IN_PROGRESS';
  readonly field = 'input.idempotencyKey';
  constructor(
    readonly mutation: string,
    readonly key: string,
    readonly retryAfterMs: number,
  ) {
    super(`an earlier ${mutation} with input.idempotencyKey ${JSON.stringify(key)} is still running; retry in about ${retryAfterMs} ms`);
    this.name = 'IdempotencyKeyInProgressError';
  }
}
