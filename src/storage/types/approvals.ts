/** The ApprovalRepository: approval requests and their decisions. */
import type {
  ApprovalActor,
  ApprovalRequest,
  ApprovalStatus,
  DecideApprovalInput,
  SubmitForReviewInput,
  WithdrawApprovalInput,
} from '../../domain/approvals.js';
import type { PageRequest, Page } from './paging.js';

export interface ApprovalFilter {
  contractId?: string | null;
  status?: ApprovalStatus[] | null;
  /** Requests that list this principal as an approver. */
  approver?: string | null;
  /** Open requests this principal still has to decide. */
  awaiting?: string | null;
  requestedBy?: string | null;
}

/**
 * Approval requests (domain/approvals) and the contract moves they cause (domain/contracts planReviewOpened,
 * planReviewClosed). A request's decision and the contract's transition are two writes without a transaction:
 * the request is written first (compare-and-set on its revision, so two concurrent deciders resolve it exactly
 * once), then the contract (idempotent: only while it still points at the request). A crash in between is
 * completed by the next call that touches the request or its contract (`reconcile`).
 */
export interface ApprovalRepository {
  /**
   * Opens a request for the contract's newest version and moves the contract (draft → in_review; an active
   * contract stays active). NotFoundError, ConflictError (stale expectedRevision), InvalidStateError (a request
   * is already open, the newest version is already active), InvalidTransitionError (deprecated, retired),
   * ValidationError (approvers, policy).
   */
  submit(input: SubmitForReviewInput, actor: string | null): Promise<ApprovalRequest>;
  /** One listed approver's decision (NotAllowedError otherwise, or when they already decided; InvalidStateError when closed). */
  decide(input: DecideApprovalInput, actor: string | null): Promise<ApprovalRequest>;
  /** The requester or an admin closes an open request; the contract goes back (in_review → draft, or stays active). */
  withdraw(input: WithdrawApprovalInput, actor: ApprovalActor): Promise<ApprovalRequest>;
  getByIds(ids: readonly string[]): Promise<(ApprovalRequest | null)[]>;
  /** Newest first (requestedAt desc, then id desc). */
  list(filter: ApprovalFilter, page: PageRequest): Promise<Page<ApprovalRequest>>;
  /** Completes contract moves of requests whose second write did not happen (a crash); returns how many. */
  reconcile(): Promise<number>;
}
