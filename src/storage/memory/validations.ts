/** Validation records in memory. Every rule is in domain/validations, domain/issues and domain/stats. */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../../domain/errors.js';
import { issueForFailedCheck, planIssueCreate } from '../../domain/issues.js';
import { checkStatsWindow, type StatsQuery, statsOf, type ValidationStats } from '../../domain/stats.js';
import {
  FAILING_CHECK_STATUSES,
  keyedValidationRecordId,
  planValidationRecord,
  type RecordValidationInput,
  type ValidationRecord,
} from '../../domain/validations.js';
import type { Issue, Page, PageRequest, RecordedValidation, SortDirection, ValidationFilter, ValidationRepository } from '../types.js';
import type { MemoryIssueRepository } from './issues.js';
import { keysetPage } from './paging.js';
import { copy, type MemoryState } from './state.js';

export class MemoryValidationRepository implements ValidationRepository {
  constructor(
    private readonly state: MemoryState,
    private readonly issues: MemoryIssueRepository,
  ) {}

  async record(input: RecordValidationInput, actor: string | null): Promise<RecordedValidation> {
    const contract = this.state.contracts.get(input.contractId);
    if (!contract) throw new NotFoundError('Contract', input.contractId);
    const run = input.runId != null ? this.state.runs.get(input.runId) : undefined;
    if (input.runId != null && run?.contractId !== contract.id) throw new NotFoundError('Run', input.runId);
    if (input.contractVersion != null && !this.state.hasVersion(contract.id, input.contractVersion)) {
      throw new NotFoundError('ContractVersion', `${contract.name}@${input.contractVersion}`);
    }
    const now = new Date();
    // A record with an idempotency key gets the id derived from (contract, key), as on MongoDB.
    const id = input.idempotencyKey == null ? randomUUID() : keyedValidationRecordId(contract.id, input.idempotencyKey);
    const record = planValidationRecord(input, id, input.contractVersion ?? run?.contractVersion ?? contract.version, now, actor);
    const key = record.idempotencyKey === null ? null : `${contract.id}\u0000${record.idempotencyKey}`;
    const firstId = key === null ? undefined : this.state.idempotencyKeys.get(key);
    const first = firstId === undefined ? undefined : this.state.validations.get(firstId);
    if (first) return { record: copy(first), created: false };

    const issues: Issue[] = [];
    if (contract.autoOpenIssues) {
      const failing = record.checks.filter((c) => FAILING_CHECK_STATUSES.includes(c.status));
      // Planned before any write, so an issue the domain refuses fails the push with nothing written.
      const opened = failing.map((check) => planIssueCreate(issueForFailedCheck(record, check), randomUUID(), now, actor));
      failing.forEach((check, i) => {
        const issue = this.issues.recordFailure(record, opened[i]!, now, actor);
        issues.push(copy(issue));
        check.issueId = issue.id;
      });
    }
    this.state.validations.set(record.id, copy(record));
    if (key !== null) this.state.idempotencyKeys.set(key, record.id);
    return { record, created: true, issues };
  }

  async getByIds(ids: readonly string[]): Promise<(ValidationRecord | null)[]> {
    return ids.map((id) => {
      const record = this.state.validations.get(id);
      return record ? copy(record) : null;
    });
  }

  async list(filter: ValidationFilter, direction: SortDirection, page: PageRequest): Promise<Page<ValidationRecord>> {
    const matches = [...this.state.validations.values()].filter((r) => matchesRecord(r, filter));
    const result = keysetPage(matches, (r) => r.recordedAt, direction, page, 'recordedAt');
    return { ...result, items: result.items.map(copy) };
  }

  async listByRunIds(runIds: readonly string[]): Promise<ValidationRecord[][]> {
    const sorted = [...this.state.validations.values()].sort(
      (a, b) => a.recordedAt.getTime() - b.recordedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
    return runIds.map((runId) => sorted.filter((r) => r.runId === runId).map(copy));
  }

  async stats(query: StatsQuery): Promise<ValidationStats> {
    checkStatsWindow(query);
    const { contractId, contractVersion, environment, from, to } = query;
    return statsOf([...this.state.validations.values()].filter((r) => matchesRecord(r, { contractId, contractVersion, environment, from, to })));
  }
}

function matchesRecord(r: ValidationRecord, f: ValidationFilter): boolean {
  return (
    (f.contractId == null || r.contractId === f.contractId) &&
    (f.contractVersion == null || r.contractVersion === f.contractVersion) &&
    (f.runId == null || r.runId === f.runId) &&
    (f.environment == null || r.environment === f.environment) &&
    (f.passed == null || r.passed === f.passed) &&
    (f.from == null || r.recordedAt.getTime() >= f.from.getTime()) &&
    (f.to == null || r.recordedAt.getTime() < f.to.getTime())
  );
}
