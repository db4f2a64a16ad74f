/**
 * Subscriptions over HTTP: the GraphQL over Server-Sent Events protocol (graphql-sse) on `/graphql/stream`, through
 * @graphql-yoga/plugin-graphql-sse, next to yoga's own SSE on `/graphql` (`accept: text/event-stream`). Both run
 * the same schema, context, authentication and limits as queries.
 *
 * Heartbeats: every event stream (either route) gets an SSE comment line (`: heartbeat`) every
 * GRIOT_SUBSCRIPTION_HEARTBEAT_MS, written between whole messages, so proxies keep the connection and clients can
 * tell a quiet feed from a dead one.
 */
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import type { Plugin } from 'graphql-yoga';

export const STREAM_ENDPOINT = '/graphql/stream';

export function liveTransportPlugins(options: { heartbeatMs: number }): Plugin[] {
  return [refusalAsResult(), useGraphQLSSE({ endpoint: STREAM_ENDPOINT }), heartbeatPlugin(options.heartbeatMs)];
}

/**
 * A subscription refused at its start (a cap, a scope, a bad argument) is a result with `errors` and no `data`;
 * graphql-sse only takes a result with a `data` key for one, so it gets `data: null` and goes out as a `next`
 * event with the typed errors, then `complete`.
 */
function refusalAsResult(): Plugin {
  return {
    onSubscribe() {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in result) && !('data' in result)) setResult({ ...result, data: null });
        },
      };
    },
  };
}

function heartbeatPlugin(intervalMs: number): Plugin {
  return {
    onResponse({ response, setResponse, fetchAPI }) {
      if (!response.body || !response.headers.get('content-type')?.startsWith('text/event-stream')) return;
      const reader = response.body.getReader();
      const beat = new TextEncoder().encode(': heartbeat\n\n');
      let timer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = () => {
        done = true;
        clearInterval(timer);
      };
      const body = new fetchAPI.ReadableStream<Uint8Array>({
        start(controller) {
          timer = setInterval(() => {
            if (!done) controller.enqueue(beat);
          }, intervalMs);
          timer.unref?.();
        },
        async pull(controller) {
          try {
            const { value, done: ended } = await reader.read();
            if (ended) {
              finish();
              controller.close();
              return;
            }
            controller.enqueue(typeof value === 'string' ? new TextEncoder().encode(value) : value);
          } catch (error) {
            finish();
            controller.error(error);
          }
        },
        async cancel(reason) {
          finish();
          await reader.cancel(reason);
        },
      });
      setResponse(new fetchAPI.Response(body, { status: response.status, statusText: response.statusText, headers: response.headers }));
    },
  };
}
