/** Idempotency keys in memory (the protocol is in src/services/idempotency.ts). Expired keys count as absent. */
import { DEFAULT_IDEMPOTENCY_OPTIONS, type IdempotencyOptions, type IdempotencyRecord } from '../../domain/idempotency.js';
import type { IdempotencyRepository } from '../types.js';
import { copy, type MemoryState } from './state.js';

export class MemoryIdempotencyRepository implements IdempotencyRepository {
  constructor(
    private readonly state: MemoryState,
    readonly options: IdempotencyOptions = DEFAULT_IDEMPOTENCY_OPTIONS,
  ) {}

  private live(id: string): IdempotencyRecord | null {
    const found = this.state.idempotencyRecords.get(id);
    if (!found) return null;
    if (found.expiresAt.getTime() <= Date.now()) {
      this.state.idempotencyRecords.delete(id);
      return null;
    }
    return found;
  }

  async get(id: string): Promise<IdempotencyRecord | null> {
    const found = this.live(id);
    return found ? copy(found) : null;
  }

  async reserve(record: IdempotencyRecord): Promise<boolean> {
    if (this.live(record.id)) return false;
    this.state.idempotencyRecords.set(record.id, copy(record));
    return true;
  }

  async takeOver(id: string, attempt: number, leaseUntil: Date, resultId: string): Promise<boolean> {
    const found = this.live(id);
    if (!found || found.state !== 'pending' || found.attempt !== attempt - 1) return false;
    found.attempt = attempt;
    found.leaseUntil = new Date(leaseUntil);
    found.resultId = resultId;
    return true;
  }

  async complete(id: string): Promise<void> {
    const found = this.live(id);
    if (found) found.state = 'done';
  }

  async release(id: string, attempt: number): Promise<void> {
    const found = this.live(id);
    if (found && found.state === 'pending' && found.attempt === attempt) this.state.idempotencyRecords.delete(id);
  }

  async contractVersionWritten(contractId: string, writeToken: string): Promise<boolean> {
    const versionId = this.state.writeTokens.get(writeToken);
    const contract = this.state.contracts.get(contractId);
    if (!versionId || !contract) return false;
    return (this.state.versions.get(contractId) ?? []).some((v) => v.id === versionId && v.number <= contract.versionCount);
  }
}
