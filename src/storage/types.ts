/**
 * The storage layer's contract: one repository per resource, aggregated by a StorageBackend. Every backend
 * (MongoDB, in-memory) implements these interfaces and passes the same conformance suite
 * (test/conformance). Resolvers only ever talk to these interfaces.
 *
 * One file per resource under src/storage/types/; this module re-exports them all, so every importer keeps one path.
 */
import type { CatalogEntry } from '../domain/catalog.js';
import type { Contract, ContractVersion } from '../domain/contracts.js';
import type { ApprovalRequest } from '../domain/approvals.js';
import type { Issue } from '../domain/issues.js';
import type { Comment } from '../domain/comments.js';
import type { Run } from '../domain/runs.js';
import type { ValidationStats } from '../domain/stats.js';
import type { ValidationRecord } from '../domain/validations.js';

export type { ApprovalRequest, CatalogEntry, Comment, Contract, ContractVersion, Issue, Run, ValidationRecord, ValidationStats };

export type * from './types/paging.js';
export type * from './types/contracts.js';
export type * from './types/catalog.js';
export type * from './types/runs.js';
export type * from './types/validations.js';
export type * from './types/issues.js';
export type * from './types/comments.js';
export type * from './types/approvals.js';
export type * from './types/events.js';
export type * from './types/idempotency.js';
export type * from './types/backend.js';
