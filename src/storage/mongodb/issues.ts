/**
 * Data-quality issues on MongoDB. Every rule is in domain/issues; this only does the I/O.
 *
 *  - Every write is a compare-and-set on the issue's revision (claims.ts): a stale expectedRevision is a
 *    ConflictError and nothing is written.
 *  - At most one ACTIVE issue per fingerprint (domain issueFingerprint): the unique `activeKey` holds the
 *    fingerprint while the issue is active (open, acknowledged, in_progress) and `\u0001${_id}` otherwise, and
 *    every write recomputes it — resolving or ignoring frees the fingerprint, reopening takes it again (an
 *    AlreadyExistsError when another active issue holds it). Unique indexes without partial filters, so FerretDB
 *    enforces it too.
 *  - A failing check of a pushed record (validations.ts) adds an occurrence to the active issue of its fingerprint,
 *    or opens one; when two pushes race to open it, the loser's insert fails on `activeKey` and it adds an
 *    occurrence to the winner's issue instead.
 */
import { randomUUID } from 'node:crypto';
import type { Filter } from 'mongodb';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../domain/errors.js';
import {
  ACTIVE_ISSUE_STATUSES,
  type CreateIssueInput,
  type Issue,
  ISSUE_SEVERITIES,
  ISSUE_STATUSES,
  planIssueCreate,
  planIssueTransition,
  planIssueUpdate,
  planOccurrence,
  type TransitionIssueInput,
  type UpdateIssueInput,
} from '../../domain/issues.js';
import type { ValidationRecord } from '../../domain/validations.js';
import { issueQueryTerms } from '../issue-text.js';
import type { IssueFilter, IssueOrderField, IssueRepository, IssueSummary, Page, PageRequest, SortDirection } from '../types.js';
import { backoff } from './claims.js';
import { casDelete, casReplace } from './revision-writes.js';
import { activeKeyOf, fromStoredIssue, type MongoCollections, type StoredIssue, storedFingerprint, toStoredIssue } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import { findContract } from './lookups.js';
import { type BatchReads, readByIds } from './point-reads.js';
import { keysetPage } from './paging.js';
import { groupBy, mapOrNull, unique, withoutId } from './util.js';

/** How often an occurrence is retried when the active issue changes between its read and its write. */
const OCCURRENCE_ATTEMPTS = 20;

/** One issue write of a pushed record: what the issue was before (null: opened by it) and after. */
export interface IssueWrite {
  before: Issue | null;
  after: Issue;
}

export class MongoIssueRepository implements IssueRepository {
  constructor(
    private readonly collections: MongoCollections,
    private readonly batchReads: BatchReads = 'points',
    /** `{_id, revision}` is a scan on this server (capabilities.ts idConditions false): compare-and-set reads by
     *  `_id` and checks the revision under the claim instead (revision-writes.ts casReplace). */
    private readonly byIdAlone = false,
  ) {}

  // -------------------------------------------------------------------------------------------------------------
  // Writes

  async create(input: CreateIssueInput, actor: string | null): Promise<Issue> {
    const [, run, record] = await Promise.all([
      findContract(this.collections, input.contractId),
      input.runId == null ? null : this.collections.runs.findOne({ _id: input.runId }, { projection: { contractId: 1 } }),
      input.validationRecordId == null
        ? null
        : this.collections.validations.findOne({ _id: input.validationRecordId }, { projection: { contractId: 1 } }),
    ]);
    if (input.runId != null && run?.contractId !== input.contractId) throw new NotFoundError('Run', input.runId);
    if (input.validationRecordId != null && record?.contractId !== input.contractId) {
      throw new NotFoundError('ValidationRecord', input.validationRecordId);
    }
    const issue = planIssueCreate(input, input.id ?? randomUUID(), new Date(), actor);
    try {
      await this.collections.issues.insertOne(toStoredIssue(issue));
    } catch (error) {
      // _id is a fresh UUID: a duplicate key can only be activeKey, an active issue of the same fingerprint.
      if (isDuplicateKeyError(error)) throw fingerprintTaken(issue);
      throw error;
    }
    return issue;
  }

  async update(input: UpdateIssueInput, actor: string | null): Promise<Issue> {
    const current = await this.current(input.id, input.expectedRevision);
    const next = planIssueUpdate(current, input, new Date(), actor);
    if (next === current) return current; // nothing changed: nothing to write
    return this.replace(current, next);
  }

  async transition(input: TransitionIssueInput, actor: string | null): Promise<Issue> {
    const current = await this.current(input.id, input.expectedRevision);
    const next = planIssueTransition(current, input, new Date(), actor);
    if (activeKeyOf(next) !== activeKeyOf(current) && storedFingerprint(next) === activeKeyOf(next)) {
      // Reopening: another active issue may hold the fingerprint (the unique index would refuse the write anyway).
      const holder = await this.collections.issues.findOne({ activeKey: activeKeyOf(next) }, { projection: { _id: 1 } });
      if (holder) throw fingerprintTaken(next);
    }
    return this.replace(current, next);
  }

  /**
   * A failing check of `record` (being stored): an occurrence of the active issue with the fingerprint of
   * `opened`, or `opened` itself (planned by the caller with planIssueCreate) when there is none.
   */
  async recordFailure(record: ValidationRecord, opened: Issue, now: Date, actor: string | null): Promise<IssueWrite> {
    const fingerprint = storedFingerprint(opened);
    let last: Issue | null = null;
    for (let attempt = 0; attempt < OCCURRENCE_ATTEMPTS; attempt++) {
      const active = fingerprint === null ? null : await this.collections.issues.findOne({ activeKey: fingerprint });
      if (active) {
        last = fromStoredIssue(active);
        const next = planOccurrence(last, record, now, actor);
        if (await this.cas(last, next)) return { before: last, after: next };
        await backoff(attempt); // a concurrent write of the issue won: read it again
        continue;
      }
      try {
        await this.collections.issues.insertOne(toStoredIssue(opened));
        return { before: null, after: opened };
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
        // A concurrent push opened the issue first: add an occurrence to it (next round).
      }
    }
    throw new ConflictError('Issue', last?.id ?? opened.id, last?.revision ?? 0, null);
  }

  /**
   * Compensation of a push that stored no record after all (a concurrent push with the same idempotency key won,
   * or the insert failed): puts each issue back as it was, newest write first — only if nothing changed it since
   * (compare-and-set on the revision). Best effort.
   */
  async undo(writes: readonly IssueWrite[]): Promise<void> {
    for (const { before, after } of [...writes].reverse()) {
      try {
        if (before === null) await casDelete(this.collections.claims, this.collections.issues, after.id, after.revision);
        else await this.cas(after, before);
      } catch {
        // leave it: an extra occurrence (or an issue without its record) is the lesser harm than a failed push
      }
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads

  async getByIds(ids: readonly string[]): Promise<(Issue | null)[]> {
    if (ids.length === 0) return [];
    const byId = await readByIds(this.collections.issues, ids, this.batchReads);
    return ids.map((id) => mapOrNull(byId.get(id), fromStoredIssue));
  }

  async list(filter: IssueFilter, order: { field: IssueOrderField; direction: SortDirection }, page: PageRequest): Promise<Page<Issue>> {
    const common = { collection: this.collections.issues, filter: issueQuery(filter), direction: order.direction, page, map: fromStoredIssue };
    if (order.field === 'severity') {
      return keysetPage<StoredIssue, Issue>({
        ...common,
        key: 'severityRank',
        valueOf: (doc) => doc.severityRank,
        then: { key: 'detectedAt', direction: 'desc', valueOf: (doc) => doc.detectedAt },
      });
    }
    return keysetPage<StoredIssue, Issue>({ ...common, key: 'detectedAt', valueOf: (doc) => doc.detectedAt });
  }

  /** Two `$group` counts (one accumulator each: the shape every MongoDB-wire server computes right). */
  async summary(filter: IssueFilter): Promise<IssueSummary> {
    const match = issueQuery(filter);
    const countBy = (field: 'status' | 'severity') =>
      this.collections.issues.aggregate<{ _id: string; n: number }>([{ $match: match }, { $group: { _id: `$${field}`, n: { $sum: 1 } } }]).toArray();
    const [statuses, severities] = await Promise.all([countBy('status'), countBy('severity')]);
    const byStatus = Object.fromEntries(ISSUE_STATUSES.map((s) => [s, 0])) as IssueSummary['byStatus'];
    const bySeverity = Object.fromEntries(ISSUE_SEVERITIES.map((s) => [s, 0])) as IssueSummary['bySeverity'];
    for (const row of statuses) if (row._id in byStatus) byStatus[row._id as keyof typeof byStatus] = row.n;
    for (const row of severities) if (row._id in bySeverity) bySeverity[row._id as keyof typeof bySeverity] = row.n;
    return { byStatus, bySeverity };
  }

  async countActiveByContracts(contractIds: readonly string[]): Promise<number[]> {
    if (contractIds.length === 0) return [];
    const rows = await this.collections.issues
      .aggregate<{ _id: string; n: number }>([
        { $match: { contractId: { $in: unique(contractIds) }, status: { $in: [...ACTIVE_ISSUE_STATUSES] } } },
        { $group: { _id: '$contractId', n: { $sum: 1 } } },
      ])
      .toArray();
    const counts = new Map(rows.map((r) => [r._id, r.n]));
    return contractIds.map((id) => counts.get(id) ?? 0);
  }

  async listByRunIds(runIds: readonly string[]): Promise<Issue[][]> {
    if (runIds.length === 0) return [];
    const docs = await this.collections.issues.find({ runId: { $in: unique(runIds) } }).sort({ detectedAt: 1, _id: 1 }).toArray();
    return groupBy(runIds, docs, (d) => d.runId, fromStoredIssue);
  }

  async listByValidationRecordIds(recordIds: readonly string[]): Promise<Issue[][]> {
    if (recordIds.length === 0) return [];
    const docs = await this.collections.issues
      .find({ validationRecordId: { $in: unique(recordIds) } })
      .sort({ detectedAt: 1, _id: 1 })
      .toArray();
    return groupBy(recordIds, docs, (d) => d.validationRecordId, fromStoredIssue);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  /** The issue at the revision the caller read: NotFoundError or ConflictError otherwise. */
  private async current(id: string, expectedRevision: number): Promise<Issue> {
    const doc = await this.collections.issues.findOne({ _id: id });
    if (!doc) throw new NotFoundError('Issue', id);
    if (doc.revision !== expectedRevision) throw new ConflictError('Issue', id, expectedRevision, doc.revision);
    return fromStoredIssue(doc);
  }

  /** Writes `next` if the stored issue is still at `current`'s revision (claims.ts); false when nothing was written. */
  private cas(current: Issue, next: Issue): Promise<boolean> {
    return casReplace(this.collections.claims, this.collections.issues, current.id, current.revision, withoutId(toStoredIssue(next)), this.byIdAlone);
  }

  /** Compare-and-set of `next` over `current` (by revision): ConflictError / NotFoundError when nothing was written. */
  private async replace(current: Issue, next: Issue): Promise<Issue> {
    let written: boolean;
    try {
      written = await this.cas(current, next);
    } catch (error) {
      // The only unique key a replacement can break is activeKey (a concurrent reopen or auto-open took it).
      if (isDuplicateKeyError(error)) throw fingerprintTaken(next);
      throw error;
    }
    if (!written) {
      const doc = await this.collections.issues.findOne({ _id: current.id }, { projection: { revision: 1 } });
      if (!doc) throw new NotFoundError('Issue', current.id);
      throw new ConflictError('Issue', current.id, current.revision, doc.revision === current.revision ? null : doc.revision);
    }
    return next;
  }
}

function fingerprintTaken(issue: Issue): AlreadyExistsError {
  return new AlreadyExistsError('Issue', 'fingerprint', issue.checkId ?? '');
}

/** The stored-document filter of an IssueFilter (also the `$match` of summary). */
export function issueQuery(filter: IssueFilter): Filter<StoredIssue> {
  const query: Filter<StoredIssue> = {};
  if (filter.contractId != null) query.contractId = filter.contractId;
  if (filter.runId != null) query.runId = filter.runId;
  if (filter.validationRecordId != null) query.validationRecordId = filter.validationRecordId;
  if (filter.status?.length) query.status = { $in: filter.status };
  if (filter.severity?.length) query.severity = { $in: filter.severity };
  if (filter.category?.length) query.category = { $in: filter.category };
  if (filter.assignee != null) query.assignee = filter.assignee;
  if (filter.from != null || filter.to != null) {
    query.detectedAt = { ...(filter.from != null ? { $gte: filter.from } : {}), ...(filter.to != null ? { $lt: filter.to } : {}) };
  }
  const terms = issueQueryTerms(filter.text);
  if (terms.length) query.textTerms = { $all: terms };
  return query;
}
