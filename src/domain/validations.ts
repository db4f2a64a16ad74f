/** Validation records pushed by pipelines: their checks, bounds and derived numbers. Pure. */
import { createHash } from 'node:crypto';
import { ValidationError, type ValidationIssue } from './errors.js';
import type { JsonValue } from './odcs.js';
import { checkJsonSize } from './runs.js';

export const CHECK_STATUSES = ['passed', 'warning', 'failed', 'error', 'skipped'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** Check statuses that count as a failure of the check (and may open a data-quality issue). */
export const FAILING_CHECK_STATUSES: readonly CheckStatus[] = ['failed', 'error'];

export const LIMITS = {
  checks: 500,
  sampleErrors: 20,
  sampleErrorBytes: 4 * 1024,
  text: 2000,
} as const;

export interface CheckResult {
  /** The check or ODCS quality-rule id (e.g. `orders.amount.not_null`). */
  checkId: string;
  propertyPath: string | null;
  status: CheckStatus;
  observedValue: JsonValue | null;
  threshold: JsonValue | null;
  message: string | null;
  /** The data-quality issue this failing check opened or added an occurrence to. */
  issueId: string | null;
}

export interface ValidationRecord {
  id: string;
  contractId: string;
  contractVersion: string;
  runId: string | null;
  schemaName: string | null;
  passed: boolean;
  rowCount: number;
  errorCount: number;
  /** errorCount / rowCount, computed by the registry (0 when no rows). */
  errorRate: number;
  durationMs: number | null;
  environment: string | null;
  checks: CheckResult[];
  sampleErrors: JsonValue[];
  idempotencyKey: string | null;
  recordedAt: Date;
  createdBy: string | null;
}

export interface RecordValidationInput {
  contractId: string;
  /** Defaults to the run's version, else the contract's current version. */
  contractVersion?: string | null;
  runId?: string | null;
  schemaName?: string | null;
  passed: boolean;
  rowCount: number;
  errorCount: number;
  durationMs?: number | null;
  environment?: string | null;
  checks?: CheckInput[] | null;
  sampleErrors?: JsonValue[] | null;
  /** Pushing the same key again for the same contract stores nothing and returns the first record. */
  idempotencyKey?: string | null;
}

export interface CheckInput {
  checkId: string;
  propertyPath?: string | null;
  status: CheckStatus;
  observedValue?: JsonValue | null;
  threshold?: JsonValue | null;
  message?: string | null;
}

export function errorRate(rowCount: number, errorCount: number): number {
  return rowCount > 0 ? errorCount / rowCount : 0;
}

/** The record to store (issue ids not yet linked), or a ValidationError listing every problem with its path. */
export function planValidationRecord(
  input: RecordValidationInput,
  id: string,
  contractVersion: string,
  now: Date,
  actor: string | null,
): ValidationRecord {
  const issues: ValidationIssue[] = [];
  const intField = (value: number | null | undefined, path: string) => {
    if (value == null) return;
    if (!Number.isSafeInteger(value) || value < 0) issues.push({ path, message: 'must be a whole number from 0 to 9007199254740991 (2^53 − 1)', code: 'invalid_value' });
  };
  intField(input.rowCount, 'input.rowCount');
  intField(input.errorCount, 'input.errorCount');
  intField(input.durationMs, 'input.durationMs');
  if (Number.isInteger(input.rowCount) && Number.isInteger(input.errorCount) && input.errorCount > input.rowCount) {
    issues.push({ path: 'input.errorCount', message: `must not exceed rowCount (${input.rowCount})`, code: 'too_big' });
  }
  const checks = input.checks ?? [];
  if (checks.length > LIMITS.checks) issues.push({ path: 'input.checks', message: `must have at most ${LIMITS.checks} items`, code: 'too_big' });
  checks.slice(0, LIMITS.checks).forEach((check, i) => {
    if (!check.checkId?.trim()) issues.push({ path: `input.checks[${i}].checkId`, message: 'is required', code: 'required' });
    for (const key of ['checkId', 'propertyPath', 'message'] as const) {
      const v = check[key];
      if (typeof v === 'string' && v.length > LIMITS.text) issues.push({ path: `input.checks[${i}].${key}`, message: `must be at most ${LIMITS.text} characters`, code: 'too_big' });
    }
    checkJsonSize(check.observedValue, `input.checks[${i}].observedValue`, issues, LIMITS.sampleErrorBytes);
    checkJsonSize(check.threshold, `input.checks[${i}].threshold`, issues, LIMITS.sampleErrorBytes);
  });
  const samples = input.sampleErrors ?? [];
  if (samples.length > LIMITS.sampleErrors) {
    issues.push({ path: 'input.sampleErrors', message: `must have at most ${LIMITS.sampleErrors} items (got ${samples.length})`, code: 'too_big' });
  }
  samples.slice(0, LIMITS.sampleErrors).forEach((sample, i) => checkJsonSize(sample, `input.sampleErrors[${i}]`, issues, LIMITS.sampleErrorBytes));
  if (input.idempotencyKey != null && (input.idempotencyKey.trim() === '' || input.idempotencyKey.length > 200)) {
    issues.push({ path: 'input.idempotencyKey', message: 'must be 1 to 200 characters', code: 'invalid_value' });
  }
  if (issues.length) throw new ValidationError(issues);
  return {
    id,
    contractId: input.contractId,
    contractVersion,
    runId: input.runId ?? null,
    schemaName: input.schemaName ?? null,
    passed: input.passed,
    rowCount: input.rowCount,
    errorCount: input.errorCount,
    errorRate: errorRate(input.rowCount, input.errorCount),
    durationMs: input.durationMs ?? null,
    environment: input.environment?.trim() || null,
    checks: checks.map((c) => ({
      checkId: c.checkId.trim(),
      propertyPath: c.propertyPath ?? null,
      status: c.status,
      observedValue: c.observedValue ?? null,
      threshold: c.threshold ?? null,
      message: c.message ?? null,
      issueId: null,
    })),
    sampleErrors: samples,
    idempotencyKey: input.idempotencyKey ?? null,
    recordedAt: now,
    createdBy: actor,
  };
}

/**
 * The id of a record pushed with an idempotency key, derived from (contract, key): every push of that key names the
 * same record, so storing a repeat is refused by the id itself (no lookup before the write). Records without a key
 * get a random UUID; this one is UUID-shaped too (version 8, from SHA-256).
 */
export function keyedValidationRecordId(contractId: string, idempotencyKey: string): string {
  const h = createHash('sha256').update(`validation-record\u0000${contractId}\u0000${idempotencyKey}`).digest('hex');
  const variant = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The UTC day (YYYY-MM-DD) a record counts for in per-day statistics. */
export function dayOf(date: Date): string {
  return date.toISOString().slice(0, 10);
}
