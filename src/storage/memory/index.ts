/**
 * The in-memory backend: the same repositories as MongoDB, held in Maps. For development without a database and
 * for tests; nothing persists. Writes are atomic (no await between check and write), so it needs no compensation.
 */
import { DEFAULT_EVENT_LOG, type EventLogOptions } from '../../config.js';
import type { RegistryPolicy } from '../../domain/evolution.js';
import { withEvents } from '../events/recorder.js';
import type { IdempotencyOptions } from '../../domain/idempotency.js';
import type { StorageBackend, StorageCapabilities } from '../types.js';
import { MemoryApprovalRepository } from './approvals.js';
import { MemoryCommentRepository } from './comments.js';
import { MemoryContractRepository } from './contracts.js';
import { MemoryEventRepository } from './events.js';
import { MemoryIdempotencyRepository } from './idempotency.js';
import { MemoryIssueRepository } from './issues.js';
import { MemoryRunRepository } from './runs.js';
import { MemoryState } from './state.js';
import { MemoryValidationRepository } from './validations.js';

export interface MemoryStorageOptions {
  policy?: RegistryPolicy;
  events?: EventLogOptions;
  /** Retention, lease and wait of idempotency keys (default: DEFAULT_IDEMPOTENCY_OPTIONS). */
  idempotency?: IdempotencyOptions;
  /**
   * Benchmarks only (bench/events.ts measures what the change log adds to a write): writes append no events, so no
   * subscriber and no `events` query ever sees them. Not settable from the environment or the config.
   */
  benchOnlyWithoutEventLog?: boolean;
}

export function createMemoryStorage(options: MemoryStorageOptions = {}): StorageBackend {
  const state = new MemoryState();
  const capabilities: StorageCapabilities = { backend: 'memory', textSearch: false, transactions: false, aggregation: false, serverVersion: null };
  const contracts = new MemoryContractRepository(state, options.policy);
  const issues = new MemoryIssueRepository(state);
  const events = new MemoryEventRepository();
  const raw: StorageBackend = {
    contracts,
    schemaCatalog: contracts.catalog,
    runs: new MemoryRunRepository(state),
    validations: new MemoryValidationRepository(state, issues),
    issues,
    comments: new MemoryCommentRepository(state),
    approvals: new MemoryApprovalRepository(state),
    events,
    idempotency: new MemoryIdempotencyRepository(state, options.idempotency),
    capabilities,
    async health() {
      return { ok: true, backend: 'memory', latencyMs: 0 };
    },
    async close() {
      state.clear();
      events.clear();
    },
  };
  // Every write appends its events (no intents: a crash loses the whole in-memory state anyway).
  if (options.benchOnlyWithoutEventLog) return raw;
  return withEvents(raw, { log: options.events ?? DEFAULT_EVENT_LOG, intents: null });
}
