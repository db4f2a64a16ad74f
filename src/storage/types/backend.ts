/** The StorageBackend: every repository of a backend, its capabilities and health. */
import type { ContractRepository } from './contracts.js';
import type { SchemaCatalogRepository } from './catalog.js';
import type { RunRepository } from './runs.js';
import type { ValidationRepository } from './validations.js';
import type { IssueRepository } from './issues.js';
import type { CommentRepository } from './comments.js';
import type { ApprovalRepository } from './approvals.js';
import type { EventRepository } from './events.js';
import type { IdempotencyRepository } from './idempotency.js';

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
