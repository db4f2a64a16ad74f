/** The ContractRepository: contract writes, reads, versions, lists and search. */
import type {
  ActivateContractInput,
  Contract,
  ContractVersion,
  CreateContractInput,
  DeprecateContractInput,
  RetireContractInput,
  RollbackContractInput,
  SetContractSettingsInput,
  UpdateContractInput,
} from '../../domain/contracts.js';
import type { ContractStatus } from '../../domain/lifecycle.js';
import type { SearchFacets, SearchField, SearchFilter } from '../../domain/search.js';
import type { RegistryError } from '../../domain/errors.js';
import type { PageRequest, Page, SortDirection } from './paging.js';

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

/** A page of ranked hits, with the facet counts of the whole result (domain rankCandidates). */
export interface ContractSearchPage extends Page<ContractSearchHit> {
  /**
   * Computed when called (only where a query selects them), like totalCount: on MongoDB a one-word page may not
   * have read every candidate. Computed once however often called.
   */
  facets: () => Promise<SearchFacets>;
}

/** One item of a batch create (ContractRepository.createMany): its contract, or the typed error that refused it. */
export type BatchCreateOutcome = { ok: true; contract: Contract } | { ok: false; error: RegistryError };

export interface ContractRepository {
  /** Validates, then writes the contract and its version 1 (status draft, revision 1, history [null → draft]). */
  create(input: CreateContractInput, actor: string | null): Promise<Contract>;
  /**
   * Creates many contracts as `create` would each, in a few batched writes (the bulk import): ordered like
   * `inputs`, one outcome each. An item refused (a taken name or ODCS id, in the store or earlier in the batch;
   * bad input) gets its typed error and the others are still created. Crash-safe like create: an interrupted batch
   * leaves nothing torn visible, and the next write or the repair pass completes or removes it.
   */
  createMany(inputs: readonly CreateContractInput[], actor: string | null): Promise<BatchCreateOutcome[]>;
  /**
   * Writes a new version; `expectedRevision` must be the current revision or a ConflictError is thrown. The new
   * version is diffed and numbered against the newest version; on a contract with an active version it is a draft
   * revision and the active version stays served. InvalidStateError while an approval request is open, or when the
   * contract is deprecated or retired. Transitive modes check the newest and every version that was ever active.
   */
  update(input: UpdateContractInput, actor: string | null): Promise<Contract>;
  /** Makes an earlier version's document current again, recorded as a new version (same rules as update). */
  rollback(input: RollbackContractInput, actor: string | null): Promise<Contract>;
  /** Activates the newest version without a request, for a contract whose approval is waived (domain planActivation). */
  activate(input: ActivateContractInput, actor: string | null): Promise<Contract>;
  /** active → deprecated with a reason and an optional active replacement (domain planDeprecation). */
  deprecate(input: DeprecateContractInput, actor: string | null): Promise<Contract>;
  /** deprecated → retired (final). */
  retire(input: RetireContractInput, actor: string | null): Promise<Contract>;
  /** Changes registry settings of the contract (autoOpenIssues, compatibility, approvalRequired). Writes no version. */
  setSettings(input: SetContractSettingsInput, actor: string | null): Promise<Contract>;
  /** Deletes the contract, its versions and its catalog entries, and withdraws its open approval request; returns what was deleted. */
  delete(id: string, expectedRevision: number | null, actor: string | null): Promise<Contract>;

  getById(id: string): Promise<Contract | null>;
  /** One read for all ids; the result is ordered like `ids`, with null for a missing id. */
  getByIds(ids: readonly string[]): Promise<(Contract | null)[]>;
  getByName(name: string): Promise<Contract | null>;
  getByNames(names: readonly string[]): Promise<(Contract | null)[]>;
  /** The contract whose current document has this ODCS `id` (the oldest, if several do). */
  getByOdcsId(odcsId: string): Promise<Contract | null>;
  /** A stable order: the sort field, then the id. */
  list(filter: ContractFilter, order: ContractOrder, page: PageRequest): Promise<Page<Contract>>;
  /** Ranked and filtered by domain rankCandidates, with facet counts. A query without words finds nothing. */
  search(query: string, page: PageRequest, filter?: SearchFilter): Promise<ContractSearchPage>;

  /** Newest first. Empty for an unknown contract. */
  listVersions(contractId: string, page: PageRequest): Promise<Page<ContractVersion>>;
  /** Versions by id (`${contractId}@${number}`), ordered like `ids`, null where missing. */
  getVersionsByIds(ids: readonly string[]): Promise<(ContractVersion | null)[]>;
  /** Versions by their semantic version string, ordered like `keys`, null where missing. */
  getVersions(keys: readonly { contractId: string; version: string }[]): Promise<(ContractVersion | null)[]>;
}
