/**
 * The time budget of a request and its cancellation. Each GraphQL execution gets one AbortSignal that fires when
 * the client disconnects (`request.signal`) or when the request's budget (GRIOT_REQUEST_TIMEOUT_MS, counted
 * from its arrival) is spent. The executor stops resolving fields once it fires, so nothing keeps loading for a
 * client that left; resolvers that wait on something else can read it as `info.signal`. The caller gets
 * `TIMEOUT` (HTTP 503) when the budget ran out; a client that left gets nothing.
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export function timeoutError(budgetMs: number): GraphQLError {
  return new GraphQLError(`The request took longer than its budget of ${budgetMs} ms and was stopped; nothing more runs for it`, {
    extensions: { code: 'TIMEOUT', budgetMs, http: { status: 503 } },
  });
}

function cancelledError(): GraphQLError {
  return new GraphQLError('The client closed the request; it was stopped', { extensions: { code: 'CANCELLED', http: { status: 499 } } });
}

export function requestBudgetPlugin(budgetMs: number): Plugin {
  const arrivals = new WeakMap<Request, number>();
  return {
    onRequest({ request }) {
      arrivals.set(request, performance.now());
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const request = (args.contextValue as { request?: Request }).request;
      const spent = request && arrivals.has(request) ? performance.now() - arrivals.get(request)! : 0;
      const budget = AbortSignal.timeout(Math.max(1, Math.round(budgetMs - spent)));
      const signal = request?.signal ? AbortSignal.any([request.signal, budget]) : budget;
      // What an execution cut short returns (or throws) is replaced: the budget's error, or for a client that left
      // a plain "cancelled" (nobody reads it, and it is not an unexpected error to report).
      const stopped = () => (budget.aborted ? { errors: [timeoutError(budgetMs)] } : signal.aborted ? { errors: [cancelledError()] } : null);
      setExecuteFn(async (executionArgs) => {
        try {
          const result = await executeFn({ ...executionArgs, signal } as typeof executionArgs);
          // A result that completed stands, even when the budget ran out right after.
          return ('errors' in result && (result as { errors?: unknown[] }).errors?.length ? stopped() : null) ?? result;
        } catch (error) {
          const instead = stopped();
          if (instead) return instead;
          throw error;
        }
      });
    },
  };
}
