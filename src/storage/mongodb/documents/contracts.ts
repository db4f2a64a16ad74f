/** How a contract is stored (collection `contracts`): its shape, lifecycle subdocuments and search fields, and the mapping. */
import type { CompatibilityMode } from '../../../domain/compatibility.js';
import type { Contract } from '../../../domain/contracts.js';
import type { ContractStatus, StatusChange } from '../../../domain/lifecycle.js';
import { searchTextOf } from '../../../domain/search.js';
import { caseKey } from '../../../domain/names.js';
import { type StoredSearchFields, storedSearchFields } from '../search-fields.js';
import { parseDocument, toDate } from './values.js';

/** The search fields (searchTerms, searchPostings, searchFacets, searchVersion) are derived in search-fields.ts. */
export interface StoredContract extends StoredSearchFields {
  _id: string;
  name: string;
  description: string | null;
  owner: string | null;
  status: ContractStatus;
  version: string;
  versionCount: number;
  revision: number;
  /** Absent on contracts stored before the setting existed: read as true (the default). */
  autoOpenIssues?: boolean;
  /** Absent or null: the registry's default compatibility mode. */
  compatibility?: CompatibilityMode | null;
  // Lifecycle fields; absent on contracts stored before the lifecycle existed (fromStoredContract's defaults).
  /** The number of the active (served) version; null until the first activation. */
  activeVersion?: number | null;
  approvalRequired?: boolean;
  openApprovalRequestId?: string | null;
  /** Oldest first; an array of flat subdocuments (no nested arrays: FerretDB refuses them). */
  statusHistory?: StoredStatusChange[];
  deprecation?: StoredDeprecation | null;
  /** The served document (the active version's once there is one), as JSON text. */
  documentJson: string;
  createdAt: Date;
  updatedAt: Date;
  createdBy: string | null;
  updatedBy: string | null;
  // derived, for queries
  /** The ODCS `id` of the current document (import updates the contract holding it). */
  odcsId: string | null;
  /** Lower-cased schema names (the `schemaName` filter). */
  schemaNamesLower: string[];
  /** Under the cas write protocol: write tokens of updates that may no longer move this revision (contract-cas.ts);
   *  gone with the next contract step, never written by toStoredContract. */
  fencedWrites?: string[];
}

export interface StoredStatusChange {
  at: Date;
  by: string | null;
  from: ContractStatus | null;
  to: ContractStatus;
  version: string;
  versionNumber: number;
  note: string | null;
  approvalRequestId: string | null;
}

export interface StoredDeprecation {
  reason: string;
  replacedBy: string | null;
}



export function toStoredContract(contract: Contract): StoredContract {
  const text = searchTextOf(contract.name, contract.document, contract.owner);
  const search = storedSearchFields(contract, text);
  return {
    _id: contract.id,
    name: contract.name,
    description: contract.description,
    owner: contract.owner,
    status: contract.status,
    version: contract.version,
    versionCount: contract.versionCount,
    revision: contract.revision,
    autoOpenIssues: contract.autoOpenIssues,
    compatibility: contract.compatibility,
    activeVersion: contract.activeVersion,
    approvalRequired: contract.approvalRequired,
    openApprovalRequestId: contract.openApprovalRequestId,
    statusHistory: contract.statusHistory.map(toStoredStatusChange),
    deprecation: contract.deprecation === null ? null : { reason: contract.deprecation.reason, replacedBy: contract.deprecation.replacedBy },
    documentJson: JSON.stringify(contract.document),
    createdAt: contract.createdAt,
    updatedAt: contract.updatedAt,
    createdBy: contract.createdBy,
    updatedBy: contract.updatedBy,
    odcsId: typeof contract.document.id === 'string' ? contract.document.id : null,
    schemaNamesLower: [...new Set(text.schemaNames.map((s) => caseKey(s)))],
    ...search,
  };
}

/** The record, with its keys in the order the domain creates them. */
/**
 * What a read of a contract fetches: everything but the derived fields (search terms and postings, facets, the
 * lower-cased schema names, cas fences), which only queries and writes' own reads use. They are a third of a stored
 * contract (about 4.5 of 15.7 KB for a contract with 38 properties), and every MongoDB-wire server sends, and the
 * driver decodes, only what the projection keeps.
 */
export const CONTRACT_VIEW_PROJECTION = {
  searchTerms: 0,
  searchPostings: 0,
  search: 0,
  searchFacets: 0,
  searchVersion: 0,
  schemaNamesLower: 0,
  fencedWrites: 0,
} as const;

/** A stored contract as read with CONTRACT_VIEW_PROJECTION (a whole one is one too). */
export type StoredContractView = Omit<StoredContract, keyof typeof CONTRACT_VIEW_PROJECTION>;

export function fromStoredContract(doc: StoredContractView): Contract {
  const legacy = doc.statusHistory === undefined ? legacyLifecycle(doc) : null;
  return {
    id: doc._id,
    name: doc.name,
    description: doc.description ?? null,
    owner: doc.owner ?? null,
    status: legacy?.status ?? doc.status,
    version: doc.version,
    versionCount: doc.versionCount,
    revision: doc.revision,
    autoOpenIssues: doc.autoOpenIssues !== false,
    compatibility: doc.compatibility ?? null,
    activeVersion: doc.activeVersion !== undefined ? doc.activeVersion : defaultActiveVersion(doc),
    approvalRequired: doc.approvalRequired !== false,
    openApprovalRequestId: doc.openApprovalRequestId ?? null,
    statusHistory: legacy?.statusHistory ?? (doc.statusHistory ?? []).map(fromStoredStatusChange),
    deprecation: doc.deprecation ? { reason: doc.deprecation.reason, replacedBy: doc.deprecation.replacedBy ?? null } : null,
    document: parseDocument(doc.documentJson),
    createdAt: toDate(doc.createdAt),
    updatedAt: toDate(doc.updatedAt),
    createdBy: doc.createdBy ?? null,
    updatedBy: doc.updatedBy ?? null,
  };
}

/**
 * A contract stored before status history existed: its history starts with one entry for the status it had (its
 * served version counts as active for transitive compatibility). It was in_review without an approval request,
 * which nobody could ever decide, so it reads as a draft (recorded in that entry); its next write stores it so.
 */
function legacyLifecycle(doc: StoredContractView): Pick<Contract, 'status' | 'statusHistory'> {
  const status = doc.status === 'in_review' && !doc.openApprovalRequestId ? 'draft' : doc.status;
  const note = status === doc.status ? 'status before the history was recorded' : 'was in_review without an approval request; reads as draft';
  const entry: StatusChange = {
    at: toDate(doc.updatedAt),
    by: doc.updatedBy ?? null,
    from: null,
    to: status,
    version: doc.version,
    versionNumber: doc.versionCount,
    note,
    approvalRequestId: null,
  };
  return { status, statusHistory: [entry] };
}

/** A contract stored before the lifecycle existed served its newest version, which counts as active once approved. */
function defaultActiveVersion(doc: Pick<StoredContract, 'status' | 'versionCount'>): number | null {
  return doc.status === 'active' || doc.status === 'deprecated' || doc.status === 'retired' ? doc.versionCount : null;
}

function toStoredStatusChange(c: StatusChange): StoredStatusChange {
  return {
    at: c.at,
    by: c.by,
    from: c.from,
    to: c.to,
    version: c.version,
    versionNumber: c.versionNumber,
    note: c.note,
    approvalRequestId: c.approvalRequestId,
  };
}

function fromStoredStatusChange(c: StoredStatusChange): StatusChange {
  return {
    at: toDate(c.at),
    by: c.by ?? null,
    from: c.from ?? null,
    to: c.to,
    version: c.version,
    versionNumber: c.versionNumber,
    note: c.note ?? null,
    approvalRequestId: c.approvalRequestId ?? null,
  };
}
