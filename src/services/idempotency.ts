/**
 * Idempotent writes: the protocol every mutation with an `idempotencyKey` follows (storage steps: the backend's
 * IdempotencyRepository; pure rules: domain/idempotency).
 *
 * 1. The key's id is the SHA-256 of (principal, mutation, key); the input's canonical hash is compared with the one
 *    stored with the key. A different input is an IdempotencyKeyReusedError; nothing is written.
 * 2. A new key is reserved (pending) together with the id its result will have (`resultId`), chosen before the write,
 *    and a lease. Only then is the write done, under that id; then the key is marked done.
 * 3. A retry of a done key reads the result by its id and returns it (nothing written).
 * 4. A retry of a pending key first looks for the result by its id: found, the write happened (the request that did it
 *    died before marking the key), and the key is completed and the result returned. Not found, and the lease is
 *    live: an identical request is still running; the retry waits for it (polling the key) up to `waitMs`, then
 *    answers IdempotencyKeyInProgressError. Not found and the lease is over: the request died before its write;
 *    exactly one retry takes the key over (the next attempt number) and does the write with the same result id
 *    (createContract: with a new one, recorded in the key first, since a create cut short may have left pieces
 *    under the old id).
 * 5. A write refused with a typed error (nothing written) releases the key, so a corrected retry runs again.
 *
 * Guarantee: for one (principal, mutation, key), at most one write happens while the key is retained, and every
 * answer given for it names that write's result — provided a request never outlives its lease (the lease is at least
 * the request time budget, checked in src/config.ts). A crash at any step leaves either no key, a pending key whose
 * result id is unused (taken over once its lease ends) or a pending/done key whose result exists (completed by the
 * next retry): never a key that blocks retries beyond its lease or points at a result that does not exist.
 */
import { randomUUID } from 'node:crypto';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError, NotFoundError, RegistryError, type ResourceType, ValidationError } from '../domain/errors.js';
import { canonicalHash, decideKey, type IdempotencyRecord, type IdempotentMutation, idempotencyKeyId, idempotencyKeyProblem } from '../domain/idempotency.js';
import type { IdempotencyRepository } from '../storage/types.js';

/** How often a retry looks at a pending key held by a live request. */
const POLL_MS = 25;

export interface IdempotentCall<T> {
  principal: string | null;
  mutation: IdempotentMutation;
  /** Null or absent: no key, the write just happens. */
  key: string | null | undefined;
  /** What is compared between the first request and its retries (without the key). */
  input: unknown;
  /** The resource the result is (for the NotFoundError of a result deleted since). */
  resource: ResourceType;
  /** updateContract: the contract the write token belongs to. */
  targetId?: string | null;
  /**
   * A take-over writes under a NEW result id (recorded in the key before the write) instead of the reserved one:
   * for writes that, cut short, can leave pieces under their id that a second write under it would trip over
   * (createContract: its version and name key are written before the contract).
   */
  freshIdOnTakeOver?: boolean;
  /** Does the write, under this result id (null without a key: the repository chooses). */
  execute(resultId: string | null): Promise<T>;
  /** The result written under this id, or null when there is none (yet). */
  find(resultId: string): Promise<T | null>;
}

export async function idempotent<T>(repo: IdempotencyRepository, call: IdempotentCall<T>): Promise<T> {
  if (call.key == null) return call.execute(null);
  const problem = idempotencyKeyProblem(call.key);
  if (problem) throw new ValidationError([problem]);
  const id = idempotencyKeyId(call.principal, call.mutation, call.key);
  const inputHash = canonicalHash(call.input);
  const waitUntil = Date.now() + repo.options.waitMs;
  for (;;) {
    const now = new Date();
    const decision = decideKey(await repo.get(id), inputHash, now);
    switch (decision.kind) {
      case 'reused':
        throw new IdempotencyKeyReusedError(call.mutation, call.key);
      case 'reserve': {
        const record = newRecord(id, call, inputHash, now, repo);
        if (await repo.reserve(record)) return perform(repo, record.id, 0, record.resultId, call);
        continue; // an identical request reserved it first: look again
      }
      case 'replay': {
        const result = await call.find(decision.resultId);
        if (result === null) throw new NotFoundError(call.resource, decision.resultId);
        return result;
      }
      case 'recover': {
        const result = await call.find(decision.resultId);
        if (result !== null) {
          await repo.complete(id);
          return result;
        }
        if (!decision.live) {
          const next = decision.attempt + 1;
          const resultId = call.freshIdOnTakeOver ? randomUUID() : decision.resultId;
          if (await repo.takeOver(id, next, new Date(now.getTime() + repo.options.leaseMs), resultId)) return perform(repo, id, next, resultId, call);
          continue;
        }
        if (Date.now() >= waitUntil) throw new IdempotencyKeyInProgressError(call.mutation, call.key, Math.max(POLL_MS, Math.min(repo.options.waitMs, 1000)));
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        continue;
      }
    }
  }
}

function newRecord(id: string, call: IdempotentCall<unknown>, inputHash: string, now: Date, repo: IdempotencyRepository): IdempotencyRecord {
  return {
    id,
    mutation: call.mutation,
    inputHash,
    resultId: randomUUID(),
    targetId: call.targetId ?? null,
    state: 'pending',
    attempt: 0,
    leaseUntil: new Date(now.getTime() + repo.options.leaseMs),
    createdAt: now,
    expiresAt: new Date(now.getTime() + repo.options.ttlMs),
  };
}

/** Step 2 (or a take-over's write): the write under the key's result id, then the key marked done. */
async function perform<T>(repo: IdempotencyRepository, id: string, attempt: number, resultId: string, call: IdempotentCall<T>): Promise<T> {
  let result: T;
  try {
    result = await call.execute(resultId);
  } catch (error) {
    // The write under this id may have happened after all (a take-over racing the request it took over).
    const found = await call.find(resultId).catch(() => null);
    if (found !== null) {
      await repo.complete(id);
      return found;
    }
    // A typed refusal wrote nothing: the key is given up so that a corrected retry runs. Anything else (the database
    // lost mid-write) leaves the key pending: the next retry finds out whether the write happened.
    if (error instanceof RegistryError) await repo.release(id, attempt);
    throw error;
  }
  await repo.complete(id);
  return result;
}
