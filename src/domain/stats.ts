/** Validation statistics over a time window: the numbers and how partial sums combine. Pure. */
import { ValidationError, type ValidationIssue } from './errors.js';
import type { ValidationRecord } from './validations.js';
import { dayOf } from './validations.js';

export interface DayStats {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  total: number;
  passed: number;
  failed: number;
  rows: number;
  errors: number;
}

export interface ValidationStats {
  total: number;
  passed: number;
  failed: number;
  /** passed / total, null when there is nothing in the window. */
  passRate: number | null;
  rows: number;
  errors: number;
  avgDurationMs: number | null;
  /** Nearest-rank 95th percentile of the durations that were reported. */
  p95DurationMs: number | null;
  /** One entry per day of the window that has records, oldest first. */
  timeline: DayStats[];
}

export interface StatsQuery {
  contractId: string;
  contractVersion?: string | null;
  environment?: string | null;
  /** Inclusive start and exclusive end of the window (recordedAt). */
  from: Date;
  to: Date;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Stats windows are whole UTC days: `from` and `to` at midnight UTC, `to` after `from`. A window is then exactly a
 * set of days, so per-day partial sums (a daily rollup) give the same numbers as the records themselves. Returns the
 * window as days, [fromDay, toDay); a ValidationError at `from` / `to` otherwise.
 */
export function checkStatsWindow(query: Pick<StatsQuery, 'from' | 'to'>): { fromDay: string; toDay: string } {
  const issues: ValidationIssue[] = [];
  for (const key of ['from', 'to'] as const) {
    const t = query[key] instanceof Date ? query[key].getTime() : NaN;
    if (!Number.isFinite(t)) issues.push({ path: key, message: 'must be a date', code: 'invalid_type' });
    else if (t % DAY_MS !== 0) issues.push({ path: key, message: 'must be the start of a UTC day (00:00:00.000Z)', code: 'invalid_value' });
  }
  if (issues.length === 0 && query.to.getTime() <= query.from.getTime()) {
    issues.push({ path: 'to', message: 'must be after from', code: 'invalid_value' });
  }
  if (issues.length) throw new ValidationError(issues);
  return { fromDay: dayOf(query.from), toDay: dayOf(query.to) };
}

/** Partial sums for one (day, …) bucket, as a database can add them up. */
export interface StatsBucket {
  day: string;
  total: number;
  passed: number;
  rows: number;
  errors: number;
  durationSum: number;
  durationCount: number;
}

/** Index (0-based) of the nearest-rank percentile p (0 < p ≤ 1) among n sorted values. */
export function percentileRank(n: number, p: number): number {
  return Math.max(0, Math.ceil(p * n) - 1);
}

export function bucketOf(record: Pick<ValidationRecord, 'recordedAt' | 'passed' | 'rowCount' | 'errorCount' | 'durationMs'>): StatsBucket {
  return {
    day: dayOf(record.recordedAt),
    total: 1,
    passed: record.passed ? 1 : 0,
    rows: record.rowCount,
    errors: record.errorCount,
    durationSum: record.durationMs ?? 0,
    durationCount: record.durationMs == null ? 0 : 1,
  };
}

/** Combines buckets (any grouping finer than a day) and a separately computed p95 into the stats. */
export function combineBuckets(buckets: readonly StatsBucket[], p95DurationMs: number | null): ValidationStats {
  const days = new Map<string, DayStats>();
  let durationSum = 0;
  let durationCount = 0;
  for (const b of buckets) {
    const d = days.get(b.day) ?? { day: b.day, total: 0, passed: 0, failed: 0, rows: 0, errors: 0 };
    d.total += b.total;
    d.passed += b.passed;
    d.failed = d.total - d.passed;
    d.rows += b.rows;
    d.errors += b.errors;
    days.set(b.day, d);
    durationSum += b.durationSum;
    durationCount += b.durationCount;
  }
  const timeline = [...days.values()].sort((a, b) => (a.day < b.day ? -1 : 1));
  const total = timeline.reduce((s, d) => s + d.total, 0);
  const passed = timeline.reduce((s, d) => s + d.passed, 0);
  return {
    total,
    passed,
    failed: total - passed,
    passRate: total ? passed / total : null,
    rows: timeline.reduce((s, d) => s + d.rows, 0),
    errors: timeline.reduce((s, d) => s + d.errors, 0),
    avgDurationMs: durationCount ? durationSum / durationCount : null,
    p95DurationMs,
    timeline,
  };
}

/** Stats straight from records (the in-memory backend, and the reference for the others). */
export function statsOf(records: readonly Pick<ValidationRecord, 'recordedAt' | 'passed' | 'rowCount' | 'errorCount' | 'durationMs'>[]): ValidationStats {
  const durations = records.map((r) => r.durationMs).filter((d): d is number => d != null).sort((a, b) => a - b);
  const p95 = durations.length ? durations[percentileRank(durations.length, 0.95)]! : null;
  return combineBuckets(records.map(bucketOf), p95);
}
