/**
 * Prometheus metrics (prom-client), one registry per server: yoga's Prometheus plugin for the GraphQL phases
 * (parse, validate, context, execute), error results and HTTP durations, and the registry's own series for what
 * the plugin cannot see — requests by operation and result, database commands and the connection pool (driver
 * events, db-monitor.ts), DataLoader batch sizes — plus the process metrics of prom-client.
 *
 * Operation names come from clients: at most `maxOperationNames` distinct ones become label values, later ones
 * are counted as `other`, so that a client cannot grow the scrape without bound.
 */
import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { MongoClient } from 'mongodb';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Plugin } from 'graphql-yoga';
import { watchCommands } from './db-monitor.js';

export const DEFAULT_MAX_OPERATION_NAMES = 200;

const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

export interface Metrics {
  readonly registry: Registry;
  /** Counts one finished request (from the request scope). */
  request(operation: string | null, type: string | null, result: string, seconds: number): void;
  /** One DataLoader batch of `size` keys. */
  batch(loader: string, size: number): void;
  /** Follows a MongoDB client's commands and pool (once per client). */
  watch(client: MongoClient): void;
  /** The yoga plugin measuring the GraphQL phases into this registry. */
  readonly plugin: Plugin;
}

export function createMetrics(options: { maxOperationNames?: number } = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const maxNames = options.maxOperationNames ?? DEFAULT_MAX_OPERATION_NAMES;
  const names = new Set<string>();
  const operationLabel = (name: string | null): string => {
    if (!name) return 'anonymous';
    if (!NAME.test(name)) return 'other';
    if (names.has(name)) return name;
    if (names.size >= maxNames) return 'other';
    names.add(name);
    return name;
  };

  const requests = new Counter({
    name: 'griot_graphql_requests_total',
    help: 'GraphQL requests by operation name, operation type and result (ok, user_error, internal_error).',
    labelNames: ['operation', 'type', 'result'] as const,
    registers: [registry],
  });
  const requestSeconds = new Histogram({
    name: 'griot_graphql_request_duration_seconds',
    help: 'Time from the request arriving to the response, by operation name, operation type and result.',
    labelNames: ['operation', 'type', 'result'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const commands = new Counter({
    name: 'griot_db_commands_total',
    help: 'MongoDB commands sent, by command name and outcome (ok, failed).',
    labelNames: ['command', 'outcome'] as const,
    registers: [registry],
  });
  const commandSeconds = new Histogram({
    name: 'griot_db_command_duration_seconds',
    help: 'MongoDB command round-trip time, by command name.',
    labelNames: ['command'] as const,
    buckets: SECONDS,
    registers: [registry],
  });
  const pool = { connections: 0, waiters: 0 };
  new Gauge({
    name: 'griot_db_pool_connections',
    help: 'Connections open in the MongoDB driver pools.',
    registers: [registry],
    collect() {
      this.set(pool.connections);
    },
  });
  new Gauge({
    name: 'griot_db_pool_waiters',
    help: 'Operations waiting to check a connection out of the MongoDB driver pools.',
    registers: [registry],
    collect() {
      this.set(pool.waiters);
    },
  });
  const batches = new Histogram({
    name: 'griot_dataloader_batch_size',
    help: 'Keys per DataLoader batch (one storage read each), by loader.',
    labelNames: ['loader'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });

  const watched = new WeakSet<MongoClient>();
  const plugin = usePrometheus({
    registry,
    endpoint: false,
    metrics: {
      graphql_envelop_phase_parse: true,
      graphql_envelop_phase_validate: true,
      graphql_envelop_phase_context: true,
      graphql_envelop_phase_execute: true,
      graphql_envelop_error_result: true,
      graphql_envelop_deprecated_field: true,
      graphql_yoga_http_duration: true,
    },
    // Operation names are client input: they label only the griot_graphql_* series, bounded as above.
    labels: { operationName: false, url: false },
  });

  return {
    registry,
    plugin,
    request(operation, type, result, seconds) {
      const labels = { operation: operationLabel(operation), type: type ?? 'none', result };
      requests.inc(labels);
      requestSeconds.observe(labels, seconds);
    },
    batch(loader, size) {
      batches.observe({ loader }, size);
    },
    watch(client) {
      if (watched.has(client)) return;
      watched.add(client);
      watchCommands(client, {
        succeeded(event) {
          commands.inc({ command: event.commandName, outcome: 'ok' });
          commandSeconds.observe({ command: event.commandName }, event.duration / 1000);
        },
        failed(event) {
          commands.inc({ command: event.commandName, outcome: 'failed' });
          commandSeconds.observe({ command: event.commandName }, event.duration / 1000);
        },
      });
      client.on('connectionCreated', () => pool.connections++);
      client.on('connectionClosed', () => pool.connections--);
      client.on('connectionCheckOutStarted', () => pool.waiters++);
      client.on('connectionCheckedOut', () => pool.waiters--);
      client.on('connectionCheckOutFailed', () => pool.waiters--);
    },
  };
}
