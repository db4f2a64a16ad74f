/**
 * The observability plugins of the server, in one list for src/server.ts: request ids and the request log, and —
 * when the caller built them — tracing (tracing.ts) and metrics (metrics.ts, metrics-endpoint.ts). Only types of
 * tracing are imported here: the OpenTelemetry SDK is loaded by startTracing, when tracing is on.
 */
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { StorageBackend } from '../storage/types.js';
import { countRequestCommands, mongoClientOf } from './db-monitor.js';
import type { Logger } from './logger.js';
import { type MetricsAccess, metricsPlugins } from './metrics-endpoint.js';
import { requestLogPlugin } from './request-log.js';
import type { Tracing } from './tracing-plugin.js';

/** What createServer takes beside its logger (all optional). */
export interface ServerObservability {
  /** Longest incoming x-request-id kept (default 128). */
  requestIdMaxLength?: number;
  /** Metrics and who may read them on the main port. */
  metrics?: Omit<MetricsAccess, 'graphqlEndpoint'>;
  /** Spans of every request (from startTracing). */
  tracing?: Tracing | null;
}

export interface ObservabilityOptions extends ServerObservability {
  logger: Logger;
  storage: StorageBackend;
  graphqlEndpoint: string;
}

export function observabilityPlugins(options: ObservabilityOptions): Plugin<Context>[] {
  const { metrics, tracing } = options;
  const client = mongoClientOf(options.storage);
  if (client) {
    countRequestCommands(client);
    metrics?.metrics.watch(client);
    tracing?.watch(client);
  }
  return [
    requestLogPlugin(options),
    ...(tracing ? [tracing.plugin as Plugin<Context>] : []),
    ...(metrics ? (metricsPlugins({ ...metrics, graphqlEndpoint: options.graphqlEndpoint }) as Plugin<Context>[]) : []),
  ];
}

export { requestIdExtension } from './request-scope.js';
