/** The loopback-only metrics listener (GRIOT_METRICS_PORT): GET /metrics for a scraper on the same host. */
import { createServer, type Server } from 'node:http';
import type { Metrics } from './metrics.js';
import { METRICS_PATH } from './metrics-endpoint.js';

export const METRICS_HOST = '127.0.0.1';

export function startMetricsServer(metrics: Metrics, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://localhost').pathname !== METRICS_PATH) {
      res.writeHead(404).end('not found\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
      () => res.writeHead(500).end('metrics could not be collected\n'),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, METRICS_HOST, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
