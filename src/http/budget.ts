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
  const timers = new WeakMap<Request, NodeJS.Timeout>();
  return {
    onRequest({ request }) {
      // One controller per request, aborted by its budget's timer or when its client leaves. Not
      // AbortSignal.any([request.signal, AbortSignal.timeout(budget)]): on Node 20 that composite signal, and a
      // timer that outlived the request by the whole budget, cost about 12% of a contract read's CPU (README "How it
      // is built"). The timer is cleared once the answer is ready (onResponse).
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new DOMException(`The request's budget of ${budgetMs} ms ran out`, 'TimeoutError')), budgetMs);
      timer.unref();
      timers.set(request, timer);
      const client = request.signal;
      if (client?.aborted) controller.abort(client.reason);
      else client?.addEventListener('abort', () => controller.abort(client.reason), { once: true });
      const signal = controller.signal;
      // Every read of the request listens to it (the MongoDB driver): not a leak.
      setMaxListeners(0, signal);
      const stop: RequestStop = { signal, deadline: performance.now() + budgetMs, budgetMs };
      stops.set(request, stop);
      const scope = currentRequest();
      if (scope) scope.stop = stop;
    },
    // The answer is ready: nothing of this request runs on (a subscription's stream is not under the budget).
    onResponse({ request }) {
      clearTimeout(timers.get(request));
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
