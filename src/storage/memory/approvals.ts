/**
 * Approval requests in memory. Every rule is in domain/approvals and domain/contracts (planReviewOpened,
 * planReviewClosed); this only stores. Each call reads and writes without an await in between, so a request and its
 * contract always move together and concurrent deciders resolve a request exactly once.
 */
import { randomUUID } from 'node:crypto';
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
import { syncCatalog, versionByNumber } from './contracts.js';
import { keysetPage } from './paging.js';
import { copy, type MemoryState } from './state.js';

export class MemoryApprovalRepository implements ApprovalRepository {
  constructor(private readonly state: MemoryState) {}

  async submit(input: SubmitForReviewInput, actor: string | null): Promise<ApprovalRequest> {
    const stored = this.state.contracts.get(input.contractId);
    if (!stored) throw new NotFoundError('Contract', input.contractId);
    const contract = copy(stored);
    if (contract.revision !== input.expectedRevision) throw new ConflictError('Contract', contract.id, input.expectedRevision, contract.revision);
    const head = versionByNumber(this.state, contract, contract.versionCount);
    const now = new Date();
    const request = planApprovalRequest(input, { contractId: contract.id, versionNumber: head.number, version: head.version }, randomUUID(), actor, now);
    const next = planReviewOpened(contract, request.id, head, { now, actor }, request.note);
    this.state.approvals.set(request.id, copy(request));
    this.saveContract(next);
    return request;
  }

  async decide(input: DecideApprovalInput, actor: string | null): Promise<ApprovalRequest> {
    const next = planDecision(this.mustGet(input.requestId), input, actor, new Date());
    this.state.approvals.set(next.id, copy(next));
    if (next.status !== 'open') this.closeReview(next, next.status, actor);
    return next;
  }

  async withdraw(input: WithdrawApprovalInput, actor: ApprovalActor): Promise<ApprovalRequest> {
    const next = planWithdrawal(this.mustGet(input.requestId), input, actor, new Date());
    this.state.approvals.set(next.id, copy(next));
    this.closeReview(next, 'withdrawn', actor.name);
    return next;
  }

  async getByIds(ids: readonly string[]): Promise<(ApprovalRequest | null)[]> {
    return ids.map((id) => {
      const request = this.state.approvals.get(id);
      return request ? copy(request) : null;
    });
  }

  async list(filter: ApprovalFilter, page: PageRequest): Promise<Page<ApprovalRequest>> {
    const matches = [...this.state.approvals.values()].filter(
      (r) =>
        (filter.contractId == null || r.contractId === filter.contractId) &&
        (!filter.status?.length || filter.status.includes(r.status)) &&
        (filter.approver == null || r.approvers.includes(filter.approver)) &&
        (filter.awaiting == null || (r.status === 'open' && r.awaiting.includes(filter.awaiting))) &&
        (filter.requestedBy == null || r.requestedBy === filter.requestedBy),
    );
    const result = keysetPage(matches, (r) => r.requestedAt, 'desc', page, 'requestedAt');
    return { ...result, items: result.items.map(copy) };
  }

  /** Nothing to complete: a request and its contract are written together here. */
  async reconcile(): Promise<number> {
    return 0;
  }

  private mustGet(id: string): ApprovalRequest {
    const request = this.state.approvals.get(id);
    if (!request) throw new NotFoundError('ApprovalRequest', id);
    return copy(request);
  }

  /** Moves the contract of a request that just closed (a no-op when it no longer points at the request). */
  private closeReview(request: ApprovalRequest, outcome: ReviewOutcome, actor: string | null): void {
    const stored = this.state.contracts.get(request.contractId);
    if (!stored) return;
    const contract = copy(stored);
    const reviewed = versionByNumber(this.state, contract, request.versionNumber);
    const next = planReviewClosed(contract, request.id, outcome, reviewed, { now: request.resolvedAt ?? new Date(), actor }, request.resolutionNote);
    if (next) this.saveContract(next);
  }

  private saveContract(contract: Contract): void {
    this.state.contracts.set(contract.id, copy(contract));
    syncCatalog(this.state, contract);
  }
}
