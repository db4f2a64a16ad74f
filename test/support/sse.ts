/**
 * Subscriptions in tests: a graphql-sse client (the protocol GraphiQL and the README use) over the yoga server's
 * in-process fetch, on `/graphql/stream`, with the typed documents of test/gql. `next()` waits (bounded) for the
 * next result; `end()` closes the stream like a client that goes away; `started()` resolves once the server has
 * answered the stream's request, which it does (graphql-sse, distinct connections) only after the subscription's
 * resolver has read the log's head and registered with the hub: from then on every append reaches the stream.
 */
import { createClient } from 'graphql-sse';
import type { RegistryServer } from '../../src/server.js';
import type { TypedDocumentString } from '../gql/graphql.js';
import type { GraphQLResponse } from './client.js';

export interface Subscription<R> {
  /**
   * Resolves once the server answered the stream's request: the subscription is live (every event appended from
   * now on reaches it) or was refused. Fails after `ms`.
   */
  started(ms?: number): Promise<void>;
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
  let answered = false;
  const onAnswer = new Set<() => void>();
  const client = createClient({
    url: 'http://registry.test/graphql/stream',
    headers,
    retryAttempts: 0,
    fetchFn: async (input: RequestInfo | URL, init?: RequestInit) => {
      try {
        return await yoga.fetch(input as URL, init ?? {});
      } finally {
        answered = true;
        onAnswer.forEach((w) => w());
      }
    },
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
    started(ms = 10_000) {
      return new Promise<void>((resolve, reject) => {
        if (answered) return resolve();
        const timer = setTimeout(() => {
          onAnswer.delete(wake);
          reject(new Error(`the server did not answer the subscription within ${ms} ms`));
        }, ms);
        const wake = () => {
          clearTimeout(timer);
          onAnswer.delete(wake);
          resolve();
        };
        onAnswer.add(wake);
      });
    },
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
