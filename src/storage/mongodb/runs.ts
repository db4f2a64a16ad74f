/**
 * Pipeline runs on MongoDB. Every rule is in domain/runs; this only does the I/O.
 *
 *  - An update is a compare-and-set on the stored run's `revision` counter (claims.ts): of two concurrent transitions
 *    of the same run exactly one is written, the other gets a ConflictError (or, when it reads after the first wrote, the
 *    domain's InvalidTransitionError) and writes nothing.
 *  - `run_heads` holds the newest run of each contract (by createdAt, then id), so latestByContracts is two `$in`
 *    reads whatever the number of runs. A start inserts its run, then moves the head to it unless the head is
 *    newer (see moveHead: a conditional upsert where that is atomic, else by `_id` under a short lock): concurrent
 *    starts converge on the newest run. The head is written after the run, so it never points at a missing run.
 */
import { randomUUID } from 'node:crypto';
import type { Filter } from 'mongodb';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { planRunStart, planRunUpdate, type Run, type StartRunInput, type UpdateRunInput } from '../../domain/runs.js';
import type { Page, PageRequest, RunFilter, RunRepository, SortDirection } from '../types.js';
import { casReplace, withLock } from './claims.js';
import { COLLECTIONS, fromStoredRun, type MongoCollections, type StoredRun, type StoredRunHead, toStoredRun } from './documents/index.js';
import { isDuplicateKeyError } from './errors.js';
import type { MongoCapabilities } from './capabilities.js';
import type { KeyCollection } from './keys.js';
import { checkVersion, findContract } from './lookups.js';
import { readByIds } from './point-reads.js';
import { keysetPage } from './paging.js';
import { mapOrNull, withoutId } from './util.js';

/** Whether `head` points at a run older than `target` (by createdAt, then id). */
function isOlder(head: StoredRunHead, target: { id: string; createdAt: Date }): boolean {
  const at = head.createdAt.getTime() - target.createdAt.getTime();
  return at < 0 || (at === 0 && head.runId < target.id);
}

export class MongoRunRepository implements RunRepository {
  constructor(
    private readonly collections: MongoCollections,
    private readonly keys: KeyCollection,
    private readonly capabilities: MongoCapabilities,
  ) {}

  async start(input: StartRunInput, actor: string | null): Promise<Run> {
    const contract = await findContract(this.collections, input.contractId);
    if (input.contractVersion != null) await checkVersion(this.collections, this.keys, contract, input.contractVersion);
    const run = planRunStart(input, input.id ?? randomUUID(), input.contractVersion ?? contract.version, new Date(), actor);
    await this.collections.runs.insertOne(toStoredRun(run, 1));
    await this.moveHead(run);
    return run;
  }

  async update(input: UpdateRunInput, actor: string | null): Promise<Run> {
    const doc = await this.collections.runs.findOne({ _id: input.id });
    if (!doc) throw new NotFoundError('Run', input.id);
    const next = planRunUpdate(fromStoredRun(doc), input, new Date(), actor);
    // Where `{_id, revision}` is a scan (capabilities.ts idConditions), the revision is checked after a read by `_id`.
    const byIdAlone = !this.capabilities.idConditions;
    const written = await casReplace(this.collections.claims, this.collections.runs, doc._id, doc.revision, withoutId(toStoredRun(next, doc.revision + 1)), byIdAlone);
    if (!written) {
      const now = await this.collections.runs.findOne({ _id: doc._id }, { projection: { revision: 1 } });
      if (!now) throw new NotFoundError('Run', input.id);
      throw new ConflictError('Run', input.id, doc.revision, now.revision === doc.revision ? null : now.revision);
    }
    return next;
  }

  async getByIds(ids: readonly string[]): Promise<(Run | null)[]> {
    if (ids.length === 0) return [];
    const byId = await readByIds(this.collections.runs, ids, this.capabilities.batchReads);
    return ids.map((id) => mapOrNull(byId.get(id), fromStoredRun));
  }

  async list(filter: RunFilter, direction: SortDirection, page: PageRequest): Promise<Page<Run>> {
    const query: Filter<StoredRun> = {};
    if (filter.contractId != null) query.contractId = filter.contractId;
    if (filter.contractVersion != null) query.contractVersion = filter.contractVersion;
    if (filter.status?.length) query.status = { $in: filter.status };
    if (filter.pipelineId != null) query.pipelineId = filter.pipelineId;
    if (filter.environment != null) query.environment = filter.environment;
    if (filter.from != null || filter.to != null) {
      query.createdAt = { ...(filter.from != null ? { $gte: filter.from } : {}), ...(filter.to != null ? { $lt: filter.to } : {}) };
    }
    return keysetPage<StoredRun, Run>({
      collection: this.collections.runs,
      filter: query,
      key: 'createdAt',
      direction,
      page,
      valueOf: (doc) => doc.createdAt,
      map: fromStoredRun,
    });
  }

  /** Two reads: the heads of all the contracts, then their runs. */
  async latestByContracts(contractIds: readonly string[]): Promise<(Run | null)[]> {
    if (contractIds.length === 0) return [];
    const heads = [...(await readByIds(this.collections.runHeads, contractIds, this.capabilities.batchReads)).values()];
    if (heads.length === 0) return contractIds.map(() => null);
    const runById = await readByIds(this.collections.runs, heads.map((h) => h.runId), this.capabilities.batchReads);
    const headByContract = new Map(heads.map((h) => [h._id, h.runId]));
    return contractIds.map((id) => {
      const runId = headByContract.get(id);
      return runId === undefined ? null : mapOrNull(runById.get(runId), fromStoredRun);
    });
  }

  /**
   * Points the contract's head at `run` unless it already points at a newer one (by createdAt, then id).
   *
   * Where conditional updates are atomic (capabilities.ts atomicConditionalUpdates: MongoDB), the conditional upsert
   * alone does it, and `{_id, $or}` is an index read there. On FerretDB a conditional update is a find followed by
   * a write, so a concurrent start of an OLDER run could match the old head and land after this write (measured
   * before: 15 of 40 rounds of 8 concurrent starts ended on the wrong head); and any filter but a lone `_id`
   * equality is a scan there (issue 15.2). So starts of one contract take turns on a short lock (claims.ts withLock)
   * and, holding it, read the head by `_id` and write it by `_id` only when it is older: no scan, and no lost move.
   */
  private async moveHead(run: Run): Promise<void> {
    const target = { id: run.id, createdAt: run.createdAt };
    if (this.capabilities.atomicConditionalUpdates) return this.upsertHead(run.contractId, target);
    const { claims, runHeads } = this.collections;
    await withLock(claims, `${COLLECTIONS.runHeads}/${run.contractId}`, async () => {
      const head = await runHeads.findOne({ _id: run.contractId });
      if (head && !isOlder(head, target)) return;
      await runHeads.replaceOne({ _id: run.contractId }, { runId: target.id, createdAt: target.createdAt }, { upsert: true });
    });
  }

  /**
   * The conditional upsert: matches only a head older than `target` (by createdAt, then id); when it matches nothing
   * the upsert inserts, which fails with E11000 if a head exists (it is newer, or a concurrent start created it just
   * now: one more try settles which). Two tries suffice: once the head exists, a non-match means it is not older.
   */
  private async upsertHead(contractId: string, target: { id: string; createdAt: Date }): Promise<void> {
    const filter: Filter<StoredRunHead> = {
      _id: contractId,
      $or: [{ createdAt: { $lt: target.createdAt } }, { createdAt: target.createdAt, runId: { $lt: target.id } }],
    };
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await this.collections.runHeads.updateOne(filter, { $set: { runId: target.id, createdAt: target.createdAt } }, { upsert: true });
        return;
      } catch (error) {
        if (!isDuplicateKeyError(error)) throw error;
      }
    }
  }
}
