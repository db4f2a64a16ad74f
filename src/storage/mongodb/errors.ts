/** Recognizing the driver errors that are expected cases (and so become domain errors, never escape raw). */
import { MongoBulkWriteError, MongoServerError } from 'mongodb';

export const DUPLICATE_KEY = 11000;

/**
 * FerretDB 1.x reports a unique index refusing an UPDATE (not an insert) as an InternalError (code 1) carrying its
 * storage engine's message (SQLite: `UNIQUE constraint failed`; PostgreSQL: `duplicate key value violates unique
 * constraint`) instead of E11000.
 */
const FERRETDB_UNIQUE_VIOLATION = /UNIQUE constraint failed|duplicate key value violates unique constraint/;

/** A unique index refused a write (E11000), on MongoDB or on a MongoDB-wire server such as FerretDB. */
export function isDuplicateKeyError(error: unknown): boolean {
  if (error instanceof MongoBulkWriteError) {
    if (error.err) return false;
    const errors = writeErrorsOf(error);
    return errors.length > 0 && errors.every((e) => e.code === DUPLICATE_KEY);
  }
  if (!(error instanceof MongoServerError)) return false;
  return error.code === DUPLICATE_KEY || (error.code === 1 && FERRETDB_UNIQUE_VIOLATION.test(error.message));
}

export function writeErrorsOf(error: MongoBulkWriteError): { code: number; index: number }[] {
  const w = error.writeErrors as unknown;
  const list = Array.isArray(w) ? w : w ? [w] : [];
  return list.map((e: { code?: unknown; index?: unknown }) => ({
    code: typeof e.code === 'number' ? e.code : -1,
    index: typeof e.index === 'number' ? e.index : -1,
  }));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
