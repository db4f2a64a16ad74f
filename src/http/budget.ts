/**
 * The time budget of a request and its cancellation. Each request gets one AbortSignal, made when it arrives, that
 * fires when the client disconnects (`request.signal`) or when the request's budget (GRIOT_REQUEST_TIMEOUT_MS) is
 * spent. It is kept in the request scope (src/observability/request-scope.ts), where the work reads it
 * (cancellation.ts): the executor stops resolving fields, no storage call starts, reads in flight on MongoDB are
 * aborted, and long loops stop at their next item. The caller gets `TIMEOUT` (HTTP 503) when the budget ran out;
 * a client that left gets nothing.
 */
import { setMaxListeners } from 'node:events';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { currentRequest, type RequestStop } from '../observability/request-scope.js';

export function timeoutError(budgetMs: number): GraphQLError {
  return new GraphQLError(`The request took longer than its budget of ${budgetMs} ms and was stopped; nothing more runs for it`, {
    extensions: { code: 'TIMEOUT', budgetMs, http: { status: 503 } },
  });
}

export function cancelledError(): GraphQLError {
  return new GraphQLError('The client closed the request; it was stopped', { extensions: { code: 'CANCELLED', http: { status: 499 } } });
}

/** The error that ends work whose request was stopped, or null while it runs. */
export function stopErrorOf(stop: RequestStop): GraphQLError | null {
  if (performance.now() >= stop.deadline || (stop.signal.reason as { name?: string } | undefined)?.name === 'TimeoutError') return timeoutError(stop.budgetMs);
  return stop.signal.aborted ? cancelledError() : null;
}

export function requestBudgetPlugin(budgetMs: number): Plugin {
  const stops = new WeakMap<Request, RequestStop>();
  return {
    onRequest({ request }) {
      const budget = AbortSignal.timeout(budgetMs);
      const signal = request.signal ? AbortSignal.any([request.signal, budget]) : budget;
      // Every read of the request listens to it (the MongoDB driver): not a leak.
      setMaxListeners(0, signal);
      const stop: RequestStop = { signal, deadline: performance.now() + budgetMs, budgetMs };
      stops.set(request, stop);
      const scope = currentRequest();
      if (scope) scope.stop = stop;
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      const stop = request ? stops.get(request) : undefined;
      if (!stop) return;
      // What an execution cut short returns (or throws) is replaced: the budget's error, or for a client that left
      // a plain "cancelled" (nobody reads it, and it is not an unexpected error to report).
      const stopped = () => stopErrorOf(stop);
      setExecuteFn(async (executionArgs) => {
        try {
          const result = await executeFn({ ...executionArgs, signal: stop.signal } as typeof executionArgs);
          // A result that completed stands, even when the budget ran out right after.
          const failed = 'errors' in result && (result as { errors?: unknown[] }).errors?.length;
          const instead = failed ? stopped() : null;
          return instead ? { errors: [instead] } : result;
        } catch (error) {
          const instead = stopped();
          if (instead) return { errors: [instead] };
          throw error;
        }
      });
    },
  };
}
