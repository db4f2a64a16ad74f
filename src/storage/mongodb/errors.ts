/** Recognizing the driver errors that are expected cases (and so become domain errors, never escape raw). */
import {
  MongoBulkWriteError,
  MongoError,
  MongoNetworkError,
  MongoNetworkTimeoutError,
  MongoNotConnectedError,
  MongoOperationTimeoutError,
  MongoServerError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
  MongoWriteConcernError,
} from 'mongodb';

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

const NETWORK_MESSAGE = /connection .* (closed|timed out)|ECONNRESET|ECONNREFUSED|socket hang up|timed out/i;

/** Server error codes that mean "not now": a time limit ran out, or the server is stepping down or shutting down. */
const UNAVAILABLE_CODES = new Set([
  50, // MaxTimeMSExpired
  89, // NetworkTimeout
  91, // ShutdownInProgress
  189, // PrimarySteppedDown
  262, // ExceededTimeLimit
  10107, // NotWritablePrimary
  11600, // InterruptedAtShutdown
  11602, // InterruptedDueToReplStateChange
  13435, // NotPrimaryNoSecondaryOk
  13436, // NotPrimaryOrSecondary
]);

/**
 * The database could not be reached or did not answer in time (no server to select, connection lost or timed out,
 * time limit exceeded, server shutting down): the API's UNAVAILABLE, never an internal error.
 */
export function isUnavailableError(error: unknown): boolean {
  if (error instanceof MongoServerSelectionError || error instanceof MongoNetworkError || error instanceof MongoTopologyClosedError) return true;
  if (error instanceof MongoNotConnectedError || error instanceof MongoOperationTimeoutError) return true;
  if (error instanceof MongoBulkWriteError) {
    if (error.err) return isUnavailableError(error.err);
    // A driver error under a bulk write (the driver copies its message and labels, not its class).
    if (writeErrorsOf(error).length > 0 || error.code !== undefined) return false;
    return ['ResetPool', 'RetryableWriteError', 'NoWritesPerformed'].some((l) => error.hasErrorLabel(l)) || NETWORK_MESSAGE.test(error.message);
  }
  if (error instanceof MongoServerError) return UNAVAILABLE_CODES.has(Number(error.code)) || error.codeName === 'MaxTimeMSExpired';
  // Connection-pool errors the driver does not export: no connection free in time, or the pool closed.
  return error instanceof Error && /^(Mongo)?(WaitQueueTimeout|PoolClosed|PoolCleared)Error$/.test(error.name);
}

/**
 * Whether the command that failed with `error` may have been applied: its answer was lost after it was sent (a time
 * limit ran out, the connection broke under it, the driver interrupted it), or the server applied it and reported
 * only a write concern failure. Not: a refusal by the server (any other server error), and errors before anything
 * was sent (no server selected, no connection free or opened, a failed handshake, a pool cleared before checkout,
 * the registry's own errors). A write then leaves in place what that command points at (a new version, a name key,
 * an approval request, a record's issues) instead of undoing it: left over, each is harmless and cleaned up later.
 */
export function answerLost(error: unknown): boolean {
  if (error instanceof MongoWriteConcernError || error instanceof MongoOperationTimeoutError) return true;
  if (error instanceof MongoNetworkError) return !notSent(error);
  if (error instanceof MongoBulkWriteError) {
    // A write concern failure (applied): the driver keeps it in the result (or, in older drivers, in `err`).
    if (error.err || error.result?.getWriteConcernError()) return true;
    const inner = driverErrorUnder(error);
    return inner !== null && answerLost(inner);
  }
  return false;
}

/**
 * Whether the command that failed with `error` may still be applied LATER, after the writer gave up on it: the
 * driver stopped waiting for its answer (a socket or operation time limit ran out, or the driver's monitor timed out
 * and interrupted it); it then closes that connection, and a server that is slow, not gone, still reads a command it
 * was sent and runs it when it gets to it. A connection broken by the other side is not: its server has run the
 * command, is running it (done within that command's run time), or never will (a reset drops what it had not read).
 * A writer holding a claim then keeps it until its lease ends (claims.ts keepUntilLeaseEnds), so that no other writer
 * of that revision goes on while the command may land.
 */
export function mayLandLater(error: unknown): boolean {
  if (error instanceof MongoOperationTimeoutError) return true;
  if (error instanceof MongoNetworkError) {
    if (notSent(error)) return false;
    return error instanceof MongoNetworkTimeoutError || error.name === 'PoolClearedOnNetworkError';
  }
  if (error instanceof MongoBulkWriteError) {
    const inner = driverErrorUnder(error);
    return inner !== null && mayLandLater(inner);
  }
  return false;
}

/**
 * A network error raised before the command was written to a connection: opening one failed (the pool marks those
 * with the connection's generation; the driver labels socket and handshake failures), or the pool was cleared while
 * the operation waited for one (its subclass PoolClearedOnNetworkError interrupts commands in flight instead).
 */
function notSent(error: MongoNetworkError): boolean {
  if ((error as { beforeHandshake?: boolean }).beforeHandshake === true) return true;
  if (error.hasErrorLabel('HandshakeError') || error.hasErrorLabel('SystemOverloadedError')) return true;
  if ((error as { connectionGeneration?: unknown }).connectionGeneration !== undefined) return true;
  return error.name === 'MongoPoolClearedError';
}

/** The driver error a bulk write failed with (the driver wraps it, keeping the instance as `errorResponse`), or null
 *  when the server answered (a write error, a refusal). */
function driverErrorUnder(error: MongoBulkWriteError): MongoError | null {
  const inner = (error as { errorResponse?: unknown }).errorResponse;
  return inner instanceof MongoError && !(inner instanceof MongoServerError) ? inner : null;
}
