/** The ValidationRepository: validation records and their statistics. */
import type { StatsQuery, ValidationStats } from '../../domain/stats.js';
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

export interface ValidationRepository {
  /**
   * Stores a record (the error rate is computed here). With the contract's autoOpenIssues on, each failing check
   * (failed or error) opens an issue, or adds an occurrence to the active issue of the same check; the check's
   * issueId links to it. A repeated idempotencyKey for the same contract stores nothing and returns the first
   * record with created=false. NotFoundError for an unknown contract, version or run; ValidationError for bad input.
   */
  record(input: RecordValidationInput, actor: string | null): Promise<{ record: ValidationRecord; created: boolean }>;
  getByIds(ids: readonly string[]): Promise<(ValidationRecord | null)[]>;
  /** Ordered by recordedAt (then id). */
  list(filter: ValidationFilter, direction: SortDirection, page: PageRequest): Promise<Page<ValidationRecord>>;
  /** The records of each run, oldest first. */
  listByRunIds(runIds: readonly string[]): Promise<ValidationRecord[][]>;
  /** Computed by the database, not by loading the records. */
  stats(query: StatsQuery): Promise<ValidationStats>;
}
