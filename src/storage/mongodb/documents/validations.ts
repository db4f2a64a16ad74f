/** How validation records and their daily rollups are stored (collections `validation_records`, `validation_daily`) and the mapping. */
import type { JsonValue } from '../../../domain/odcs.js';
import type { StatsBucket } from '../../../domain/stats.js';
import { type CheckResult, type CheckStatus, dayOf, type ValidationRecord } from '../../../domain/validations.js';
import { nulFree } from '../nul-free.js';
import { parseJsonValue, toDate } from './values.js';

/** A check; its JSON values (observed value, threshold) as JSON text. */
export interface StoredCheck {
  checkId: string;
  propertyPath: string | null;
  status: CheckStatus;
  observedValueJson: string;
  thresholdJson: string;
  message: string | null;
  issueId: string | null;
}

export interface StoredValidationRecord {
  _id: string;
  contractId: string;
  contractVersion: string;
  runId: string | null;
  schemaName: string | null;
  passed: boolean;
  rowCount: number;
  errorCount: number;
  errorRate: number;
  durationMs: number | null;
  environment: string | null;
  checks: StoredCheck[];
  sampleErrorsJson: string;
  idempotencyKey: string | null;
  recordedAt: Date;
  createdBy: string | null;
  // derived, for queries
  /**
   * Unique: `${contractId}\u0000${idempotencyKey}` when the record has a key, else `\u0001${_id}` — always set,
   * because servers without partial indexes (FerretDB) would otherwise count every keyless record as a duplicate.
   */
  idemKey: string;
  /** The UTC day of recordedAt (domain dayOf): the stats timeline and the daily rollup. */
  day: string;
  /** 1 when passed, else 0: summed by the stats aggregation. */
  passedCount: 0 | 1;
  /** 1 when durationMs is set, else 0: summed by the stats aggregation. */
  durationCount: 0 | 1;
  /** The token of the rollup write made for this record (daily-rollup.ts): its pending entry counts only if equal. */
  rollupToken?: string;
}

/** The partial sums of a rollup document (domain StatsBucket without its day). */
export type RollupSums = Omit<StatsBucket, 'day'>;

/**
 * Partial stats of one (contract, version, environment, UTC day), written by one writer's slot (daily-rollup.ts):
 * the sums of the records folded in, and the record last pushed through the slot, counted only once it is stored.
 * Documents written before slots (`_id` = dailyStatsKey) have no pending entry.
 */
export interface StoredDailyStats extends RollupSums {
  _id: string;
  contractId: string;
  contractVersion: string;
  environment: string | null;
  day: string;
  pending?: (RollupSums & { recordId: string; token: string }) | null;
}

/** Stored without NUL (nul-free.ts): PostgreSQL refuses it. */
export function idemKeyOf(record: Pick<ValidationRecord, 'id' | 'contractId' | 'idempotencyKey'>): string {
  return record.idempotencyKey === null ? `\u0001${record.id}` : nulFree(`${record.contractId}\u0000${record.idempotencyKey}`);
}

export function toStoredValidationRecord(record: ValidationRecord): StoredValidationRecord {
  return {
    _id: record.id,
    contractId: record.contractId,
    contractVersion: record.contractVersion,
    runId: record.runId,
    schemaName: record.schemaName,
    passed: record.passed,
    rowCount: record.rowCount,
    errorCount: record.errorCount,
    errorRate: record.errorRate,
    durationMs: record.durationMs,
    environment: record.environment,
    checks: record.checks.map((c) => ({
      checkId: c.checkId,
      propertyPath: c.propertyPath,
      status: c.status,
      observedValueJson: JSON.stringify(c.observedValue),
      thresholdJson: JSON.stringify(c.threshold),
      message: c.message,
      issueId: c.issueId,
    })),
    sampleErrorsJson: JSON.stringify(record.sampleErrors),
    idempotencyKey: record.idempotencyKey,
    recordedAt: record.recordedAt,
    createdBy: record.createdBy,
    idemKey: idemKeyOf(record),
    day: dayOf(record.recordedAt),
    passedCount: record.passed ? 1 : 0,
    durationCount: record.durationMs === null ? 0 : 1,
  };
}

/** The record, with its keys in the order the domain creates them. */
export function fromStoredValidationRecord(doc: StoredValidationRecord): ValidationRecord {
  return {
    id: doc._id,
    contractId: doc.contractId,
    contractVersion: doc.contractVersion,
    runId: doc.runId ?? null,
    schemaName: doc.schemaName ?? null,
    passed: doc.passed === true,
    rowCount: doc.rowCount,
    errorCount: doc.errorCount,
    errorRate: doc.errorRate,
    durationMs: doc.durationMs ?? null,
    environment: doc.environment ?? null,
    checks: (doc.checks ?? []).map(
      (c): CheckResult => ({
        checkId: c.checkId,
        propertyPath: c.propertyPath ?? null,
        status: c.status,
        observedValue: parseJsonValue(c.observedValueJson),
        threshold: parseJsonValue(c.thresholdJson),
        message: c.message ?? null,
        issueId: c.issueId ?? null,
      }),
    ),
    sampleErrors: (parseJsonValue(doc.sampleErrorsJson) as JsonValue[] | null) ?? [],
    idempotencyKey: doc.idempotencyKey ?? null,
    recordedAt: toDate(doc.recordedAt),
    createdBy: doc.createdBy ?? null,
  };
}

/** The key of a record's rollup: (contract, version, environment, day); its documents' `_id`s start with it. */
export function dailyStatsKey(record: Pick<ValidationRecord, 'contractId' | 'contractVersion' | 'environment' | 'recordedAt'>): string {
  return JSON.stringify([record.contractId, record.contractVersion, record.environment, dayOf(record.recordedAt)]);
}
