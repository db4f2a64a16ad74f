/**
 * The request body limit (GRIOT_MAX_REQUEST_BYTES): a body past it is refused with 413 REQUEST_ENTITY_TOO_LARGE
 * before anything parses it, and nothing is written. It replaces graphql-yoga's own `maxRequestBodySize` (set to
 * false in server.ts), with the same answers, because yoga pipes every body through a counting TransformStream, and
 * on a body of fixed length that stream is pure cost: a stream pipeline per request whose end aborts an
 * AbortController, which builds a DOMException with its stack (about 15% of the server's CPU for a contract read,
 * README "How it is built").
 *   - A Content-Length that is not one whole number is 400 BAD_REQUEST; one past the limit is 413 at once.
 *   - A body that came through Node's HTTP server with a Content-Length is exactly that long: Node's parser hands the
 *     handler that many bytes and no more (a request with both Content-Length and Transfer-Encoding is refused
 *     by the parser with 400). Such a body is read as it is.
 *   - Any other body (chunked, or given to `yoga.fetch` in process, whose Content-Length nobody checked) is counted
 *     while it is read, and reading stops with 413 at the first byte past the limit.
 */
import { IncomingMessage } from 'node:http';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const WHOLE_NUMBER = /^\d+$/;

function tooLarge(maxBytes: number): GraphQLError {
  return new GraphQLError('Request body too large', { extensions: { code: 'REQUEST_ENTITY_TOO_LARGE', maxBytes, http: { status: 413 } } });
}

function invalidLength(): GraphQLError {
  return new GraphQLError('Content-Length header is invalid.', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
}

/** The request with a body that errors with 413 once more than `maxBytes` bytes were read from it. */
function counted(request: Request, maxBytes: number, fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream }): Request {
  const body = request.body;
  if (!body) return request;
  // A native stream (a Request made by the caller) pipes only into a native TransformStream, the ponyfill's into its own.
  const Transform = body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let read = 0;
  const limited = body.pipeThrough(
    new Transform({
      transform(chunk: Uint8Array, controller) {
        read += chunk.byteLength;
        if (read > maxBytes) controller.error(tooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body: limited, duplex: 'half' } as RequestInit);
}

/** Registered after every plugin that adds a request parser, so that it wraps the parser that was chosen. */
export function requestBodyLimitPlugin(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, serverContext, requestParser, setRequestParser, fetchAPI }) {
      const declared = request.headers.get('content-length');
      if (declared != null) {
        if (!WHOLE_NUMBER.test(declared)) throw invalidLength();
        if (Number(declared) > maxBytes) throw tooLarge(maxBytes);
        // Node's HTTP parser delivered exactly `declared` bytes: nothing to count.
        if ((serverContext as { req?: unknown } | undefined)?.req instanceof IncomingMessage) return;
      }
      if (!requestParser || !request.body) return;
      const parse = requestParser;
      setRequestParser((req) => parse(counted(req, maxBytes, fetchAPI as never)));
    },
  };
}
