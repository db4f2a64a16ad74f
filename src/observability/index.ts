/**
 * The observability plugins of the server, in one list for src/server.ts: request ids and the request log, and —
 * when the caller built them — metrics (metrics.ts) and tracing (tracing.ts).
 */
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { StorageBackend } from '../storage/types.js';
import { countRequestCommands, mongoClientOf } from './db-monitor.js';
import type { Logger } from './logger.js';
import { requestLogPlugin } from './request-log.js';

/** What createServer takes beside its logger (all optional). */
export interface ServerObservability {
  /** Longest incoming x-request-id kept (default 128). */
  requestIdMaxLength?: number;
}

export interface ObservabilityOptions extends ServerObservability {
  logger: Logger;
  storage: StorageBackend;
  graphqlEndpoint: string;
}

export function observabilityPlugins(options: ObservabilityOptions): Plugin<Context>[] {
  const client = mongoClientOf(options.storage);
  if (client) countRequestCommands(client);
  return [requestLogPlugin(options)];
}

export { requestIdExtension } from './request-scope.js';
