/**
 * Approval requests on MongoDB, without transactions. Every rule is in domain/approvals and domain/contracts
 * (planReviewOpened, planReviewClosed); this only does the I/O, in an order that a crash at any point leaves
 * repairable.
 *
 * A stored request carries two bookkeeping flags beside the record: `confirmed` (its contract points at it) and
 * `applied` (a closed request's contract move was done). Readers (getByIds, list) never see an unconfirmed request.
 *
 * Write order:
 *  - submit: insert the request (confirmed: false) → compare-and-set the contract onto it (planReviewOpened), then
 *    the catalog → set confirmed. A lost compare-and-set deletes the request again (compensation), unless its answer was
 *    lost (errors.ts answerLost: the contract may point at it; it stays unconfirmed). A crash after the
 *    insert leaves an unconfirmed request nobody sees; one after the contract write, a request the contract points
 *    at: decide/withdraw/reconcile confirm it.
 *  - decide / withdraw: compare-and-set the request on its revision, retried with a fresh read when a concurrent
 *    decision won, so every decision is recorded and the request resolves exactly once (under the claims write
 *    protocol deciders of one request take turns on a short lock, claims.ts withLock, since FerretDB's conditional
 *    writes are not atomic; under cas the compare-and-set alone decides, no claim) → when it closed, move the contract (planReviewClosed: only while it still points
 *    at the request, so repeating it is harmless), then the catalog → set applied.
 *  - a crash between the request write and the contract move leaves a closed request with applied: false;
 *    reconcile() (at start-up) and the next submit on that contract complete the move.
 *  - deleting a contract withdraws its open request (withdrawForDeletedContract), after the contract is gone.
 */
import { randomUUID } from 'node:crypto';
import type { Filter } from 'mongodb';
import {
  type ApprovalActor,
  type ApprovalRequest,
  type DecideApprovalInput,
  planApprovalRequest,
  planDecision,
  planWithdrawal,
  type SubmitForReviewInput,
  type WithdrawApprovalInput,
} from '../../domain/approvals.js';
import { type Contract, planReviewClosed, planReviewOpened, type ReviewOutcome } from '../../domain/contracts.js';
import { ConflictError, NotFoundError } from '../../domain/errors.js';
import type { ApprovalFilter, ApprovalRepository, Page, PageRequest } from '../types.js';
import { backoff, protocolOf, withLock } from './claims.js';
import { casReplace } from './revision-writes.js';
import {
  fromStoredApprovalRequest,
  fromStoredContract,
  type MongoCollections,
  type StoredApprovalRequest,
  type StoredContract,
  toStoredApprovalRequest,
  toStoredContract,
} from './documents/index.js';
import { answerLost } from './errors.js';
import { contractConflict, versionByNumber } from './lookups.js';
import { keysetPage } from './paging.js';
import { type BatchReads, readByIds } from './point-reads.js';
import { withoutId } from './util.js';
import { markPending, syncAndSettle } from './repair.js';

/** How often a request write, or a contract move, is retried after losing to a concurrent write. */
const WRITE_ATTEMPTS = 8;
/** An unconfirmed request older than this whose contract does not point at it was left by a crashed submit. */
export const ORPHAN_REQUEST_AGE_MS = 60_000;

export class MongoApprovalRepository implements ApprovalRepository {
  constructor(
    private readonly collections: MongoCollections,
    private readonly batchReads: BatchReads = 'points',
  ) {}

  // -------------------------------------------------------------------------------------------------------------
  // Writes

  async submit(input: SubmitForReviewInput, actor: string | null): Promise<ApprovalRequest> {
    const now = new Date();
    const current = await this.contractAt(input.contractId, input.expectedRevision);
    const head = await versionByNumber(this.collections, current.id, current.versionCount);
    const request = planApprovalRequest(input, { contractId: current.id, versionNumber: head.number, version: head.version }, randomUUID(), actor, now);
    const next = planReviewOpened(current, request.id, head, { now, actor }, request.note);
    const { approvals, claims, contracts } = this.collections;
    await approvals.insertOne(toStoredApprovalRequest(request, { confirmed: false, applied: false }));
    let written = false;
    let mark: string | null = null;
    let landing = false;
    try {
      mark = await markPending(this.collections, current.id);
      written = await casReplace(claims, contracts, current.id, input.expectedRevision, withoutId(toStoredContract(next)));
    } catch (error) {
      landing = answerLost(error); // the contract may point at the request: it stays (reconcile settles it)
      throw error;
    } finally {
      if (!written && !landing) await approvals.deleteOne({ _id: request.id, confirmed: false }).catch(() => undefined); // else reconcile removes it
    }
    if (!written) throw await contractConflict(this.collections, current.id, input.expectedRevision);
    await syncAndSettle(this.collections, next, mark);
    await approvals.updateOne({ _id: request.id }, { $set: { confirmed: true } });
    return request;
  }

  async decide(input: DecideApprovalInput, actor: string | null): Promise<ApprovalRequest> {
    return this.closeOrRecord(input.requestId, (current) => planDecision(current, input, actor, new Date()));
  }

  async withdraw(input: WithdrawApprovalInput, actor: ApprovalActor): Promise<ApprovalRequest> {
    return this.closeOrRecord(input.requestId, (current) => planWithdrawal(current, input, actor, new Date()));
  }

  async reconcile(): Promise<number> {
    const { approvals } = this.collections;
    let moved = 0;
    for (const doc of await approvals.find({ applied: false, status: { $ne: 'open' } }).toArray()) {
      if (await settleRequest(this.collections, fromStoredApprovalRequest(doc))) moved++;
    }
    for (const doc of await approvals.find({ confirmed: false }).toArray()) {
      if (await this.confirmIfPointedAt(doc)) continue;
      if (doc.requestedAt.getTime() < Date.now() - ORPHAN_REQUEST_AGE_MS) await approvals.deleteOne({ _id: doc._id, confirmed: false });
    }
    return moved;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Reads

  async getByIds(ids: readonly string[]): Promise<(ApprovalRequest | null)[]> {
    if (ids.length === 0) return [];
    // Point reads by _id, then the confirmed check (an `_id` with another condition is not an index read everywhere).
    const byId = await readByIds(this.collections.approvals, ids, this.batchReads);
    return ids.map((id) => {
      const doc = byId.get(id);
      return doc && doc.confirmed ? fromStoredApprovalRequest(doc) : null;
    });
  }

  async list(filter: ApprovalFilter, page: PageRequest): Promise<Page<ApprovalRequest>> {
    return keysetPage<StoredApprovalRequest, ApprovalRequest>({
      collection: this.collections.approvals,
      filter: approvalQuery(filter),
      key: 'requestedAt',
      direction: 'desc',
      page,
      valueOf: (doc) => doc.requestedAt,
      map: fromStoredApprovalRequest,
    });
  }

  // -------------------------------------------------------------------------------------------------------------
  // Internals

  /**
   * Writes `plan(current request)` with a compare-and-set on the request's revision, re-reading and re-planning when
   * a concurrent write won (the plan then sees the other decision, or the closed request, and decides again or
   * throws). When the write closed the request, moves its contract, then marks it applied.
   */
  private async closeOrRecord(id: string, plan: (current: ApprovalRequest) => ApprovalRequest): Promise<ApprovalRequest> {
    const { claims } = this.collections;
    const cas = protocolOf(claims) === 'cas';
    let revision = 0;
    const once = async (): Promise<ApprovalRequest | null> => {
      const doc = await this.visibleRequest(id);
      const current = fromStoredApprovalRequest(doc);
      revision = current.revision;
      // A request that closed without its contract move (a crash) is completed before the caller hears it is closed.
      if (current.status !== 'open' && !doc.applied) await settleRequest(this.collections, current);
      const next = plan(current);
      const stored = withoutId(toStoredApprovalRequest(next, { confirmed: true, applied: false }));
      return (await casReplace(claims, this.collections.approvals, id, current.revision, stored)) ? next : null;
    };
    // Under claims, deciders of one request take turns (a short lock: FerretDB's conditional writes are not atomic),
    // so any number of approvers deciding at once are all recorded in order. Under cas the compare-and-set alone
    // decides and no claim is taken: a lost one means another decision was recorded (the revision moved), which is
    // progress and not counted against the attempts; only losses at a revision that did not move are.
    let tried = -1;
    for (let attempt = 0, stalls = 0; stalls < WRITE_ATTEMPTS; attempt++) {
      const outcome = cas ? await once() : await withLock(claims, `approval/${id}`, once);
      if (outcome) {
        if (outcome.status !== 'open') await settleRequest(this.collections, outcome);
        return outcome;
      }
      if (!cas || revision === tried) stalls++;
      tried = revision;
      await backoff(Math.min(attempt, 4));
    }
    throw new ConflictError('ApprovalRequest', id, revision, null);
  }

  /**
   * The contract at the revision the caller read. A request it points at that is already closed (a crash left its
   * move undone) is settled first, and an unconfirmed one it points at is confirmed.
   */
  private async contractAt(id: string, expectedRevision: number): Promise<Contract> {
    let doc = await this.collections.contracts.findOne({ _id: id });
    if (doc && (await completeClosedReview(this.collections, doc))) doc = await this.collections.contracts.findOne({ _id: id });
    if (!doc) throw new NotFoundError('Contract', id);
    if (doc.revision !== expectedRevision) throw new ConflictError('Contract', id, expectedRevision, doc.revision);
    return fromStoredContract(doc);
  }

  /** A request callers may see: stored and confirmed (or pointed at by its contract, which confirms it). */
  private async visibleRequest(id: string): Promise<StoredApprovalRequest> {
    const doc = await this.collections.approvals.findOne({ _id: id });
    if (!doc || (!doc.confirmed && !(await this.confirmIfPointedAt(doc)))) throw new NotFoundError('ApprovalRequest', id);
    return doc;
  }

  /** Sets confirmed when the request's contract points at it (its submit crashed after the contract write). */
  private async confirmIfPointedAt(doc: StoredApprovalRequest): Promise<boolean> {
    const contract = await this.collections.contracts.findOne({ _id: doc.contractId }, { projection: { openApprovalRequestId: 1 } });
    if (contract?.openApprovalRequestId !== doc._id) return false;
    await this.collections.approvals.updateOne({ _id: doc._id }, { $set: { confirmed: true } });
    return true;
  }
}

/**
 * A closed request's contract move, then applied: true. Idempotent: the move happens only while the contract still
 * points at the request. True when this call moved the contract. When every attempt lost to a concurrent contract
 * write, the request stays unapplied and the next touch of the request or its contract (or reconcile) completes it.
 */
export async function settleRequest(collections: MongoCollections, request: ApprovalRequest): Promise<boolean> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const outcome = await moveContract(collections, request);
    if (outcome === 'retry') {
      await backoff(attempt);
      continue;
    }
    await collections.approvals.updateOne({ _id: request.id }, { $set: { applied: true } });
    return outcome === 'moved';
  }
  return false;
}

/**
 * Completes the review of a contract that still points at a request that already closed (its move was cut short).
 * True when it did something, so the caller reads the contract again.
 */
export async function completeClosedReview(collections: MongoCollections, contract: Pick<StoredContract, 'openApprovalRequestId'>): Promise<boolean> {
  if (!contract.openApprovalRequestId) return false;
  const request = await collections.approvals.findOne({ _id: contract.openApprovalRequestId });
  if (request && !request.confirmed) await collections.approvals.updateOne({ _id: request._id }, { $set: { confirmed: true } }); // it points at it
  if (!request || request.status === 'open') return false;
  await settleRequest(collections, fromStoredApprovalRequest(request));
  return true;
}

/** One attempt at planReviewClosed on the contract: moved, nothing to do (gone, or already moved), or lost a race. */
async function moveContract(collections: MongoCollections, request: ApprovalRequest): Promise<'moved' | 'done' | 'retry'> {
  const doc = await collections.contracts.findOne({ _id: request.contractId });
  if (!doc || doc.openApprovalRequestId !== request.id) return 'done';
  const contract = fromStoredContract(doc);
  const reviewed = await versionByNumber(collections, contract.id, request.versionNumber);
  const ctx = { now: request.resolvedAt ?? new Date(), actor: request.resolvedBy };
  const next = planReviewClosed(contract, request.id, request.status as ReviewOutcome, reviewed, ctx, request.resolutionNote);
  if (!next) return 'done';
  const mark = await markPending(collections, contract.id);
  const written = await casReplace(collections.claims, collections.contracts, contract.id, contract.revision, withoutId(toStoredContract(next)));
  if (!written) return 'retry';
  await syncAndSettle(collections, next, mark);
  return 'moved';
}

/** The list filter; unconfirmed requests never match. */
function approvalQuery(filter: ApprovalFilter): Filter<StoredApprovalRequest> {
  const query: Filter<StoredApprovalRequest> = { confirmed: true };
  if (filter.contractId != null) query.contractId = filter.contractId;
  if (filter.status?.length) query.status = { $in: filter.status };
  if (filter.approver != null) query.approvers = filter.approver;
  if (filter.awaiting != null) query.awaiting = filter.awaiting;
  if (filter.requestedBy != null) query.requestedBy = filter.requestedBy;
  return query;
}

/**
 * Withdraws the open request of a contract that was just deleted (note 'contract deleted', by the deleting actor).
 * There is no contract left to move, so the request is marked applied. A request that closed meanwhile is left as
 * it is. Compare-and-set on its revision, retried against concurrent decisions.
 */
export async function withdrawForDeletedContract(collections: MongoCollections, requestId: string, actor: string | null): Promise<void> {
  for (let attempt = 0; attempt < WRITE_ATTEMPTS; attempt++) {
    const doc = await collections.approvals.findOne({ _id: requestId });
    if (!doc) return;
    const current = fromStoredApprovalRequest(doc);
    if (current.status !== 'open') {
      await collections.approvals.updateOne({ _id: requestId }, { $set: { confirmed: true, applied: true } });
      return;
    }
    const now = new Date();
    const next: ApprovalRequest = {
      ...current,
      status: 'withdrawn',
      awaiting: [],
      resolvedAt: now,
      resolvedBy: actor,
      resolutionNote: 'contract deleted',
      revision: current.revision + 1,
    };
    const stored = withoutId(toStoredApprovalRequest(next, { confirmed: true, applied: true }));
    if (await casReplace(collections.claims, collections.approvals, requestId, current.revision, stored)) return;
    await backoff(attempt);
  }
}
