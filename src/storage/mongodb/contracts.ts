/**
 * Contracts and their versions on MongoDB, without transactions.
 *
 * The write order of every contract write (below) is one protocol, described in one place; a single create is
 * contract-create.ts, a batch of creates contract-batch.ts; point reads, versions and search are in their own modules.
 *
 * Under the `claims` write protocol (write-protocol.ts; FerretDB) every write holds the contract's revision claim
 * (claims.ts: `contracts/${id}@${R}`) from before its first step until after its last, so one writer at a time
 * works on a revision, and a claim left by a writer that died is the record of a write that may be half done
 * (repair.ts repairs it when the claim is taken over, and in its pass). Under `cas` (MongoDB) there is no claim:
 * the conditional contract step alone decides, and the mark is the record (contract-cas.ts).
 *
 * Write order, so that no reader ever sees a contract pointing at a missing version:
 *  - create: claim `@0` (not under cas) → ODCS id and name keys (odcs-ids.ts, keys.ts) → mark → version 1 and its
 *    key → contract → catalog;
 *  - update / rollback: claim (not under cas) → the new version (`${id}@${versionCount + 1}`) and its key →
 *    the contract moved to it with a replace filtered on the revision (under cas also on the write not being
 *    fenced) → catalog; a version above versionCount (a write in flight, or one cut short) is invisible to every
 *    read and removed by the next writer (under the claim; under cas once it is a lease old, fenced first);
 *  - lifecycle moves and settings: claim → replace on the revision → catalog. The contract carries its SERVED
 *    document (domain/lifecycle), so an activation brings the derived fields and the catalog in step;
 *  - delete: claim → the contract (readers then see nothing) → versions → catalog → keys → its open approval
 *    request is withdrawn (approvals.ts);
 *  - before its contract step (a create: before its version) a write marks the contract in `catalog_pending` and
 *    removes the mark after its catalog step (repair.ts), so catalog readers bring a cut write's catalog in step;
 *  - a failed step deletes the version it inserted (compensation) and reports why;
 *  - the newest version (the head) is the served one unless a draft revision exists above the active version; it is
 *    then read from the versions, as is the history of transitive compatibility modes;
 *  - a fault hook (faults.ts, tests only) runs after each step.
 */
import { randomUUID } from 'node:crypto';
import type { Filter } from 'mongodb';
import {
  type ActivateContractInput,
  type Contract,
  type ContractVersion,
  type ContractWrite,
  type CreateContractInput,
  type DeprecateContractInput,
  type HeadVersion,
  planActivation,
  planDeprecation,
  planRetirement,
  planRollback,
  planSettingsChange,
  planUpdate,
  type RetireContractInput,
  type RollbackContractInput,
  type SetContractSettingsInput,
  type UpdateContractInput,
} from '../../domain/contracts.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../domain/errors.js';
import { DEFAULT_POLICY, type RegistryPolicy } from '../../domain/evolution.js';
import type { JsonObject } from '../../domain/odcs.js';
import { odcsIdOf } from '../../domain/odcs-identity.js';
import { caseKey } from '../../domain/names.js';
import type { SearchFilter } from '../../domain/search.js';
import type {
  BatchCreateOutcome,
  ContractFilter,
  ContractOrder,
  ContractRepository,
  ContractSearchPage,
  Page,
  PageRequest,
} from '../types.js';
import { withdrawForDeletedContract } from './approvals.js';
import { stopPoint } from '../../domain/cancellation.js';
import { createBatch } from './contract-batch.js';
import { createContract } from './contract-create.js';
import { completeClosedReview } from './approvals.js';
import type { MongoCapabilities } from './capabilities.js';
import { assertHeld } from './claims.js';
import { lostHeadMove } from './contract-cas.js';
import { headOf, historyOf, listVersions, versionsByIds, versionsByKeys } from './contract-versions.js';
import { claimContract, deleteAtRevision, discardVersion, insertVersion, replaceAtRevision } from './contract-writes.js';
import {
  CONTRACT_VIEW_PROJECTION,
  fromStoredContract,
  fromStoredVersion,
  type MongoCollections,
  type StoredContract,
  toStoredContract,
} from './documents/index.js';
import { answerLost, isDuplicateKeyError } from './errors.js';
import type { FaultHook, WriteStep } from './faults.js';
import { claimName, contractIdsByName, deleteKeysOf, type KeyCollection, putVersionKey, releaseName, repairName, versionsByKey } from './keys.js';
import { contractConflict, versionByNumber } from './lookups.js';
import type { OdcsIdKeys } from './odcs-ids.js';
import { keysetPage } from './paging.js';
import { readByIds } from './point-reads.js';
import { markPending, syncAndSettle } from './repair.js';
import { searchContracts } from './search.js';
import type { SearchIndexer } from './search-indexer.js';
import { mapOrNull, withoutId } from './util.js';
import { notePublishedVersion } from '../events/written.js';

export class MongoContractRepository implements ContractRepository {
  /** The word index searches read (search-indexer.ts); set where writes append to the change log, else null. */
  searchIndexer: SearchIndexer | null = null;

  constructor(
    private readonly collections: MongoCollections,
    private readonly keys: KeyCollection,
    private readonly capabilities: MongoCapabilities,
    private readonly policy: RegistryPolicy = DEFAULT_POLICY,
    /** The unique ODCS id keys (odcs-ids.ts). */
    private readonly odcsIds: OdcsIdKeys,
    /** Tests only: called after each step of a write (faults.ts). */
    private readonly faults?: FaultHook,
  ) {}

  /** `{_id, revision}` is not an index read here (capabilities.ts idConditions): conditional writes of a contract
   *  read it by `_id`, check its revision and write by `_id`, under its claim (contract-writes.ts). */
  private get byIdAlone(): boolean {
    return !this.capabilities.idConditions;
  }

  /** The catalog step reads the entries of the previous and the new revision by `_id` where byIdAlone (catalog.ts). */
  private catalogPoints(previous: Contract): { previous: Contract } | null {
    return this.byIdAlone ? { previous } : null;
  }

  /** After each step of a write: the test hook, when there is one. */
  private async step(step: WriteStep, contractId: string): Promise<void> {
    if (this.faults) await this.faults(step, contractId);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Writes

  async create(input: CreateContractInput, actor: string | null): Promise<Contract> {
    const { collections, keys, odcsIds, policy, faults } = this;
    return createContract({ collections, keys, odcsIds, policy, ...(faults ? { faults } : {}) }, input, actor);
  }

  async createMany(inputs: readonly CreateContractInput[], actor: string | null): Promise<BatchCreateOutcome[]> {
    const { collections, keys, odcsIds, policy, faults } = this;
    return createBatch({ collections, keys, odcsIds, policy, ...(faults ? { faults } : {}), stopPoint }, inputs, actor);
  }

  async update(input: UpdateContractInput, actor: string | null): Promise<Contract> {
    const current = await this.current(input.id, input.expectedRevision);
    const head = await this.head(current);
    const write = planUpdate(current, input, { now: new Date(), actor, policy: this.policy }, await this.history(current, head), head);
    if (write.contract.name === current.name) return this.commit(current, input.expectedRevision, write, input.writeToken);
    // A rename claims the new name's key first and gives up the old one once the contract has moved.
    await claimName(this.keys, this.collections, write.contract.name, current.id);
    let updated: Contract;
    try {
      updated = await this.commit(current, input.expectedRevision, write, input.writeToken);
    } catch (error) {
      if (error instanceof AlreadyExistsError && error.field === 'name') await repairName(this.keys, this.collections, write.contract.name);
      // An answer lost: the contract may yet carry the new name, so its key stays (a key left over is harmless, keys.ts).
      else if (!answerLost(error)) await releaseName(this.keys, this.collections.claims, write.contract.name, current.id);
      throw error;
    }
    await releaseName(this.keys, this.collections.claims, current.name, current.id);
    return updated;
  }

  async rollback(input: RollbackContractInput, actor: string | null): Promise<Contract> {
    const current = await this.current(input.id, input.expectedRevision);
    const [found] = await versionsByKey(this.keys, this.collections, [{ contractId: current.id, version: input.toVersion }], this.capabilities.batchReads);
    const target = found && found.number <= current.versionCount ? found : null;
    if (!target) throw new NotFoundError('ContractVersion', `${current.name}@${input.toVersion}`);
    const head = await this.head(current);
    const ctx = { now: new Date(), actor, policy: this.policy };
    const write = planRollback(current, fromStoredVersion(target), input, ctx, await this.history(current, head), head);
    return this.commit(current, input.expectedRevision, write);
  }

  async activate(input: ActivateContractInput, actor: string | null): Promise<Contract> {
    const current = await this.current(input.id, input.expectedRevision);
    const head = await versionByNumber(this.collections, current.id, current.versionCount);
    return this.replaceMetadata(current, input.expectedRevision, planActivation(current, head, input, { now: new Date(), actor }));
  }

  async deprecate(input: DeprecateContractInput, actor: string | null): Promise<Contract> {
    const current = await this.current(input.id, input.expectedRevision);
    const replacement = input.replacedBy != null && input.replacedBy !== current.id ? await this.getById(input.replacedBy) : null;
    return this.replaceMetadata(current, input.expectedRevision, planDeprecation(current, input, replacement, { now: new Date(), actor }));
  }

  async retire(input: RetireContractInput, actor: string | null): Promise<Contract> {
    const current = await this.current(input.id, input.expectedRevision);
    return this.replaceMetadata(current, input.expectedRevision, planRetirement(current, input, { now: new Date(), actor }));
  }

  async setSettings(input: SetContractSettingsInput, actor: string | null): Promise<Contract> {
    const current = await this.current(input.id, input.expectedRevision);
    return this.replaceMetadata(current, input.expectedRevision, planSettingsChange(current, input, { now: new Date(), actor }));
  }

  async delete(id: string, expectedRevision: number | null, actor: string | null): Promise<Contract> {
    // The revision first (one `_id` point read), so a missing contract or a stale revision is refused before any
    // write (issue 10); with any revision, the current one, read again when a concurrent write moved it meanwhile.
    for (let attempt = 0; ; attempt++) {
      const doc = await this.collections.contracts.findOne({ _id: id }, { projection: { revision: 1 } });
      if (!doc) throw new NotFoundError('Contract', id);
      if (expectedRevision !== null && doc.revision !== expectedRevision) throw new ConflictError('Contract', id, expectedRevision, doc.revision);
      try {
        return await this.deleteAt(id, doc.revision, actor);
      } catch (error) {
        if (expectedRevision !== null || !(error instanceof ConflictError) || attempt >= 4) throw error;
      }
    }
  }

  private async deleteAt(id: string, at: number, actor: string | null): Promise<Contract> {
    const contract = await claimContract(this.collections, id, at, async (held) => {
      await this.step('delete:claimed', id);
      // A delete marks the contract too (replacing a slower writer's mark, which then re-reads: repair.ts).
      const mark = await markPending(this.collections, id);
      assertHeld(held);
      const deleted = await deleteAtRevision(this.collections, id, at, this.byIdAlone, held);
      if (!deleted) {
        await this.collections.catalogPending.deleteOne({ _id: id, token: mark });
        throw await this.conflict(id, at);
      }
      await this.step('delete:contract', id);
      await this.collections.versions.deleteMany({ contractId: id });
      await this.step('delete:versions', id);
      await this.collections.catalog.deleteMany({ contractId: id });
      await this.collections.catalogPending.deleteOne({ _id: id, token: mark });
      await this.step('delete:catalog', id);
      await deleteKeysOf(this.keys, this.collections.claims, deleted); // its name, version and ODCS id keys
      return fromStoredContract(deleted);
    });
    if (contract.openApprovalRequestId !== null) await withdrawForDeletedContract(this.collections, contract.openApprovalRequestId, actor);
    await this.step('delete:approval', id);
    return contract;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads

  async getById(id: string): Promise<Contract | null> {
    const doc = await this.collections.contracts.findOne({ _id: id }, { projection: CONTRACT_VIEW_PROJECTION });
    return doc ? fromStoredContract(doc) : null;
  }

  async getByIds(ids: readonly string[]): Promise<(Contract | null)[]> {
    if (ids.length === 0) return [];
    const byId = await readByIds(this.collections.contracts, ids, this.capabilities.batchReads, { projection: CONTRACT_VIEW_PROJECTION });
    return ids.map((id) => mapOrNull(byId.get(id), fromStoredContract));
  }

  async getByName(name: string): Promise<Contract | null> {
    const [contract] = await this.getByNames([name]);
    return contract ?? null;
  }

  async getByOdcsId(odcsId: string): Promise<Contract | null> {
    const doc = await this.odcsIds.holder(odcsId);
    return doc ? fromStoredContract(doc) : null;
  }

  async getByNames(names: readonly string[]): Promise<(Contract | null)[]> {
    if (names.length === 0) return [];
    // Two rounds of point reads: the name keys, then their contracts (which must still have the name).
    const ids = await contractIdsByName(this.keys, names, this.capabilities.batchReads);
    const byId = await readByIds(this.collections.contracts, ids.filter((id): id is string => id !== null), this.capabilities.batchReads, {
      projection: CONTRACT_VIEW_PROJECTION,
    });
    return names.map((name, i) => {
      const doc = ids[i] === null ? undefined : byId.get(ids[i]!);
      return doc && doc.name === name ? fromStoredContract(doc) : null;
    });
  }

  async list(filter: ContractFilter, order: ContractOrder, page: PageRequest): Promise<Page<Contract>> {
    const query: Filter<StoredContract> = {};
    if (filter.status?.length) query.status = { $in: filter.status };
    if (filter.owner != null) query.owner = filter.owner;
    if (filter.schemaName != null) query.schemaNamesLower = caseKey(filter.schemaName);
    const field = order.field;
    return keysetPage<StoredContract, Contract>({
      collection: this.collections.contracts,
      filter: query,
      key: field,
      direction: order.direction,
      page,
      valueOf: (doc) => doc[field],
      map: fromStoredContract,
      projection: CONTRACT_VIEW_PROJECTION,
    });
  }

  async search(query: string, page: PageRequest, filter: SearchFilter = {}): Promise<ContractSearchPage> {
    return searchContracts(this.collections, this.capabilities.textSearch, this.capabilities.batchReads, query, page, filter, this.searchIndexer);
  }

  async listVersions(contractId: string, page: PageRequest): Promise<Page<ContractVersion>> {
    return listVersions(this.collections, contractId, page);
  }

  async getVersionsByIds(ids: readonly string[]): Promise<(ContractVersion | null)[]> {
    return versionsByIds(this.collections, this.capabilities.batchReads, ids);
  }

  async getVersions(keys: readonly { contractId: string; version: string }[]): Promise<(ContractVersion | null)[]> {
    return versionsByKeys(this.collections, this.keys, this.capabilities.batchReads, keys);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  /** The newest version (contract-versions.ts headOf). */
  private head(current: Contract): Promise<HeadVersion> {
    return headOf(this.collections, current);
  }

  /** The documents a new version is checked against (contract-versions.ts historyOf). */
  private history(current: Contract, head: HeadVersion): Promise<JsonObject[]> {
    return historyOf(this.collections, this.capabilities.batchReads, this.policy, current, head);
  }

  /** The contract at the revision the caller read: NotFoundError or ConflictError otherwise. */
  private async current(id: string, expectedRevision: number): Promise<Contract> {
    let doc = await this.collections.contracts.findOne({ _id: id }, { projection: CONTRACT_VIEW_PROJECTION });
    // A review whose request closed but whose contract move was cut short (a crash) is completed first; the
    // contract then moved on, so the caller's revision is stale and it hears a ConflictError with the new one.
    if (doc && (await completeClosedReview(this.collections, doc))) doc = await this.collections.contracts.findOne({ _id: id }, { projection: CONTRACT_VIEW_PROJECTION });
    if (!doc) throw new NotFoundError('Contract', id);
    if (doc.revision !== expectedRevision) throw new ConflictError('Contract', id, expectedRevision, doc.revision);
    return fromStoredContract(doc);
  }

  /** The error for a compare-and-set that matched nothing: the contract is gone, or at another revision. */
  private conflict(id: string, expectedRevision: number): Promise<NotFoundError | ConflictError> {
    return contractConflict(this.collections, id, expectedRevision);
  }

  /** A write without a new version (lifecycle, settings): under the claim, the replace on the revision, then the
   *  catalog (whose entries carry the contract's served version, status and revision). */
  private async replaceMetadata(current: Contract, expectedRevision: number, next: Contract): Promise<Contract> {
    return claimContract(this.collections, current.id, expectedRevision, async (held) => {
      await this.step('metadata:claimed', current.id);
      const mark = await markPending(this.collections, current.id);
      assertHeld(held);
      const written = await replaceAtRevision(this.collections, current.id, expectedRevision, withoutId(toStoredContract(next)), this.byIdAlone, held);
      if (!written) throw await this.conflict(current.id, expectedRevision);
      await this.step('metadata:contract', current.id);
      await syncAndSettle(this.collections, next, mark, this.catalogPoints(current));
      await this.step('metadata:catalog', current.id);
      return next;
    });
  }

  /** Under the claim: writes a new version, moves the contract to it (replace on the revision), then the catalog. */
  private async commit(current: Contract, expectedRevision: number, write: ContractWrite, writeToken?: string | null): Promise<Contract> {
    // A contract without an ODCS id (stored with warnings) takes the one its new version gains (domain/odcs-identity:
    // an id, once there, never changes).
    const gained = odcsIdOf(write.version.document);
    if (gained !== null && gained !== odcsIdOf(current.document)) await this.odcsIds.claim(gained, current.id);
    return claimContract(this.collections, current.id, expectedRevision, async (held) => {
      await this.step('update:claimed', current.id);
      const token = writeToken ?? randomUUID();
      await insertVersion(this.collections, current, expectedRevision, write.version, token, held, this.byIdAlone);
      let written: boolean;
      let mark: string;
      try {
        await putVersionKey(this.keys, current.id, write.version.version, write.version.number);
        await this.step('update:version', current.id);
        mark = await markPending(this.collections, current.id);
        assertHeld(held);
        written = await replaceAtRevision(this.collections, current.id, expectedRevision, withoutId(toStoredContract(write.contract)), this.byIdAlone, held, token);
      } catch (error) {
        // An answer lost: the contract may yet move to this version, which then stays (the claim runs out, and its
        // taker repairs either way: claims.ts keepUntilLeaseEnds); if it does not, it is an invisible orphan.
        if (!answerLost(error)) await discardVersion(this.collections, write.version, token);
        // The only unique key a replacement can break is the name (taken since the check in update()).
        if (isDuplicateKeyError(error)) throw new AlreadyExistsError('Contract', 'name', write.contract.name);
        throw error;
      }
      if (!written) {
        await discardVersion(this.collections, write.version, token);
        throw held ? await this.conflict(current.id, expectedRevision) : await lostHeadMove(this.collections, current.id, expectedRevision);
      }
      await this.step('update:contract', current.id);
      await syncAndSettle(this.collections, write.contract, mark, this.catalogPoints(current));
      await this.step('update:catalog', current.id);
      // The change log's writer takes the version from here instead of reading it back (events/written.ts).
      return notePublishedVersion(write.contract, write.version);
    });
  }
}
