/**
 * The in-memory backend: the same repositories as MongoDB, held in Maps. For development without a database and
 * for tests; nothing persists. Writes are atomic (no await between check and write), so it needs no compensation.
 */
import type { RegistryPolicy } from '../../domain/evolution.js';
import type { StorageBackend, StorageCapabilities } from '../types.js';
import { MemoryApprovalRepository } from './approvals.js';
import { MemoryCommentRepository } from './comments.js';
import { MemoryContractRepository } from './contracts.js';
import { MemoryIssueRepository } from './issues.js';
import { MemoryRunRepository } from './runs.js';
import { MemoryState } from './state.js';
import { MemoryValidationRepository } from './validations.js';

export interface MemoryStorageOptions {
  policy?: RegistryPolicy;
}

export function createMemoryStorage(options: MemoryStorageOptions = {}): StorageBackend {
  const state = new MemoryState();
  const capabilities: StorageCapabilities = { backend: 'memory', textSearch: false, transactions: false, aggregation: false, serverVersion: null };
  const contracts = new MemoryContractRepository(state, options.policy);
  const issues = new MemoryIssueRepository(state);
  return {
    contracts,
    schemaCatalog: contracts.catalog,
    runs: new MemoryRunRepository(state),
    validations: new MemoryValidationRepository(state, issues),
    issues,
    comments: new MemoryCommentRepository(state),
    approvals: new MemoryApprovalRepository(state),
    capabilities,
    async health() {
      return { ok: true, backend: 'memory', latencyMs: 0 };
    },
    async close() {
      state.clear();
    },
  };
}
