/**
 * The HTTP server and its graceful shutdown. `shutdown()` goes, in order:
 *  1. stop listening (new connections are refused) and answer every new request on an open keep-alive connection
 *     with a 503 UNAVAILABLE saying it was not run (`/ready` is 503 from then on);
 *  2. let in-flight requests finish, for at most `graceMs`; their responses close their connection;
 *  3. keep the idle keep-alive connections open for `lingerMs`, so that a request a client had already sent on one
 *     is answered 503 "not run" (closing that connection) instead of being reset by the close (HTTP/1.1's keep-alive
 *     race); once every connection has closed, or the linger ran out, close what is left (when the grace ran out,
 *     every connection is closed at once).
 * The caller closes storage afterwards, so no request ever runs against closed storage.
 */
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import { Server as NetServer } from 'node:net';

export interface GracefulServer {
  server: Server;
  draining(): boolean;
  /** Resolves once no request is running; `cut` counts requests still running when the grace period ended. */
  shutdown(): Promise<{ cut: number }>;
}

export interface ShutdownOptions {
  /** In-flight requests get this long to finish (GRIOT_SHUTDOWN_GRACE_MS). */
  graceMs: number;
  /** Idle keep-alive connections stay open this long after the drain (GRIOT_SHUTDOWN_LINGER_MS). */
  lingerMs: number;
}

export function createGracefulServer(handler: RequestListener, options: ShutdownOptions): GracefulServer {
  const running = new Set<ServerResponse>();
  let draining = false;
  let settle: (() => void) | null = null;

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    if (draining) return refuse(request, response);
    running.add(response);
    response.once('close', () => {
      running.delete(response);
      if (running.size === 0) settle?.();
    });
    handler(request, response);
  });

  async function shutdown(): Promise<{ cut: number }> {
    if (draining) throw new Error('already shutting down');
    draining = true;
    // http.Server#close would also drop idle keep-alive connections right now, racing clients that are about to send
    // on them; closing only the listener refuses new connections and keeps those until step 3.
    const listenerClosed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
    for (const response of running) if (!response.headersSent) response.setHeader('connection', 'close');
    if (running.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.graceMs);
        settle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const cut = running.size;
    if (cut > 0) server.closeAllConnections();
    // The listener's close completes once every connection has closed: a client that sends on its idle connection
    // meanwhile is refused (503, connection: close), one that sends nothing is closed when the linger ends.
    const done = await Promise.race([listenerClosed.then(() => true), delay(options.lingerMs).then(() => false)]);
    if (!done) {
      server.closeIdleConnections();
      server.closeAllConnections();
      await listenerClosed;
    }
    return { cut };
  }

  return { server, draining: () => draining, shutdown };
}

function refuse(request: IncomingMessage, response: ServerResponse): void {
  const ready = request.url === '/ready' || request.url?.startsWith('/ready?');
  const body = ready
    ? { status: 'shutting_down' }
    : { errors: [{ message: 'The server is shutting down; this request was not run. Send it again.', extensions: { code: 'UNAVAILABLE' } }] };
  // Read (and drop) the request body before answering, so the client is not cut off mid-send.
  request.resume();
  request.once('end', () => {
    response.writeHead(503, { 'content-type': 'application/json', connection: 'close', 'retry-after': '1' });
    response.end(JSON.stringify(body));
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
