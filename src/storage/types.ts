/**
 * The storage layer's contract: one repository per resource, aggregated by a StorageBackend. Every backend
 * (MongoDB, in-memory) implements these interfaces and passes the same conformance suite
 * (test/conformance). Resolvers only ever talk to these interfaces.
 */
import type { CatalogEntry } from '../domain/catalog.js';
import type {
  Contract,
  ContractVersion,
  CreateContractInput,
  RollbackContractInput,
  SetContractStatusInput,
  UpdateContractInput,
} from '../domain/contracts.js';
import type { ContractStatus } from '../domain/lifecycle.js';
import type { SearchField } from '../domain/search.js';

export type { CatalogEntry, Contract, ContractVersion };

/** Forward, cursor-based paging. `after` is an opaque cursor returned by an earlier page. */
export interface PageRequest {
  first: number;
  after?: string | null;
}

export interface Page<T> {
  items: T[];
  /** One opaque cursor per item, in the same order. */
  cursors: string[];
  hasNextPage: boolean;
  /** How many items match the whole filter (not only this page); computed only when called. */
  totalCount(): Promise<number>;
}

export type SortDirection = 'asc' | 'desc';

// ---------------------------------------------------------------------------------------------------------------
// Contracts

export interface ContractFilter {
  /** Any of these statuses. */
  status?: ContractStatus[] | null;
  /** Exact owner. */
  owner?: string | null;
  /** Contracts that define a schema with this name (case-insensitive, exact). */
  schemaName?: string | null;
}

export type ContractOrderField = 'name' | 'createdAt' | 'updatedAt';

export interface ContractOrder {
  field: ContractOrderField;
  direction: SortDirection;
}

export interface ContractSearchHit {
  contract: Contract;
  score: number;
  /** Which searchable fields contain a query word. */
  matchedFields: SearchField[];
}

export interface ContractRepository {
  /** Validates, then writes the contract and its version 1 (status draft, revision 1). */
  create(input: CreateContractInput, actor: string | null): Promise<Contract>;
  /** Writes a new version; `expectedRevision` must be the current revision or a ConflictError is thrown. */
  update(input: UpdateContractInput, actor: string | null): Promise<Contract>;
  /** Makes an earlier version's document current again, recorded as a new version. */
  rollback(input: RollbackContractInput, actor: string | null): Promise<Contract>;
  /** Moves the contract through its lifecycle (see domain/lifecycle). Writes no version. */
  setStatus(input: SetContractStatusInput, actor: string | null): Promise<Contract>;
  /** Deletes the contract, its versions and its catalog entries; returns what was deleted. */
  delete(id: string, expectedRevision: number | null, actor: string | null): Promise<Contract>;

  getById(id: string): Promise<Contract | null>;
  /** One read for all ids; the result is ordered like `ids`, with null for a missing id. */
  getByIds(ids: readonly string[]): Promise<(Contract | null)[]>;
  getByName(name: string): Promise<Contract | null>;
  getByNames(names: readonly string[]): Promise<(Contract | null)[]>;
  /** A stable order: the sort field, then the id. */
  list(filter: ContractFilter, order: ContractOrder, page: PageRequest): Promise<Page<Contract>>;
  /** Ranked by score (highest first), then name. An empty query finds nothing. */
  search(query: string, page: PageRequest): Promise<Page<ContractSearchHit>>;

  /** Newest first. Empty for an unknown contract. */
  listVersions(contractId: string, page: PageRequest): Promise<Page<ContractVersion>>;
  /** Versions by id (`${contractId}@${number}`), ordered like `ids`, null where missing. */
  getVersionsByIds(ids: readonly string[]): Promise<(ContractVersion | null)[]>;
  /** Versions by their semantic version string, ordered like `keys`, null where missing. */
  getVersions(keys: readonly { contractId: string; version: string }[]): Promise<(ContractVersion | null)[]>;
}

// ---------------------------------------------------------------------------------------------------------------
// Schema catalog

export interface CatalogFilter {
  /** Schema names starting with this text, ignoring case. */
  schemaNamePrefix?: string | null;
  /** Entries with a property of this name or path, ignoring case (`email`, `address.street`). */
  propertyName?: string | null;
  hasPii?: boolean | null;
  contractId?: string | null;
  contractStatus?: ContractStatus[] | null;
}

export interface SchemaCatalogRepository {
  /** Ordered by schema name (ignoring case), then id. */
  list(filter: CatalogFilter, page: PageRequest): Promise<Page<CatalogEntry>>;
  getByIds(ids: readonly string[]): Promise<(CatalogEntry | null)[]>;
  /** Entries of many contracts at once, grouped per contract id in the order of `contractIds`. */
  listByContractIds(contractIds: readonly string[]): Promise<CatalogEntry[][]>;
  /** Regenerates every entry from the contracts; removes entries of contracts that no longer exist. */
  rebuild(): Promise<{ contracts: number; entries: number }>;
}

// ---------------------------------------------------------------------------------------------------------------
// Later resources. Their interfaces grow with the issues that implement them (runs, validation records,
// data-quality issues, comments, approvals); the backends implement them there.

export interface RunRepository {}
export interface ValidationRepository {}
export interface IssueRepository {}
export interface CommentRepository {}
export interface ApprovalRepository {}

// ---------------------------------------------------------------------------------------------------------------
// The backend

export interface StorageCapabilities {
  backend: string;
  /** The server answers `$text` queries over a text index; otherwise search uses the portable word index. */
  textSearch: boolean;
  /** Multi-document transactions (a replica set). The registry does not depend on them. */
  transactions: boolean;
  serverVersion: string | null;
}

export interface HealthReport {
  ok: boolean;
  backend: string;
  latencyMs: number;
  error?: string;
}

export interface StorageBackend {
  readonly contracts: ContractRepository;
  readonly schemaCatalog: SchemaCatalogRepository;
  readonly runs: RunRepository;
  readonly validations: ValidationRepository;
  readonly issues: IssueRepository;
  readonly comments: CommentRepository;
  readonly approvals: ApprovalRepository;
  readonly capabilities: StorageCapabilities;
  health(): Promise<HealthReport>;
  close(): Promise<void>;
}
