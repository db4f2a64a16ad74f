/**
 * Makes the request's stop signal (budget.ts) reach the work. Registered once per process (installStopHooks):
 *   - `stopPoint()` (src/domain/cancellation.ts), called by long loops, throws the request's TIMEOUT or CANCELLED
 *     error once it was stopped;
 *   - `readSignal()` gives MongoDB reads of a query the signal, so that a read in flight is aborted
 *     (src/storage/mongodb/cancellation.ts); mutations get none, so a write under way is never cut between steps;
 *   - cancellableStorage: no storage call starts for a request that was stopped (both backends).
 * Outside a request (start-up, background work) nothing stops.
 */
import { setStopHooks, stopPoint } from '../domain/cancellation.js';
import { currentRequest } from '../observability/request-scope.js';
import type { StorageBackend } from '../storage/types.js';
import { stopErrorOf } from './budget.js';

export function installStopHooks(): void {
  setStopHooks({
    check() {
      const stop = currentRequest()?.stop;
      const error = stop ? stopErrorOf(stop) : null;
      if (error) throw error;
    },
    readSignal() {
      const request = currentRequest();
      return request?.stop && request.operationType === 'query' ? request.stop.signal : undefined;
    },
  });
}

/** Properties of a backend that are not repositories (left as they are). */
const NOT_REPOSITORIES = new Set(['client', 'db', 'capabilities']);

function guarded<T extends object>(repository: T): T {
  const methods = new Map<PropertyKey, unknown>();
  return new Proxy(repository, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== 'function' || key === 'constructor') return value;
      let method = methods.get(key);
      if (!method) {
        method = (...args: unknown[]) => {
          try {
            stopPoint();
          } catch (error) {
            return Promise.reject(error);
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
        methods.set(key, method);
      }
      return method;
    },
  });
}

/** The backend whose repositories refuse to start a call for a request that was stopped. */
export function cancellableStorage(storage: StorageBackend): StorageBackend {
  const repositories = new Map<PropertyKey, unknown>();
  return new Proxy(storage, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (!value || typeof value !== 'object' || (typeof key === 'string' && NOT_REPOSITORIES.has(key))) return value;
      let repository = repositories.get(key);
      if (!repository) {
        repository = guarded(value as object);
        repositories.set(key, repository);
      }
      return repository;
    },
  });
}
