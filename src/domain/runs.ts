/** Pipeline runs: their lifecycle and what each transition stamps. Pure. */
import { InvalidTransitionError, ValidationError, type ValidationIssue } from './errors.js';
import { forbiddenCharacterProblem } from './names.js';
import type { JsonObject } from './odcs.js';

export const RUN_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const RUN_TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  pending: ['running', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled'],
  succeeded: [],
  failed: [],
  cancelled: [],
};

export function allowedRunTransitions(from: RunStatus): readonly RunStatus[] {
  return RUN_TRANSITIONS[from];
}

export function isFinalRunStatus(status: RunStatus): boolean {
  return RUN_TRANSITIONS[status].length === 0;
}

export interface Run {
  id: string;
  contractId: string;
  /** The contract version the run checks (semantic version). */
  contractVersion: string;
  pipelineId: string;
  environment: string | null;
  trigger: string | null;
  metadata: JsonObject | null;
  result: JsonObject | null;
  status: RunStatus;
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
  /** endedAt − startedAt (or − createdAt for a run cancelled before it started); null until it ends. */
  durationMs: number | null;
  createdBy: string | null;
  updatedAt: Date;
  updatedBy: string | null;
}

export interface StartRunInput {
  /** The id to create it under (an idempotent retry reuses the id chosen for its key); a new UUID when absent. */
  id?: string | null;
  contractId: string;
  /** Defaults to the contract's current version. */
  contractVersion?: string | null;
  pipelineId: string;
  environment?: string | null;
  trigger?: string | null;
  metadata?: JsonObject | null;
  /** `running` (default) when the pipeline starts now, `pending` when it is queued. */
  status?: 'pending' | 'running' | null;
}

export interface UpdateRunInput {
  id: string;
  status?: RunStatus | null;
  result?: JsonObject | null;
  /** Merged over the run's metadata (top-level keys). */
  metadata?: JsonObject | null;
}

const MAX_TEXT = 200;
const MAX_JSON_BYTES = 64 * 1024;

/** A run's text (stored trimmed): required when asked, without control or format characters, at most MAX_TEXT. */
function checkText(value: string | null | undefined, path: string, issues: ValidationIssue[], required = false): void {
  if (value == null || value.trim() === '') {
    if (required) issues.push({ path, message: 'is required', code: 'required' });
    return;
  }
  const bad = forbiddenCharacterProblem(value.trim());
  if (bad) issues.push({ path, message: bad, code: 'invalid_format' });
  if (value.length > MAX_TEXT) issues.push({ path, message: `must be at most ${MAX_TEXT} characters`, code: 'too_big' });
}

/**
 * A run filter's text (`filter.pipelineId`, `filter.environment`): what no start may store is refused, so the
 * query answers why instead of failing in the database (PostgreSQL refuses NUL in text). Throws ValidationError.
 */
export function checkRunFilterText(fields: [path: string, value: string | null | undefined][]): void {
  const issues: ValidationIssue[] = [];
  for (const [path, value] of fields) {
    const bad = value == null ? null : forbiddenCharacterProblem(value);
    if (bad) issues.push({ path, message: bad, code: 'invalid_format' });
  }
  if (issues.length) throw new ValidationError(issues);
}

export function checkJsonSize(value: unknown, path: string, issues: ValidationIssue[], max = MAX_JSON_BYTES): void {
  if (value == null) return;
  const size = Buffer.byteLength(JSON.stringify(value));
  if (size > max) issues.push({ path, message: `must be at most ${max} bytes as JSON (got ${size})`, code: 'too_big' });
}

export function planRunStart(input: StartRunInput, id: string, contractVersion: string, now: Date, actor: string | null): Run {
  const issues: ValidationIssue[] = [];
  checkText(input.pipelineId, 'input.pipelineId', issues, true);
  checkText(input.environment, 'input.environment', issues);
  checkText(input.trigger, 'input.trigger', issues);
  checkJsonSize(input.metadata, 'input.metadata', issues);
  if (issues.length) throw new ValidationError(issues);
  const status = input.status ?? 'running';
  return {
    id,
    contractId: input.contractId,
    contractVersion,
    pipelineId: input.pipelineId.trim(),
    environment: input.environment?.trim() || null,
    trigger: input.trigger?.trim() || null,
    metadata: input.metadata ?? null,
    result: null,
    status,
    createdAt: now,
    startedAt: status === 'running' ? now : null,
    endedAt: null,
    durationMs: null,
    createdBy: actor,
    updatedAt: now,
    updatedBy: actor,
  };
}

/** The run after an update; throws InvalidTransitionError for a status the lifecycle does not allow. */
export function planRunUpdate(current: Run, input: UpdateRunInput, now: Date, actor: string | null): Run {
  const issues: ValidationIssue[] = [];
  checkJsonSize(input.result, 'input.result', issues);
  checkJsonSize(input.metadata, 'input.metadata', issues);
  if (input.metadata && !issues.length) {
    // The metadata is merged over the run's: the merged object is what must stay within the limit.
    const size = Buffer.byteLength(JSON.stringify({ ...(current.metadata ?? {}), ...input.metadata }));
    if (size > MAX_JSON_BYTES) {
      issues.push({ path: 'input.metadata', message: `merged over the run's metadata, must be at most ${MAX_JSON_BYTES} bytes as JSON (got ${size})`, code: 'too_big' });
    }
  }
  if (issues.length) throw new ValidationError(issues);
  if (isFinalRunStatus(current.status)) {
    // A run that ended is a record of what happened: it no longer changes.
    throw new InvalidTransitionError('Run', current.status, input.status ?? current.status, []);
  }
  const next: Run = { ...current, updatedAt: now, updatedBy: actor };
  if (input.metadata) next.metadata = { ...(current.metadata ?? {}), ...input.metadata };
  if (input.result !== undefined && input.result !== null) next.result = input.result;
  if (input.status && input.status !== current.status) {
    if (!RUN_TRANSITIONS[current.status].includes(input.status)) {
      throw new InvalidTransitionError('Run', current.status, input.status, RUN_TRANSITIONS[current.status]);
    }
    next.status = input.status;
    if (input.status === 'running') next.startedAt = now;
    if (isFinalRunStatus(input.status)) {
      next.endedAt = now;
      next.durationMs = now.getTime() - (next.startedAt ?? next.createdAt).getTime();
    }
  }
  return next;
}
