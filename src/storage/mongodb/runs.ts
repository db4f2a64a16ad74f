/**
 * Pipeline runs on MongoDB. Every rule is in domain/runs; this only does the I/O.
 *
 *  - An update is a compare-and-set on the stored run's `revision` counter (claims.ts): of two concurrent transitions
 *    of the same run exactly one is written, the other gets a ConflictError (or, when it reads after the first wrote, the
 *    domain's InvalidTransitionError) and writes nothing.
 *  - `run_heads` holds the newest run of each contract (by createdAt), so latestByContracts is a few reads by `_id`
 *    whatever the number of runs. A start takes the contract's next slot, inserts its run, then moves the head to
 *    its run unless the head's is newer, its seq only through the slots whose run is there (run-heads.ts: a
 *    conditional update under cas or where that is atomic, else under a short lock). The head is written after the
 *    run, so it never points at a missing run; a start cut before its head move is caught up by the next read, the
 *    next start and the start-up pass (run-heads.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Filter } from 'mongodb';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import { planRunStart, planRunUpdate, type Run, type StartRunInput, type UpdateRunInput } from '../../domain/runs.js';
import type { Page, PageRequest, RunFilter, RunRepository, SortDirection } from '../types.js';
import { casReplace } from './revision-writes.js';
import { fromStoredRun, type MongoCollections, type StoredRun, toStoredRun } from './documents/index.js';
import type { RunFaultHook, RunStartStep } from './faults.js';
import { DEFAULT_RUN_HEAD_LIMITS, latestRuns, repairRunHeads, reserveSlot, type RunHeadLimits, type RunHeads, settleHead } from './run-heads.js';
import type { MongoCapabilities } from './capabilities.js';
import type { KeyCollection } from './keys.js';
import { checkVersion, findContract } from './lookups.js';
import { readByIds } from './point-reads.js';
import { keysetPage } from './paging.js';
import { mapOrNull, withoutId } from './util.js';

export class MongoRunRepository implements RunRepository {
  private readonly heads: RunHeads;

  constructor(
    private readonly collections: MongoCollections,
    private readonly keys: KeyCollection,
    private readonly capabilities: MongoCapabilities,
    /** Tests only: called after each step of a start (faults.ts). */
    private readonly faults?: RunFaultHook,
    limits: RunHeadLimits = DEFAULT_RUN_HEAD_LIMITS,
  ) {
    const conditional = capabilities.atomicConditionalUpdates || capabilities.writeProtocol === 'cas';
    this.heads = { collections, batchReads: capabilities.batchReads, conditional, byIdAlone: !capabilities.idConditions, limits };
  }

  private async fault(step: RunStartStep, contractId: string): Promise<void> {
    if (this.faults) await this.faults(step, contractId);
  }

  async start(input: StartRunInput, actor: string | null): Promise<Run> {
    const contract = await findContract(this.collections, input.contractId);
    if (input.contractVersion != null) await checkVersion(this.collections, this.keys, contract, input.contractVersion);
    const run = planRunStart(input, input.id ?? randomUUID(), input.contractVersion ?? contract.version, new Date(), actor);
    await this.fault('startRun:planned', run.contractId);
    const slot = await reserveSlot(this.heads, run.contractId, run.id, run.createdAt);
    await this.fault('startRun:slot', run.contractId);
    const stored = toStoredRun(run, 1);
    await this.collections.runs.insertOne({ ...stored });
    await this.fault('startRun:run', run.contractId);
    await settleHead(this.heads, run.contractId, slot, stored);
    await this.fault('startRun:head', run.contractId);
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

  /** The heads, then their runs and the slot after each head at once (run-heads.ts latestRuns). */
  async latestByContracts(contractIds: readonly string[]): Promise<(Run | null)[]> {
    if (contractIds.length === 0) return [];
    const latest = await latestRuns(this.heads, contractIds);
    return contractIds.map((id) => mapOrNull(latest.get(id), fromStoredRun));
  }

  /** The start-up pass over the run heads (run-heads.ts repairRunHeads): how many were behind. */
  repairHeads(): Promise<number> {
    return repairRunHeads(this.heads);
  }
}
