/**
 * Subscriptions in tests: a graphql-sse client (the protocol GraphiQL and the README use) over the yoga server's
 * in-process fetch, on `/graphql/stream`, with the typed documents of test/gql. `next()` waits (bounded) for the
 * next result; `end()` closes the stream like a client that goes away.
 */
import { createClient } from 'graphql-sse';
import type { RegistryServer } from '../../src/server.js';
import type { TypedDocumentString } from '../gql/graphql.js';
import type { GraphQLResponse } from './client.js';

export interface Subscription<R> {
  /** The next result of the stream (data or errors); fails after `ms` without one, or when the stream completed. */
  next(ms?: number): Promise<GraphQLResponse<R>>;
  /** Results that arrive within `ms` (e.g. to show nothing else came). */
  drain(ms: number): Promise<GraphQLResponse<R>[]>;
  /** Resolves once the server completed the stream (its `complete` event). */
  completed(ms?: number): Promise<void>;
  /** Closes the stream from the client side. */
  end(): Promise<void>;
}

export function subscribe<R, V>(
  yoga: RegistryServer,
  headers: Record<string, string>,
  document: TypedDocumentString<R, V>,
  variables?: V,
): Subscription<R> {
  const client = createClient({
    url: 'http://registry.test/graphql/stream',
    headers,
    retryAttempts: 0,
    fetchFn: (input: RequestInfo | URL, init?: RequestInit) => yoga.fetch(input as URL, init ?? {}),
  });
  const iterator = client.iterate({ query: document.toString(), variables: (variables ?? {}) as Record<string, unknown> });
  const buffered: GraphQLResponse<R>[] = [];
  const waiters: (() => void)[] = [];
  let done = false;
  let failure: unknown = null;
  void (async () => {
    try {
      for await (const result of iterator) {
        buffered.push(result as GraphQLResponse<R>);
        waiters.splice(0).forEach((w) => w());
      }
    } catch (error) {
      failure = error;
    } finally {
      done = true;
      waiters.splice(0).forEach((w) => w());
    }
  })();
  const wait = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  return {
    async next(ms = 10_000) {
      const deadline = Date.now() + ms;
      while (buffered.length === 0) {
        if (done) throw new Error(`the stream ended without another result${failure ? `: ${String(failure)}` : ''}`);
        const left = deadline - Date.now();
        if (left <= 0 || !(await wait(left))) {
          if (buffered.length) break;
          throw new Error(`no result within ${ms} ms`);
        }
      }
      return buffered.shift()!;
    },
    async drain(ms) {
      const deadline = Date.now() + ms;
      while (!done && Date.now() < deadline) await wait(deadline - Date.now());
      return buffered.splice(0);
    },
    async completed(ms = 10_000) {
      const deadline = Date.now() + ms;
      while (!done) {
        const left = deadline - Date.now();
        if (left <= 0 || !(await wait(left))) if (!done) throw new Error(`the stream did not complete within ${ms} ms`);
      }
    },
    async end() {
      await iterator.return?.();
    },
  };
}
