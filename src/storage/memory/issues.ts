/**
 * Data-quality issues in memory. Every rule is in domain/issues; this only stores. At most one ACTIVE issue per
 * fingerprint (domain issueFingerprint), as the MongoDB backend's unique `activeKey` enforces: creating or reopening
 * a second one is an AlreadyExistsError, and a failing check adds an occurrence to the active one.
 */
import { randomUUID } from 'node:crypto';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../domain/errors.js';
import {
  ACTIVE_ISSUE_STATUSES,
  type CreateIssueInput,
  type Issue,
  ISSUE_SEVERITIES,
  ISSUE_STATUSES,
  issueFingerprint,
  planIssueCreate,
  planIssueTransition,
  planIssueUpdate,
  planOccurrence,
  SEVERITY_RANK,
  type TransitionIssueInput,
  type UpdateIssueInput,
} from '../../domain/issues.js';
import type { ValidationRecord } from '../../domain/validations.js';
import { issueQueryTerms, issueTermsOf } from '../issue-text.js';
import type { IssueFilter, IssueOrderField, IssueRepository, IssueSummary, Page, PageRequest, SortDirection } from '../types.js';
import { keysetPage } from './paging.js';
import { copy, type MemoryState } from './state.js';

export class MemoryIssueRepository implements IssueRepository {
  constructor(private readonly state: MemoryState) {}

  async create(input: CreateIssueInput, actor: string | null): Promise<Issue> {
    if (!this.state.contracts.has(input.contractId)) throw new NotFoundError('Contract', input.contractId);
    if (input.runId != null && this.state.runs.get(input.runId)?.contractId !== input.contractId) {
      throw new NotFoundError('Run', input.runId);
    }
    if (input.validationRecordId != null && this.state.validations.get(input.validationRecordId)?.contractId !== input.contractId) {
      throw new NotFoundError('ValidationRecord', input.validationRecordId);
    }
    const issue = planIssueCreate(input, input.id ?? randomUUID(), new Date(), actor);
    this.claimFingerprint(issue);
    this.state.issues.set(issue.id, copy(issue));
    return issue;
  }

  async update(input: UpdateIssueInput, actor: string | null): Promise<Issue> {
    const current = this.current(input.id, input.expectedRevision);
    const next = planIssueUpdate(current, input, new Date(), actor);
    if (next !== current) this.state.issues.set(next.id, copy(next));
    return next;
  }

  async transition(input: TransitionIssueInput, actor: string | null): Promise<Issue> {
    const current = this.current(input.id, input.expectedRevision);
    const next = planIssueTransition(current, input, new Date(), actor);
    if (!isActive(current) && isActive(next)) this.claimFingerprint(next);
    this.state.issues.set(next.id, copy(next));
    return next;
  }

  async getByIds(ids: readonly string[]): Promise<(Issue | null)[]> {
    return ids.map((id) => {
      const issue = this.state.issues.get(id);
      return issue ? copy(issue) : null;
    });
  }

  async list(filter: IssueFilter, order: { field: IssueOrderField; direction: SortDirection }, page: PageRequest): Promise<Page<Issue>> {
    const matches = this.matching(filter);
    const result =
      order.field === 'severity'
        ? keysetPage(matches, (i) => SEVERITY_RANK[i.severity], order.direction, page, 'severityRank', {
            key: (i) => i.detectedAt,
            direction: 'desc',
            field: 'detectedAt',
          })
        : keysetPage(matches, (i) => i.detectedAt, order.direction, page, 'detectedAt');
    return { ...result, items: result.items.map(copy) };
  }

  async summary(filter: IssueFilter): Promise<IssueSummary> {
    const byStatus = Object.fromEntries(ISSUE_STATUSES.map((s) => [s, 0])) as IssueSummary['byStatus'];
    const bySeverity = Object.fromEntries(ISSUE_SEVERITIES.map((s) => [s, 0])) as IssueSummary['bySeverity'];
    for (const issue of this.matching(filter)) {
      byStatus[issue.status]++;
      bySeverity[issue.severity]++;
    }
    return { byStatus, bySeverity };
  }

  async countActiveByContracts(contractIds: readonly string[]): Promise<number[]> {
    const counts = new Map<string, number>();
    for (const issue of this.state.issues.values()) {
      if (isActive(issue)) counts.set(issue.contractId, (counts.get(issue.contractId) ?? 0) + 1);
    }
    return contractIds.map((id) => counts.get(id) ?? 0);
  }

  async listByRunIds(runIds: readonly string[]): Promise<Issue[][]> {
    return this.groupBy(runIds, (i) => i.runId);
  }

  async listByValidationRecordIds(recordIds: readonly string[]): Promise<Issue[][]> {
    return this.groupBy(recordIds, (i) => i.validationRecordId);
  }

  /**
   * A failing check of a record being stored: an occurrence of the active issue with the check's fingerprint, or
   * `opened` (planned by the caller with planIssueCreate) when there is none. Returns the issue written.
   */
  recordFailure(record: ValidationRecord, opened: Issue, now: Date, actor: string | null): Issue {
    const active = this.activeWith(issueFingerprint(opened));
    const issue = active ? planOccurrence(active, record, now, actor) : opened;
    this.state.issues.set(issue.id, copy(issue));
    return issue;
  }

  private matching(filter: IssueFilter): Issue[] {
    const terms = issueQueryTerms(filter.text);
    return [...this.state.issues.values()].filter((i) => {
      if (!matchesIssue(i, filter)) return false;
      if (terms.length === 0) return true;
      const words = new Set(issueTermsOf(i));
      return terms.every((t) => words.has(t));
    });
  }

  private groupBy(keys: readonly string[], keyOf: (issue: Issue) => string | null): Issue[][] {
    const sorted = [...this.state.issues.values()].sort((a, b) => a.detectedAt.getTime() - b.detectedAt.getTime() || cmp(a.id, b.id));
    return keys.map((key) => sorted.filter((i) => keyOf(i) === key).map(copy));
  }

  private activeWith(fingerprint: string | null): Issue | undefined {
    if (fingerprint === null) return undefined;
    for (const issue of this.state.issues.values()) if (isActive(issue) && issueFingerprint(issue) === fingerprint) return copy(issue);
    return undefined;
  }

  /** An issue about to become active: no other active issue may have its fingerprint. */
  private claimFingerprint(issue: Issue): void {
    const other = this.activeWith(issueFingerprint(issue));
    if (other && other.id !== issue.id) throw new AlreadyExistsError('Issue', 'fingerprint', issue.checkId ?? '');
  }

  private current(id: string, expectedRevision: number): Issue {
    const current = this.state.issues.get(id);
    if (!current) throw new NotFoundError('Issue', id);
    if (current.revision !== expectedRevision) throw new ConflictError('Issue', id, expectedRevision, current.revision);
    return copy(current);
  }
}

export function isActive(issue: Pick<Issue, 'status'>): boolean {
  return ACTIVE_ISSUE_STATUSES.includes(issue.status);
}

function matchesIssue(i: Issue, f: IssueFilter): boolean {
  return (
    (f.contractId == null || i.contractId === f.contractId) &&
    (f.runId == null || i.runId === f.runId) &&
    (f.validationRecordId == null || i.validationRecordId === f.validationRecordId) &&
    (!f.status?.length || f.status.includes(i.status)) &&
    (!f.severity?.length || f.severity.includes(i.severity)) &&
    (!f.category?.length || f.category.includes(i.category)) &&
    (f.assignee == null || i.assignee === f.assignee) &&
    (f.from == null || i.detectedAt.getTime() >= f.from.getTime()) &&
    (f.to == null || i.detectedAt.getTime() < f.to.getTime())
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
