/**
 * Start-up glue for src/main.ts: builds the metrics registry, the tracer (only when OTEL_* asks for it) and the
 * loopback metrics listener from config, and says who may read /metrics on the main port:
 *   - GRIOT_METRICS_TOKEN set: callers with that bearer token;
 *   - else GRIOT_METRICS_PORT set: nobody on the main port (scrape the loopback port);
 *   - else: anyone, but only when the main port listens on a loopback address (HOST=127.0.0.1, the default);
 *     with HOST on a public interface /metrics is not served until a token or a metrics port is set.
 * GRIOT_METRICS=off turns metrics off altogether: no registry, no /metrics, no metrics port, no driver listeners.
 */
import type { Server } from 'node:http';
import type { MongoClient } from 'mongodb';
import type { Config } from '../config.js';
import type { ServerObservability } from './index.js';
import type { Logger } from './logger.js';
import { createMetrics } from './metrics.js';
import { METRICS_HOST, startMetricsServer } from './metrics-server.js';
import { startTracing, tracingRequested } from './tracing.js';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export interface Observability {
  /** For createServer. */
  server: ServerObservability;
  /** For createStorage: follows the MongoDB client from before it connects (pool metrics, command spans). */
  onMongoClient(client: MongoClient): void;
  /** Opens the metrics port (when configured). */
  start(): Promise<void>;
  /** Closes the metrics port and flushes traces. */
  stop(): Promise<void>;
}

export async function setUpObservability(config: Pick<Config, 'host' | 'metrics'>, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Observability> {
  const metrics = config.metrics.enabled ? createMetrics({ maxOperationNames: config.metrics.maxOperationNames }) : null;
  const tracing = tracingRequested(env) ? await startTracing({ env }) : null;
  const open = !config.metrics.token && !config.metrics.port && isLoopback(config.host);
  let metricsServer: Server | null = null;
  return {
    server: { metrics: metrics ? { metrics, token: config.metrics.token, open } : undefined, tracing },
    onMongoClient(client) {
      metrics?.watch(client);
      tracing?.watch(client);
    },
    async start() {
      if (!metrics) {
        logger.info('metrics off (GRIOT_METRICS=off)');
      } else {
        if (config.metrics.port) {
          metricsServer = await startMetricsServer(metrics, config.metrics.port);
          logger.info({ url: `http://${METRICS_HOST}:${config.metrics.port}/metrics` }, 'metrics on the loopback port');
        }
        if (config.metrics.token) logger.info('metrics at /metrics with the GRIOT_METRICS_TOKEN bearer token');
        else if (open) logger.info('metrics at /metrics (loopback only: set GRIOT_METRICS_TOKEN or GRIOT_METRICS_PORT before listening on a public interface)');
        else if (!config.metrics.port) logger.warn('metrics are not served: HOST is not a loopback address; set GRIOT_METRICS_TOKEN or GRIOT_METRICS_PORT');
      }
      if (tracing) logger.info('tracing on (OpenTelemetry, from the OTEL_* variables)');
    },
    async stop() {
      await new Promise((resolve) => (metricsServer ? metricsServer.close(resolve) : resolve(undefined)));
      await tracing?.shutdown().catch(() => undefined);
    },
  };
}
