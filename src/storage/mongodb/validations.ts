/**
 * Validation records on MongoDB. Every rule is in domain/validations, domain/issues and domain/stats.
 *
 * A push, in this order:
 *  1. reads the contract, the run and the version it refers to (NotFoundError), then plans the record
 *     (ValidationError: nothing written);
 *  2. with an idempotency key, returns the first record of that key when there is one (nothing written); pushes of
 *     the same key take turns (a short lock on the key, claims.ts), so concurrent repeats write nothing either;
 *  3. writes the issues of its failing checks (auto-open) — BEFORE the record, so that a stored record never points
 *     at a missing issue;
 *  4. inserts the record. Its `idemKey` is unique: should a push with the same key still have inserted first
 *     (E11000: a lock that expired), this push undoes its issue writes (issues.ts undo) and returns that record;
 *  5. adds the record to its daily rollup document (`validation_daily`, one `$inc` upsert under a short lock, as
 *     `$inc` is not atomic on FerretDB). Only a record that was inserted gets there, so the rollup counts every
 *     record once; if this step fails, the record is deleted again and the issue writes undone.
 *
 * Stats are computed by the database, never by loading the records: an aggregation over the records where the
 * server's `$group` sums correctly (capabilities.aggregation), else the sum of the window's rollup documents
 * (at most days × versions × environments). Windows are whole UTC days (domain checkStatsWindow), so both give
 * the same numbers; the p95 is one count and one skip/limit read over the `(contractId, durationMs)` index.
 */
import { randomUUID } from 'node:crypto';
import type { Filter } from 'mongodb';
import { NotFoundError } from '../../domain/errors.js';
import { issueForFailedCheck, planIssueCreate } from '../../domain/issues.js';
import { bucketOf, checkStatsWindow, combineBuckets, percentileRank, type StatsBucket, type StatsQuery, type ValidationStats } from '../../domain/stats.js';
import { FAILING_CHECK_STATUSES, planValidationRecord, type RecordValidationInput, type ValidationRecord } from '../../domain/validations.js';
import type { Page, PageRequest, SortDirection, ValidationFilter, ValidationRepository } from '../types.js';
import { withLock } from './claims.js';
import {
  COLLECTIONS,
  dailyStatsKey,
  fromStoredDailyStats,
  fromStoredValidationRecord,
  idemKeyOf,
  type MongoCollections,
  type StoredDailyStats,
  type StoredValidationRecord,
  toStoredValidationRecord,
} from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import type { IssueWrite, MongoIssueRepository } from './issues.js';
import type { MongoCapabilities } from './capabilities.js';
import type { KeyCollection } from './keys.js';
import { checkVersion, findContract } from './lookups.js';
import { readByIds } from './point-reads.js';
import { keysetPage } from './paging.js';
import { groupBy, mapOrNull, unique } from './util.js';

export class MongoValidationRepository implements ValidationRepository {
  constructor(
    private readonly collections: MongoCollections,
    private readonly issues: MongoIssueRepository,
    private readonly keys: KeyCollection,
    private readonly capabilities: MongoCapabilities,
  ) {}

  async record(input: RecordValidationInput, actor: string | null): Promise<{ record: ValidationRecord; created: boolean }> {
    const { validations, runs } = this.collections;
    const [contract, run] = await Promise.all([
      findContract(this.collections, input.contractId),
      input.runId == null ? null : runs.findOne({ _id: input.runId }, { projection: { contractId: 1, contractVersion: 1 } }),
    ]);
    if (input.runId != null && run?.contractId !== contract._id) throw new NotFoundError('Run', input.runId);
    if (input.contractVersion != null) await checkVersion(this.collections, this.keys, contract, input.contractVersion);
    const now = new Date();
    const record = planValidationRecord(input, randomUUID(), input.contractVersion ?? run?.contractVersion ?? contract.version, now, actor);

    if (record.idempotencyKey === null) return this.store(record, contract.autoOpenIssues !== false, now, actor);
    // Pushes of the same key take turns (a short lock on the key), so a repeat finds the first record before it
    // writes anything; the unique idemKey still guards the insert should a lock ever expire mid-push.
    const idemKey = idemKeyOf(record);
    return withLock(this.collections.claims, `${COLLECTIONS.validations}/${idemKey}`, async () => {
      const first = await validations.findOne({ idemKey });
      if (first) return { record: fromStoredValidationRecord(first), created: false };
      return this.store(record, contract.autoOpenIssues !== false, now, actor);
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
  private async store(record: ValidationRecord, autoOpenIssues: boolean, now: Date, actor: string | null): Promise<{ record: ValidationRecord; created: boolean }> {
    const { validations } = this.collections;
    const writes: IssueWrite[] = [];
    try {
      if (autoOpenIssues) {
        const failing = record.checks.filter((c) => FAILING_CHECK_STATUSES.includes(c.status));
        // Planned before any write, so an issue the domain refuses fails the push with nothing written.
        const opened = failing.map((check) => planIssueCreate(issueForFailedCheck(record, check), randomUUID(), now, actor));
        for (const [i, check] of failing.entries()) {
          const write = await this.issues.recordFailure(record, opened[i]!, now, actor);
          writes.push(write);
          check.issueId = write.after.id;
        }
      }
      await validations.insertOne(toStoredValidationRecord(record));
    } catch (error) {
      await this.issues.undo(writes);
      if (record.idempotencyKey !== null && isDuplicateKeyError(error)) {
        // A push with the same key was stored first after all (its lock expired): this one is a repeat of it.
        const first = await validations.findOne({ idemKey: idemKeyOf(record) });
        if (first) return { record: fromStoredValidationRecord(first), created: false };
      }
      throw error;
    }
    try {
      await this.addToDailyStats(record);
    } catch (error) {
      // Without its rollup the record would count in the list but not in the stats: take the push back.
      await validations.deleteOne({ _id: record.id }).catch(() => undefined);
      await this.issues.undo(writes);
      throw error;
    }
    return { record, created: true };
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
    return docs.map(fromStoredDailyStats);
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

  /**
   * Adds a newly inserted record to its day's rollup: one `$inc` upsert (retried once if two upserts raced to insert
   * the document), under a short lock on the document (claims.ts) because `$inc` is not atomic on every server.
   */
  private async addToDailyStats(record: ValidationRecord): Promise<void> {
    const filter = { _id: dailyStatsKey(record) };
    const { day, ...sums } = bucketOf(record); // the record's partial sums, as statsOf counts them
    const update = {
      $inc: sums,
      $setOnInsert: { contractId: record.contractId, contractVersion: record.contractVersion, environment: record.environment, day },
    };
    await withLock(this.collections.claims, `${COLLECTIONS.validationDaily}/${filter._id}`, async () => {
      try {
        await this.collections.validationDaily.updateOne(filter, update, { upsert: true });
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        await this.collections.validationDaily.updateOne(filter, update, { upsert: true });
      }
    });
  }
}
