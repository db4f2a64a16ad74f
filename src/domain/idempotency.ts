/**
 * Idempotency keys (pure): which mutations take one, how a key is scoped and stored, and how an input is compared.
 *
 * - A key is scoped per principal and per mutation: the stored id is the SHA-256 of the three (as JSON), so it is
 *   NUL-free whatever the key holds (PostgreSQL refuses NUL in text) and is found by an `_id` point read.
 * - The input is compared by a canonical hash: JSON with object keys sorted and null/absent fields dropped (an
 *   optional field left out and one sent as null mean the same), arrays kept in order.
 */
import { createHash } from 'node:crypto';
import type { ValidationIssue } from './errors.js';

export const IDEMPOTENT_MUTATIONS = ['createContract', 'updateContract', 'startRun', 'createIssue', 'addComment'] as const;
export type IdempotentMutation = (typeof IDEMPOTENT_MUTATIONS)[number];

/** The longest idempotency key accepted (as for recordValidation). */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/** The GraphQL path of the key in every mutation input. */
export const IDEMPOTENCY_KEY_PATH = 'input.idempotencyKey';

/**
 * A stored key. `pending` from the moment the key is reserved until the write it guards is done; `resultId` is chosen
 * before the write and is the id the write uses (the created thing's id; for updateContract, the write token stored
 * on the version it writes), so a retry can always tell whether the write happened.
 */
export interface IdempotencyRecord {
  /** idempotencyKeyId(principal, mutation, key). */
  id: string;
  mutation: IdempotentMutation;
  /** canonicalHash of the input (without the key). */
  inputHash: string;
  resultId: string;
  /** For updateContract: the contract the write token belongs to; null otherwise. */
  targetId: string | null;
  state: 'pending' | 'done';
  /** 0 for the request that reserved the key; each take-over of a dead request's pending key adds 1. */
  attempt: number;
  /** Until then, a pending key belongs to the request holding `attempt`; afterwards a retry may take it over. */
  leaseUntil: Date;
  createdAt: Date;
  /** When the key is forgotten (retention); an expired key is treated as absent. */
  expiresAt: Date;
}

export interface IdempotencyOptions {
  /** How long a key is kept after it was reserved. */
  ttlMs: number;
  /** How long a pending key belongs to the request that holds it (at least the request time budget). */
  leaseMs: number;
  /** How long a retry waits for a pending key held by a live request before answering IN_PROGRESS. */
  waitMs: number;
}

export const DEFAULT_IDEMPOTENCY_OPTIONS: IdempotencyOptions = { ttlMs: 24 * 3600_000, leaseMs: 60_000, waitMs: 2_000 };

export function idempotencyKeyId(principal: string | null, mutation: IdempotentMutation, key: string): string {
  return createHash('sha256').update(JSON.stringify([principal, mutation, key])).digest('hex');
}

/** The problem with a key, or null when it is acceptable. */
export function idempotencyKeyProblem(key: string): ValidationIssue | null {
  if (key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    return { path: IDEMPOTENCY_KEY_PATH, message: `must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`, code: 'invalid_value' };
  }
  return null;
}

/** JSON text of `value` with object keys sorted and null/undefined members dropped; Dates as ISO strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(canonical(value));
}

function canonical(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : canonical(v)));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== null && member !== undefined) out[key] = canonical(member);
    }
    return out;
  }
  return value;
}

/** SHA-256 (hex) of the canonical JSON of `value`: equal for inputs that differ only in key order or absent fields. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** What a retry finds: a key to reserve, a first result to replay, a live request to wait for, or a dead one to take over. */
export type KeyDecision =
  | { kind: 'reserve' }
  | { kind: 'reused' }
  | { kind: 'replay'; resultId: string }
  | { kind: 'recover'; resultId: string; attempt: number; live: boolean };

/** Decides what a request does with the key it found (null: none, or expired). */
export function decideKey(found: IdempotencyRecord | null, inputHash: string, now: Date): KeyDecision {
  if (found === null || found.expiresAt.getTime() <= now.getTime()) return { kind: 'reserve' };
  if (found.inputHash !== inputHash) return { kind: 'reused' };
  if (found.state === 'done') return { kind: 'replay', resultId: found.resultId };
  return { kind: 'recover', resultId: found.resultId, attempt: found.attempt, live: found.leaseUntil.getTime() > now.getTime() };
}
