/** How approval requests are stored (collection `approval_requests`) and the mapping. */
import type { ApprovalDecision, ApprovalPolicy, ApprovalRequest, ApprovalStatus, ApprovalVerdict } from '../../../domain/approvals.js';
import { dateOrNull, strings, toDate } from './values.js';

export interface StoredApprovalDecision {
  approver: string;
  verdict: ApprovalVerdict;
  note: string | null;
  at: Date;
}

export interface StoredApprovalRequest {
  _id: string;
  contractId: string;
  versionNumber: number;
  version: string;
  approvers: string[];
  policy: ApprovalPolicy;
  requiredApprovals: number;
  status: ApprovalStatus;
  decisions: StoredApprovalDecision[];
  awaiting: string[];
  note: string | null;
  requestedBy: string;
  requestedAt: Date;
  resolvedAt: Date | null;
  resolvedBy: string | null;
  resolutionNote: string | null;
  revision: number;
  // bookkeeping (approvals.ts), not part of the record
  /** The contract points at the request. False only between the insert and the contract write of a submit. */
  confirmed: boolean;
  /** A closed request's contract move was done. */
  applied: boolean;
}

export function toStoredApprovalRequest(request: ApprovalRequest, flags: { confirmed: boolean; applied: boolean }): StoredApprovalRequest {
  return {
    _id: request.id,
    contractId: request.contractId,
    versionNumber: request.versionNumber,
    version: request.version,
    approvers: request.approvers,
    policy: request.policy,
    requiredApprovals: request.requiredApprovals,
    status: request.status,
    decisions: request.decisions.map((d) => ({ approver: d.approver, verdict: d.verdict, note: d.note, at: d.at })),
    awaiting: request.awaiting,
    note: request.note,
    requestedBy: request.requestedBy,
    requestedAt: request.requestedAt,
    resolvedAt: request.resolvedAt,
    resolvedBy: request.resolvedBy,
    resolutionNote: request.resolutionNote,
    revision: request.revision,
    confirmed: flags.confirmed,
    applied: flags.applied,
  };
}

/** The record, with its keys in the order the domain creates them (without the bookkeeping flags). */
export function fromStoredApprovalRequest(doc: StoredApprovalRequest): ApprovalRequest {
  return {
    id: doc._id,
    contractId: doc.contractId,
    versionNumber: doc.versionNumber,
    version: doc.version,
    approvers: strings(doc.approvers),
    policy: doc.policy,
    requiredApprovals: doc.requiredApprovals,
    status: doc.status,
    decisions: (doc.decisions ?? []).map(
      (d): ApprovalDecision => ({ approver: d.approver, verdict: d.verdict, note: d.note ?? null, at: toDate(d.at) }),
    ),
    awaiting: strings(doc.awaiting),
    note: doc.note ?? null,
    requestedBy: doc.requestedBy,
    requestedAt: toDate(doc.requestedAt),
    resolvedAt: dateOrNull(doc.resolvedAt),
    resolvedBy: doc.resolvedBy ?? null,
    resolutionNote: doc.resolutionNote ?? null,
    revision: doc.revision,
  };
}
