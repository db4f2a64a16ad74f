/**
 * The storage layer's contract: one repository per resource, aggregated by a StorageBackend. Every backend
 * (MongoDB, in-memory) implements these interfaces and passes the same conformance suite
 * (test/conformance). Resolvers only ever talk to these interfaces.
 */
import type { CatalogEntry } from '../domain/catalog.js';
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
} from '../domain/contracts.js';
import type {
  ApprovalActor,
  ApprovalRequest,
  ApprovalStatus,
  DecideApprovalInput,
  SubmitForReviewInput,
  WithdrawApprovalInput,
} from '../domain/approvals.js';
import type { CreateIssueInput, Issue, IssueCategory, IssueSeverity, IssueStatus, TransitionIssueInput, UpdateIssueInput } from '../domain/issues.js';
import type { AddCommentInput, Comment, CommentActor, CommentTarget, EditCommentInput, ReactionKind } from '../domain/comments.js';
import type { ContractStatus } from '../domain/lifecycle.js';
import type { Run, RunStatus, StartRunInput, UpdateRunInput } from '../domain/runs.js';
import type { StatsQuery, ValidationStats } from '../domain/stats.js';
import type { RecordValidationInput, ValidationRecord } from '../domain/validations.js';
import type { SearchFacets, SearchField, SearchFilter } from '../domain/search.js';
import type { EventFilter, NewEvent, RegistryEvent } from '../domain/events.js';
import type { IdempotencyOptions, IdempotencyRecord } from '../domain/idempotency.js';
import type { RegistryError } from '../domain/errors.js';

export type { ApprovalRequest, CatalogEntry, Comment, Contract, ContractVersion, Issue, Run, ValidationRecord, ValidationStats };

/** Forward, cursor-based paging. `after` is an opaque cursor returned by an earlier page. */
/**
 * A page of a list: forward, the `first` items after the `after` cursor (from the start without one); or backward,
 * the `last` items before the `before` cursor (up to the end without one), still in list order.
 */
export type PageRequest = ForwardPageRequest | BackwardPageRequest;

export interface ForwardPageRequest {
  first: number;
  after?: string | null;
}

export interface BackwardPageRequest {
  last: number;
  before?: string | null;
}

export interface Page<T> {
  items: T[];
  /** One opaque cursor per item, in the same order. */
  cursors: string[];
  /** Items follow the page: forward, known from one extra item read; backward, true when `before` was given. */
  hasNextPage: boolean;
  /** Items precede the page: backward, known from one extra item read; forward, true when `after` was given. */
  hasPreviousPage: boolean;
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

/** A page of ranked hits, with the facet counts of the whole result (domain rankCandidates). */
export interface ContractSearchPage extends Page<ContractSearchHit> {
  facets: SearchFacets;
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

// ---------------------------------------------------------------------------------------------------------------
// Schema catalog

export interface CatalogFilter {
  /** Schema names starting with this text, ignoring case. */
  schemaNamePrefix?: string | null;
  /** Entries with a property of this name or path, ignoring case (`email`, `address.street`). */
  propertyName?: string | null;
  /**
   * Entries with a property path holding a word that starts with this one, ignoring case (`email` finds
   * `customer_email`, `cust` finds it too). Words are split as search splits them (domain propertyWordsOf).
   */
  propertyWord?: string | null;
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
// Runs

export interface RunFilter {
  contractId?: string | null;
  contractVersion?: string | null;
  status?: RunStatus[] | null;
  pipelineId?: string | null;
  environment?: string | null;
  /** createdAt ≥ from */
  from?: Date | null;
  /** createdAt < to */
  to?: Date | null;
}

export interface RunRepository {
  /** NotFoundError('Contract', id) for an unknown contract, NotFoundError('ContractVersion', `${name}@${version}`) for an unknown version. */
  start(input: StartRunInput, actor: string | null): Promise<Run>;
  /** Status changes follow domain/runs; a concurrent change of the same run is a ConflictError (nothing written). */
  update(input: UpdateRunInput, actor: string | null): Promise<Run>;
  getByIds(ids: readonly string[]): Promise<(Run | null)[]>;
  /** Ordered by createdAt (then id). */
  list(filter: RunFilter, direction: SortDirection, page: PageRequest): Promise<Page<Run>>;
  /** The newest run (by createdAt, then id) of each contract, null where none. */
  latestByContracts(contractIds: readonly string[]): Promise<(Run | null)[]>;
}

// Validation records

export interface ValidationFilter {
  contractId?: string | null;
  contractVersion?: string | null;
  runId?: string | null;
  environment?: string | null;
  passed?: boolean | null;
  /** recordedAt ≥ from */
  from?: Date | null;
  /** recordedAt < to */
  to?: Date | null;
}

export interface ValidationRepository {
  /**
   * Stores a record (the error rate is computed here). With the contract's autoOpenIssues on, each failing check
   * (failed or error) opens an issue, or adds an occurrence to the active issue of the same check; the check's
   * issueId links to it. A repeated idempotencyKey for the same contract stores nothing and returns the first
   * record with created=false. NotFoundError for an unknown contract, version or run; ValidationError for bad input.
   */
  record(input: RecordValidationInput, actor: string | null): Promise<{ record: ValidationRecord; created: boolean }>;
  getByIds(ids: readonly string[]): Promise<(ValidationRecord | null)[]>;
  /** Ordered by recordedAt (then id). */
  list(filter: ValidationFilter, direction: SortDirection, page: PageRequest): Promise<Page<ValidationRecord>>;
  /** The records of each run, oldest first. */
  listByRunIds(runIds: readonly string[]): Promise<ValidationRecord[][]>;
  /** Computed by the database, not by loading the records. */
  stats(query: StatsQuery): Promise<ValidationStats>;
}

// Data-quality issues

export interface IssueFilter {
  contractId?: string | null;
  runId?: string | null;
  validationRecordId?: string | null;
  status?: IssueStatus[] | null;
  severity?: IssueSeverity[] | null;
  category?: IssueCategory[] | null;
  assignee?: string | null;
  /** detectedAt ≥ from */
  from?: Date | null;
  /** detectedAt < to */
  to?: Date | null;
  /** Every word must appear in the title or description (whole words, ignoring case). */
  text?: string | null;
}

export type IssueOrderField = 'detectedAt' | 'severity';

export interface IssueSummary {
  byStatus: Record<IssueStatus, number>;
  bySeverity: Record<IssueSeverity, number>;
}

export interface IssueRepository {
  /** NotFoundError for an unknown contract (or run / record when given). */
  create(input: CreateIssueInput, actor: string | null): Promise<Issue>;
  /** ConflictError on a stale expectedRevision. */
  update(input: UpdateIssueInput, actor: string | null): Promise<Issue>;
  transition(input: TransitionIssueInput, actor: string | null): Promise<Issue>;
  getByIds(ids: readonly string[]): Promise<(Issue | null)[]>;
  /** detectedAt: newest first for desc; severity: critical first for asc — then detectedAt desc, then id. */
  list(filter: IssueFilter, order: { field: IssueOrderField; direction: SortDirection }, page: PageRequest): Promise<Page<Issue>>;
  /** Counts over the whole filtered set (not one page). */
  summary(filter: IssueFilter): Promise<IssueSummary>;
  /** Active (open, acknowledged, in_progress) issues per contract. */
  countActiveByContracts(contractIds: readonly string[]): Promise<number[]>;
  listByRunIds(runIds: readonly string[]): Promise<Issue[][]>;
  listByValidationRecordIds(recordIds: readonly string[]): Promise<Issue[][]>;
}

// Later resources: their interfaces grow with the issue that implements them.

/**
 * Comments (domain/comments). Writes record the acting principal; reactions live beside the comment (one per
 * comment, kind and principal), so concurrent reactions never conflict with each other or with edits.
 */
export interface CommentRepository {
  /** NotFoundError for an unknown contract, issue, version (ContractVersion) or parent (Comment); ValidationError for bad input. */
  add(input: AddCommentInput, actor: string | null): Promise<Comment>;
  /** Author only (NotAllowedError); ConflictError on a stale expectedRevision; NotFoundError for an unknown or deleted comment. */
  edit(input: EditCommentInput, actor: string | null): Promise<Comment>;
  /** Author or admin; leaves a tombstone. Deleting a deleted comment returns it unchanged. */
  delete(id: string, actor: CommentActor): Promise<Comment>;
  /** Adding a reaction the principal already made keeps one. NotFoundError for an unknown or deleted comment. */
  addReaction(id: string, kind: ReactionKind, actor: string | null): Promise<Comment>;
  /** Removing a reaction the principal has not made is a no-op. */
  removeReaction(id: string, kind: ReactionKind, actor: string | null): Promise<Comment>;
  getByIds(ids: readonly string[]): Promise<(Comment | null)[]>;
  /** The root comments of a target, newest first (createdAt desc, then id desc). */
  listThreads(target: CommentTarget, page: PageRequest): Promise<Page<Comment>>;
  /** The replies of each root, oldest first (createdAt asc, then id), in the order of `rootIds`. */
  listReplies(rootIds: readonly string[]): Promise<Comment[][]>;
}
// Approval requests

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

// ---------------------------------------------------------------------------------------------------------------
// The change log (issue 14)

export interface EventListRequest {
  /** Events after this position (exclusive); from the oldest kept one without it. */
  after?: number | null;
  /** Events before this position (exclusive), for backward paging; the newest `last` before it. */
  before?: number | null;
  /** At most this many, ascending by position (with `before`: the last ones before it, still ascending). */
  first: number;
  filter?: EventFilter | null;
}

/** Called after an event was appended by this process (not for an append that found its key already stored). */
export type EventListener = (event: RegistryEvent) => void;

/**
 * The durable change log: one event per committed change, positions 1, 2, 3, … taken strictly in order (a
 * position is only taken once every lower one exists), so a reader that has seen position p has seen every
 * matching event up to p. The log is the source of truth; `onAppended` only wakes readers in this process, which
 * then read the log from their last position.
 */
export interface EventRepository {
  /** Appends at the next position; idempotent by key: an existing key returns the stored event, appending nothing. */
  append(event: NewEvent): Promise<RegistryEvent>;
  /**
   * Ascending by position. ExpiredCursorError when `after` points below what retention still keeps (the event
   * right after it has expired), so a reader never silently misses events.
   */
  list(request: EventListRequest): Promise<RegistryEvent[]>;
  /** The events at these positions, ordered like `positions`, null where missing (expired or never written). */
  getByPositions(positions: readonly number[]): Promise<(RegistryEvent | null)[]>;
  /** The stored event of each key, ordered like `keys`, null where missing. */
  getByKeys(keys: readonly string[]): Promise<(RegistryEvent | null)[]>;
  /** The highest position taken (0 for an empty log). */
  latest(): Promise<number>;
  /** How many kept events match the filter. */
  count(filter?: EventFilter | null): Promise<number>;
  /** Listens to appends made by this process; returns the unsubscribe function. */
  onAppended(listener: EventListener): () => void;
  /** Deletes events appended before `cutoff` (retention), always keeping the newest; returns how many. */
  prune(cutoff: Date): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------------------
// Idempotency keys (src/services/idempotency.ts holds the protocol; these are its storage steps)

export interface IdempotencyRepository {
  /** Retention, lease and wait the service applies (configuration). */
  readonly options: IdempotencyOptions;
  /** The key by its id (a point read); null when there is none or it has expired. */
  get(id: string): Promise<IdempotencyRecord | null>;
  /** Stores a new key (replacing an expired one); false when an unexpired key with this id exists. */
  reserve(record: IdempotencyRecord): Promise<boolean>;
  /**
   * Takes over a pending key whose lease ran out: exactly one caller wins each attempt number (the next after the
   * one found). The winner holds the key until `leaseUntil`; its write's result id becomes `resultId`.
   */
  takeOver(id: string, attempt: number, leaseUntil: Date, resultId: string): Promise<boolean>;
  /** Marks the key done (its result exists; every attempt of a key writes the same result id). */
  complete(id: string): Promise<void>;
  /** Forgets a pending key whose write was refused (a typed error: nothing written), so the next retry runs again. */
  release(id: string, attempt: number): Promise<void>;
  /** Whether the version written with this write token is a visible version of the contract (updateContract). */
  contractVersionWritten(contractId: string, writeToken: string): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------------------------
// The backend

export interface StorageCapabilities {
  backend: string;
  /** The server answers `$text` queries over a text index; otherwise search uses the portable word index. */
  textSearch: boolean;
  /** Multi-document transactions (a replica set). The registry does not depend on them. */
  transactions: boolean;
  /**
   * The server's aggregation computes `$group` with several `$sum` accumulators (counts and `$sum: '$field'`)
   * correctly; validation stats then come from an aggregation over the records, otherwise from a daily rollup.
   */
  aggregation: boolean;
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
  /** The change log; every write of the repositories above appends its events (storage/events/recorder.ts). */
  readonly events: EventRepository;
  readonly idempotency: IdempotencyRepository;
  readonly capabilities: StorageCapabilities;
  health(): Promise<HealthReport>;
  /** Whether an error thrown by this backend means the database is unreachable or too slow (the API's UNAVAILABLE). */
  isUnavailable?(error: unknown): boolean;
  close(): Promise<void>;
}
