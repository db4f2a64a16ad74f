/**
 * Who may read /metrics, and the plugins that feed the registry (metrics.ts). On the main port, /metrics answers
 *   - with GRIOT_METRICS_TOKEN set: only requests with `Authorization: Bearer <that token>` (401 otherwise);
 *   - without a token: only when the caller said the main port is loopback-only (`open`), else 404.
 * A separate loopback listener for scrapers (GRIOT_METRICS_PORT) is metrics-server.ts.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Plugin } from 'graphql-yoga';
import type { Metrics } from './metrics.js';
import { currentRequest, resultOf } from './request-scope.js';

export const METRICS_PATH = '/metrics';

export interface MetricsAccess {
  metrics: Metrics;
  /** Bearer token that grants /metrics on the main port. */
  token?: string | null;
  /** Serve /metrics on the main port without a token (set only when that port listens on loopback). */
  open?: boolean;
  graphqlEndpoint: string;
}

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

export function tokenMatches(authorization: string | null, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!), digest(token));
}

export function metricsPlugins(access: MetricsAccess): Plugin[] {
  const { metrics } = access;
  const endpoint: Plugin = {
    async onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== METRICS_PATH) return;
      if (access.token) {
        if (!tokenMatches(request.headers.get('authorization'), access.token)) {
          endResponse(new fetchAPI.Response('metrics need Authorization: Bearer <GRIOT_METRICS_TOKEN>\n', { status: 401, headers: { 'www-authenticate': 'Bearer' } }));
          return;
        }
      } else if (!access.open) {
        endResponse(new fetchAPI.Response('not found\n', { status: 404 }));
        return;
      }
      endResponse(new fetchAPI.Response(await metrics.registry.metrics(), { headers: { 'content-type': metrics.registry.contentType } }));
    },
  };
  const requests: Plugin = {
    onRequest() {
      const scope = currentRequest();
      if (scope) scope.batches = metrics.batch;
    },
    onResponse({ request, response }) {
      const scope = currentRequest();
      if (!scope || new URL(request.url, 'http://localhost').pathname !== access.graphqlEndpoint) return;
      metrics.request(scope.operationName, scope.operationType, resultOf(response.status, scope.errorCodes, scope.payloadErrors), (performance.now() - scope.startedAt) / 1000);
    },
  };
  return [metrics.plugin, endpoint, requests];
}
