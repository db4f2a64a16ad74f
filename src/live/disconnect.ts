/**
 * The signal that ends a subscription when its client goes away. The request's own signal is not enough on Node:
 * @whatwg-node/server gives the request a stand-in signal that, once anything derives a signal from it
 * (`AbortSignal.any`, as the request budget does), aborts only the derived ones, so a listener on the request's
 * signal itself never hears the disconnect and the subscriber kept its place under the caps until a later write to
 * the closed connection failed. So the subscription follows a signal derived from the request's, and, where the
 * server is Node's, the response's `close` (the connection closed, or the response ended: either way nothing more
 * can be sent).
 */

interface NodeResponseLike {
  once(event: 'close', listener: () => void): unknown;
  readonly closed?: boolean;
  readonly destroyed?: boolean;
}

function isNodeResponse(value: unknown): value is NodeResponseLike {
  return typeof value === 'object' && value !== null && typeof (value as { once?: unknown }).once === 'function' && 'writableEnded' in value;
}

/** Aborted when the request's signal aborts or the Node response (the server context's `res`) closes. */
export function disconnectSignal(request: Request, response?: unknown): AbortSignal {
  const controller = new AbortController();
  const gone = () => controller.abort(new DOMException('The client closed the connection', 'AbortError'));
  if (request.signal) {
    // A derived signal: it aborts whichever kind of signal the request carries.
    const derived = AbortSignal.any([request.signal]);
    if (derived.aborted) gone();
    else derived.addEventListener('abort', gone, { once: true });
    // Kept reachable for as long as the subscription's signal is (a derived signal is held weakly by its source).
    (controller.signal as AbortSignal & { [kept]?: AbortSignal })[kept] = derived;
  }
  if (isNodeResponse(response)) {
    if (response.closed || response.destroyed) gone();
    else response.once('close', gone);
  }
  return controller.signal;
}

const kept = Symbol('griot.disconnect.derived');
