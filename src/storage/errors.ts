/**
 * Failures of the storage itself (not of the caller's input): the database cannot be reached, did not answer
 * within its limit, or a write could not get its turn. The API reports them as `UNAVAILABLE` (retry later), never
 * as an internal error. Whether the write happened may be unknown: retry with the same idempotency key.
 */
export class StorageUnavailableError extends Error {
  readonly code = 'UNAVAILABLE';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(`The database is unavailable: ${reason}`, options);
    this.name = 'StorageUnavailableError';
  }
}

export function isStorageUnavailable(error: unknown): error is StorageUnavailableError {
  return error instanceof StorageUnavailableError;
}
