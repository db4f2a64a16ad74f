/**
 * The IdempotencyRepository: the storage steps of idempotency keys (src/services/idempotency.ts holds the protocol).
 */
import type { IdempotencyOptions, IdempotencyRecord } from '../../domain/idempotency.js';

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
