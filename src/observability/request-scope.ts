/**
 * What the server knows about the request being handled, reachable from anywhere in its async call chain
 * (AsyncLocalStorage): its id for every log line, the database commands it sent, and what the GraphQL layer
 * learnt about it (operation, principal, error codes) for the line logged when it ends.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type RequestResult = 'ok' | 'user_error' | 'internal_error';

export interface RequestScope {
  readonly id: string;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  clientAddress: string | null;
  operationName: string | null;
  operationType: string | null;
  principal: string | null;
  authMethod: string | null;
  /** Database commands sent while handling this request (the MongoDB driver's command monitoring). */
  dbCommands: number;
  /** The `extensions.code` of every error in the response, in order. */
  errorCodes: string[];
  /** The code of every typed error a mutation returned in its payload (payload-errors.ts). */
  payloadErrors: string[];
  /** Where DataLoader batch sizes go (set by the metrics plugin; batches.ts). */
  batches?: (loader: string, size: number) => void;
  /** When the work for this request stops (src/http/budget.ts, src/http/cancellation.ts). */
  stop?: RequestStop;
}

export interface RequestStop {
  /** Fires when the client disconnects or the budget is spent. */
  signal: AbortSignal;
  /** performance.now() at which the budget is spent (checked in synchronous loops, where no timer can fire). */
  deadline: number;
  budgetMs: number;
}

const scopes = new AsyncLocalStorage<RequestScope>();

export function newRequestScope(id: string): RequestScope {
  return {
    id,
    startedAt: performance.now(),
    clientAddress: null,
    operationName: null,
    operationType: null,
    principal: null,
    authMethod: null,
    dbCommands: 0,
    errorCodes: [],
    payloadErrors: [],
  };
}

/** Runs `fn` (and everything it starts) as part of the request `scope`. */
export function runInRequestScope<T>(scope: RequestScope, fn: () => T): T {
  return scopes.run(scope, fn);
}

/** The request being handled, or undefined outside any request (start-up, background work). */
export function currentRequest(): RequestScope | undefined {
  return scopes.getStore();
}

/**
 * ok, user error (a 4xx, any error the caller can act on, or a typed error in a mutation's payload) or internal
 * error (a 5xx or a masked error).
 */
export function resultOf(status: number, errorCodes: readonly string[], payloadErrors: readonly string[] = []): RequestResult {
  if (status >= 500 || errorCodes.includes('INTERNAL_SERVER_ERROR')) return 'internal_error';
  if (status >= 400 || errorCodes.length > 0 || payloadErrors.length > 0) return 'user_error';
  return 'ok';
}

/** `{ requestId }` for the `extensions` of an internal error, so that a user can quote it; {} outside a request. */
export function requestIdExtension(): { requestId?: string } {
  const request = currentRequest();
  return request ? { requestId: request.id } : {};
}
