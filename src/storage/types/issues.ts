/** The IssueRepository: data-quality issues and their workflow. */
import type { CreateIssueInput, Issue, IssueCategory, IssueSeverity, IssueStatus, TransitionIssueInput, UpdateIssueInput } from '../../domain/issues.js';
import type { PageRequest, Page, SortDirection } from './paging.js';

export interface IssueFilter {
  contractId?: string | null;
  runId?: string | null;
  validationRecordId?: string | null;
  status?: IssueStatus[] | null;
  severity?: IssueSeverity[] | null;
  category?: IssueCategory[] | null;
  assignee?: string | null;
  /** detectedAt ≥ from */
  from?: Date | null;
  /** detectedAt < to */
  to?: Date | null;
  /** Every word must appear in the title or description (whole words, ignoring case). */
  text?: string | null;
}

export type IssueOrderField = 'detectedAt' | 'severity';

export interface IssueSummary {
  byStatus: Record<IssueStatus, number>;
  bySeverity: Record<IssueSeverity, number>;
}

export interface IssueRepository {
  /** NotFoundError for an unknown contract (or run / record when given). */
  create(input: CreateIssueInput, actor: string | null): Promise<Issue>;
  /** ConflictError on a stale expectedRevision. */
  update(input: UpdateIssueInput, actor: string | null): Promise<Issue>;
  transition(input: TransitionIssueInput, actor: string | null): Promise<Issue>;
  getByIds(ids: readonly string[]): Promise<(Issue | null)[]>;
  /** detectedAt: newest first for desc; severity: critical first for asc — then detectedAt desc, then id. */
  list(filter: IssueFilter, order: { field: IssueOrderField; direction: SortDirection }, page: PageRequest): Promise<Page<Issue>>;
  /** Counts over the whole filtered set (not one page). */
  summary(filter: IssueFilter): Promise<IssueSummary>;
  /** Active (open, acknowledged, in_progress) issues per contract. */
  countActiveByContracts(contractIds: readonly string[]): Promise<number[]>;
  listByRunIds(runIds: readonly string[]): Promise<Issue[][]>;
  listByValidationRecordIds(recordIds: readonly string[]): Promise<Issue[][]>;
}
