/** The ValidationRepository: validation records and their statistics. */
import type { StatsQuery, ValidationStats } from '../../domain/stats.js';
import type { Issue } from '../../domain/issues.js';
import type { RecordValidationInput, ValidationRecord } from '../../domain/validations.js';
import type { PageRequest, Page, SortDirection } from './paging.js';

export interface ValidationFilter {
  contractId?: string | null;
  contractVersion?: string | null;
  runId?: string | null;
  environment?: string | null;
  passed?: boolean | null;
  /** recordedAt ≥ from */
  from?: Date | null;
  /** recordedAt < to */
  to?: Date | null;
}

/** What a push stored. */
export interface RecordedValidation {
  record: ValidationRecord;
  /** False for a repeat of an idempotency key: nothing was stored, `record` is the first one. */
  created: boolean;
  /**
   * The issue states this push wrote, in write order (an issue opened, or an occurrence added to the active one):
   * their events are these states, not the issues as a later read finds them (a concurrent push may have written
   * the next revision meanwhile). Absent on a repeat.
   */
  issues?: Issue[];
}

export interface ValidationRepository {
  /**
   * Stores a record (the error rate is computed here). With the contract's autoOpenIssues on, each failing check
   * (failed or error) opens an issue, or adds an occurrence to the active issue of the same check; the check's
   * issueId links to it. A repeated idempotencyKey for the same contract stores nothing and returns the first
   * record with created=false. NotFoundError for an unknown contract, version or run; ValidationError for bad input.
   */
  record(input: RecordValidationInput, actor: string | null): Promise<RecordedValidation>;
  getByIds(ids: readonly string[]): Promise<(ValidationRecord | null)[]>;
  /** Ordered by recordedAt (then id). */
  list(filter: ValidationFilter, direction: SortDirection, page: PageRequest): Promise<Page<ValidationRecord>>;
  /** The records of each run, oldest first. */
  listByRunIds(runIds: readonly string[]): Promise<ValidationRecord[][]>;
  /** Computed by the database, not by loading the records. */
  stats(query: StatsQuery): Promise<ValidationStats>;
}
