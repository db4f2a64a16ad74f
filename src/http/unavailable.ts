/**
 * A database that cannot be reached or does not answer in time is the storage's failure, not the server's: the
 * caller gets a typed `UNAVAILABLE` error with HTTP status 503 (retry later), logged as a warning, never
 * INTERNAL_SERVER_ERROR.
 */
import { GraphQLError } from 'graphql';
import { StorageUnavailableError } from '../storage/errors.js';
import type { StorageBackend } from '../storage/types.js';

export const UNAVAILABLE_MESSAGE = 'The database is unavailable or did not answer in time; retry later.';

/** The GraphQL error for `original` when it means the storage is unavailable, else null. */
export function unavailableError(storage: StorageBackend, error: unknown, original: unknown): GraphQLError | null {
  if (!(original instanceof StorageUnavailableError) && !storage.isUnavailable?.(original)) return null;
  const path = error instanceof GraphQLError ? error.path : undefined;
  return new GraphQLError(UNAVAILABLE_MESSAGE, { path, extensions: { code: 'UNAVAILABLE', http: { status: 503 } } });
}
