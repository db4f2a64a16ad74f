/**
 * Validation records on MongoDB. Every rule is in domain/validations, domain/issues and domain/stats.
 *
 * A push, in this order (three commands when no check opens an issue: the contract, the rollup, the record):
 *  1. reads the contract (one `_id` point read; the run and the named version too when given), then plans the
 *     record (ValidationError: nothing written). A record with an idempotency key gets the id derived from
 *     (contract, key) (domain keyedValidationRecordId), so every push of that key names the same record;
 *  2. when failing checks will open issues and the record has a key, takes the key's turn (key-turns.ts: a claim
 *     under the claims write protocol, none under cas) and reads the record by that id first: a repeat, concurrent or not, returns the first record before
 *     it writes an issue (nothing written);
 *  3. writes the issues of its failing checks (auto-open) — BEFORE the record, so that a stored record never points
 *     at a missing issue;
 *  4. writes its daily rollup document with the record pending (daily-rollup.ts: one replace by `_id`, no lock);
 *  5. inserts the record: the commit point. Records of concurrent pushes go out together (group-commit.ts: one
 *     insert in flight per process, those that queued meanwhile in the next unordered insertMany, each with its
 *     own outcome), so 16 concurrent pushes send far fewer than 16 inserts and a lone push still sends one. A duplicate `_id` (or `idemKey`, for records stored before ids were
 *     derived) is a repeat of that key: this push undoes its issue writes (issues.ts undo) and returns the first
 *     record; its pending rollup entry is never counted, since no record carries its token. Any other failure
 *     undoes the issue writes too (not when its answer was lost, errors.ts answerLost: the record may have landed)
 *     and retires the rollup slot (either way the rollup stays right).
 *
 * Stats are computed by the database, never by loading the records: an aggregation over the records where the
 * server's `$group` sums correctly (capabilities.aggregation), else the sum of the window's rollup documents
 * (at most days × versions × environments). Windows are whole UTC days (domain checkStatsWindow), so both give
 * the same numbers; the p95 is one count and one skip/limit read over the `(contractId, durationMs)` index.
 */
import { randomUUID } from 'node:crypto';
import type { Filter, MongoServerError } from 'mongodb';
import { NotFoundError } from '../../domain/errors.js';
import { issueForFailedCheck, planIssueCreate } from '../../domain/issues.js';
import { checkStatsWindow, combineBuckets, percentileRank, type StatsBucket, type StatsQuery, type ValidationStats } from '../../domain/stats.js';
import {
  type CheckResult,
  FAILING_CHECK_STATUSES,
  keyedValidationRecordId,
  planValidationRecord,
  type RecordValidationInput,
  type ValidationRecord,
} from '../../domain/validations.js';
import type { Page, PageRequest, RecordedValidation, SortDirection, ValidationFilter, ValidationRepository } from '../types.js';
import { DailyRollup, rollupBucketsOf, type StagedRollup } from './daily-rollup.js';
import {
  COLLECTIONS,
  fromStoredValidationRecord,
  idemKeyOf,
  type MongoCollections,
  type StoredDailyStats,
  type StoredValidationRecord,
  toStoredValidationRecord,
} from './documents/index.js';
import { answerLost, isDuplicateKeyError } from './errors.js';
import { GroupCommit, insertEach } from './group-commit.js';
import { withKeyTurn } from './key-turns.js';
import type { IssueWrite, MongoIssueRepository } from './issues.js';
import type { MongoCapabilities } from './capabilities.js';
import type { KeyCollection } from './keys.js';
import { checkVersion, findContract } from './lookups.js';
import { readByIds } from './point-reads.js';
import { keysetPage } from './paging.js';
import { groupBy, mapOrNull, unique } from './util.js';

/** How many records one grouped insert carries at most. */
const MAX_RECORD_INSERTS = 100;

export class MongoValidationRepository implements ValidationRepository {
  private readonly rollup: DailyRollup;
  /** The record inserts of concurrent pushes, written together (group commit). */
  private readonly inserts: GroupCommit<StoredValidationRecord, MongoServerError | null>;

  constructor(
    private readonly collections: MongoCollections,
    private readonly issues: MongoIssueRepository,
    private readonly keys: KeyCollection,
    private readonly capabilities: MongoCapabilities,
  ) {
    this.rollup = new DailyRollup(collections.validationDaily);
    this.inserts = new GroupCommit((docs) => insertEach(collections.validations, docs), MAX_RECORD_INSERTS);
  }

  async record(input: RecordValidationInput, actor: string | null): Promise<RecordedValidation> {
    const { runs } = this.collections;
    const [contract, run] = await Promise.all([
      findContract(this.collections, input.contractId),
      input.runId == null ? null : runs.findOne({ _id: input.runId }, { projection: { contractId: 1, contractVersion: 1 } }),
    ]);
    if (input.runId != null && run?.contractId !== contract._id) throw new NotFoundError('Run', input.runId);
    if (input.contractVersion != null) await checkVersion(this.collections, this.keys, contract, input.contractVersion);
    const now = new Date();
    const id = input.idempotencyKey == null ? randomUUID() : keyedValidationRecordId(contract._id, input.idempotencyKey);
    const record = planValidationRecord(input, id, input.contractVersion ?? run?.contractVersion ?? contract.version, now, actor);
    const failing = contract.autoOpenIssues !== false ? record.checks.filter((c) => FAILING_CHECK_STATUSES.includes(c.status)) : [];
    if (record.idempotencyKey === null || failing.length === 0) return this.store(record, failing, now, actor);
    // A repeat must write no issue, so pushes of this key that open issues take turns (key-turns.ts: a write claim
    // under claims, a key_turns document under cas) and each first looks for the record by its id: more commands, on this path only.
    return withKeyTurn(this.collections.claims, this.collections.keyTurns, `${COLLECTIONS.validations}/${idemKeyOf(record)}`, async () => {
      const first = await this.firstOfKey(record);
      if (first) return { record: first, created: false };
      return this.store(record, failing, now, actor);
    });
  }

  async getByIds(ids: readonly string[]): Promise<(ValidationRecord | null)[]> {
    if (ids.length === 0) return [];
    const byId = await readByIds(this.collections.validations, ids, this.capabilities.batchReads);
    return ids.map((id) => mapOrNull(byId.get(id), fromStoredValidationRecord));
  }

  async list(filter: ValidationFilter, direction: SortDirection, page: PageRequest): Promise<Page<ValidationRecord>> {
    const query: Filter<StoredValidationRecord> = {};
    if (filter.contractId != null) query.contractId = filter.contractId;
    if (filter.contractVersion != null) query.contractVersion = filter.contractVersion;
    if (filter.runId != null) query.runId = filter.runId;
    if (filter.environment != null) query.environment = filter.environment;
    if (filter.passed != null) query.passed = filter.passed;
    if (filter.from != null || filter.to != null) {
      query.recordedAt = { ...(filter.from != null ? { $gte: filter.from } : {}), ...(filter.to != null ? { $lt: filter.to } : {}) };
    }
    return keysetPage<StoredValidationRecord, ValidationRecord>({
      collection: this.collections.validations,
      filter: query,
      key: 'recordedAt',
      direction,
      page,
      valueOf: (doc) => doc.recordedAt,
      map: fromStoredValidationRecord,
    });
  }

  async listByRunIds(runIds: readonly string[]): Promise<ValidationRecord[][]> {
    if (runIds.length === 0) return [];
    const docs = await this.collections.validations.find({ runId: { $in: unique(runIds) } }).sort({ recordedAt: 1, _id: 1 }).toArray();
    return groupBy(runIds, docs, (d) => d.runId, fromStoredValidationRecord);
  }

  async stats(query: StatsQuery): Promise<ValidationStats> {
    const { fromDay, toDay } = checkStatsWindow(query);
    const records: Filter<StoredValidationRecord> = { contractId: query.contractId, recordedAt: { $gte: query.from, $lt: query.to } };
    if (query.contractVersion != null) records.contractVersion = query.contractVersion;
    if (query.environment != null) records.environment = query.environment;
    const [buckets, p95] = await Promise.all([
      this.capabilities.aggregation ? this.aggregatedBuckets(records) : this.rollupBuckets(query, fromDay, toDay),
      this.p95Duration(records),
    ]);
    return combineBuckets(buckets, p95);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  /** Steps 3 to 5 of a push (see the top of this file). */
  private async store(record: ValidationRecord, failing: CheckResult[], now: Date, actor: string | null): Promise<RecordedValidation> {
    const writes: IssueWrite[] = [];
    let staged: StagedRollup | null = null;
    let inserting = false;
    try {
      // Planned before any write, so an issue the domain refuses fails the push with nothing written.
      const opened = failing.map((check) => planIssueCreate(issueForFailedCheck(record, check), randomUUID(), now, actor));
      for (const [i, check] of failing.entries()) {
        const write = await this.issues.recordFailure(record, opened[i]!, now, actor);
        writes.push(write);
        check.issueId = write.after.id;
      }
      staged = await this.rollup.stage(record);
      inserting = true;
      const [refused] = await this.inserts.add([{ ...toStoredValidationRecord(record), rollupToken: staged.token }]);
      if (refused) throw refused;
    } catch (error) {
      const repeat = record.idempotencyKey !== null && isDuplicateKeyError(error);
      staged?.settle(repeat ? 'absent' : 'unknown');
      // The insert's answer lost: the record may have landed, or yet land, pointing at its issues, which then stay
      // (an extra occurrence at worst). Any earlier step's (an issue write, the rollup): no record was sent, so none
      // can point at them, and they go.
      if (!(inserting && answerLost(error))) await this.issues.undo(writes);
      if (repeat) {
        // A push of the same key was stored first: this one is a repeat of it.
        const first = await this.firstOfKey(record);
        if (first) return { record: first, created: false };
      }
      throw error;
    }
    staged.settle('stored');
    return { record, created: true, issues: writes.map((w) => w.after) };
  }

  /** The stored record of this record's idempotency key: by its derived id, else (stored before ids were derived) by idemKey. */
  private async firstOfKey(record: ValidationRecord): Promise<ValidationRecord | null> {
    const { validations } = this.collections;
    const first = (await validations.findOne({ _id: record.id })) ?? (await validations.findOne({ idemKey: idemKeyOf(record) }));
    return first ? fromStoredValidationRecord(first) : null;
  }

  /** The day buckets of the window, summed by the server from the records (one `$group` by day). */
  private async aggregatedBuckets(records: Filter<StoredValidationRecord>): Promise<StatsBucket[]> {
    const rows = await this.collections.validations
      .aggregate<StatsBucket & { _id: string }>([
        { $match: records },
        {
          $group: {
            _id: '$day',
            total: { $sum: 1 },
            passed: { $sum: '$passedCount' },
            rows: { $sum: '$rowCount' },
            errors: { $sum: '$errorCount' },
            durationSum: { $sum: '$durationMs' }, // null (no duration) counts 0, as in bucketOf
            durationCount: { $sum: '$durationCount' },
          },
        },
      ])
      .toArray();
    return rows.map((r) => ({ day: r._id, total: r.total, passed: r.passed, rows: r.rows, errors: r.errors, durationSum: r.durationSum, durationCount: r.durationCount }));
  }

  /** The rollup documents of the window's days (every version / environment unless one is asked for). */
  private async rollupBuckets(query: StatsQuery, fromDay: string, toDay: string): Promise<StatsBucket[]> {
    const filter: Filter<StoredDailyStats> = { contractId: query.contractId, day: { $gte: fromDay, $lt: toDay } };
    if (query.contractVersion != null) filter.contractVersion = query.contractVersion;
    if (query.environment != null) filter.environment = query.environment;
    const docs = await this.collections.validationDaily.find(filter).toArray();
    return rollupBucketsOf(docs, this.collections.validations, this.capabilities.batchReads);
  }

  /** Nearest-rank p95 of the reported durations: a count, then the value at that rank in durationMs order. */
  private async p95Duration(records: Filter<StoredValidationRecord>): Promise<number | null> {
    const withDuration: Filter<StoredValidationRecord> = { ...records, durationMs: { $ne: null } };
    const n = await this.collections.validations.countDocuments(withDuration);
    if (n === 0) return null;
    const [doc] = await this.collections.validations
      .find(withDuration, { projection: { _id: 0, durationMs: 1 } })
      .sort({ durationMs: 1 })
      .skip(percentileRank(n, 0.95))
      .limit(1)
      .toArray();
    return doc?.durationMs ?? null;
  }
}
