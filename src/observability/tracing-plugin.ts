/**
 * The spans of a request (loaded only when tracing is on, see tracing.ts): one server span per request
 * (continuing an incoming W3C `traceparent`), with the request id, operation and status as attributes; child spans
 * for GraphQL parse, validate, context building (authentication) and execute; and one client span per MongoDB
 * command, from the driver's command monitoring, under the span that was active when the command was sent.
 * Every span carries the request id (`griot.request_id`).
 */
import { context, propagation, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { Plugin } from 'graphql-yoga';
import type { MongoClient } from 'mongodb';
import { commandKey, watchCommands } from './db-monitor.js';
import { currentRequest } from './request-scope.js';

export interface Tracing {
  readonly plugin: Plugin;
  /** Makes a span of every command the client sends within a traced request (once per client). */
  watch(client: MongoClient): void;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

/** The request id as a span attribute, on every span of the request (so that any one span can be quoted). */
function requestAttributes(): Record<string, string> {
  const scope = currentRequest();
  return scope ? { 'griot.request_id': scope.id } : {};
}

function phase<T>(tracer: Tracer, name: string, wrapped: () => T): T {
  return tracer.startActiveSpan(name, { attributes: requestAttributes() }, (span) => {
    try {
      const result = wrapped();
      if (result instanceof Promise) {
        return result.then(
          (value) => (span.end(), value),
          (error: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
            throw error;
          },
        ) as T;
      }
      span.end();
      return result;
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw error;
    }
  });
}

export function createTracing(tracer: Tracer, shutdown: () => Promise<void>): Tracing {
  const watched = new WeakSet<MongoClient>();
  const plugin: Plugin = {
    instrumentation: {
      request({ request }, wrapped) {
        const url = new URL(request.url, 'http://localhost');
        const parent = propagation.extract(context.active(), Object.fromEntries(request.headers.entries()));
        return tracer.startActiveSpan(
          `${request.method} ${url.pathname}`,
          { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': url.pathname } },
          parent,
          async (span) => {
            const scope = currentRequest();
            if (scope) span.setAttribute('griot.request_id', scope.id);
            try {
              await wrapped();
            } finally {
              if (scope?.operationName) span.setAttribute('graphql.operation.name', scope.operationName);
              if (scope?.operationType) span.setAttribute('graphql.operation.type', scope.operationType);
              if (scope?.errorCodes.length) span.setAttribute('graphql.error.codes', scope.errorCodes);
              if (scope?.errorCodes.includes('INTERNAL_SERVER_ERROR')) span.setStatus({ code: SpanStatusCode.ERROR });
              span.end();
            }
          },
        );
      },
      parse: (_payload, wrapped) => phase(tracer, 'graphql.parse', wrapped),
      validate: (_payload, wrapped) => phase(tracer, 'graphql.validate', wrapped),
      context: (_payload, wrapped) => phase(tracer, 'graphql.context', wrapped),
      execute: (_payload, wrapped) => phase(tracer, 'graphql.execute', wrapped),
    },
    onResponse({ response }) {
      const span = trace.getActiveSpan();
      span?.setAttribute('http.response.status_code', response.status);
      if (response.status >= 500) span?.setStatus({ code: SpanStatusCode.ERROR });
    },
  };

  return {
    plugin,
    shutdown,
    watch(client) {
      if (watched.has(client)) return;
      watched.add(client);
      const open = new Map<string, Span>();
      const finish = (event: Parameters<typeof commandKey>[0], failed: boolean) => {
        const key = commandKey(event);
        const span = open.get(key);
        if (!span) return;
        open.delete(key);
        if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      };
      watchCommands(client, {
        started(event) {
          const active = context.active();
          if (!trace.getSpan(active)) return; // only commands of a traced request
          const target = (event.command as Record<string, unknown>)[event.commandName];
          const span = tracer.startSpan(
            `mongodb.${event.commandName}`,
            {
              kind: SpanKind.CLIENT,
              attributes: {
                'db.system.name': 'mongodb',
                'db.operation.name': event.commandName,
                'db.namespace': event.databaseName,
                ...(typeof target === 'string' ? { 'db.collection.name': target } : {}),
                'server.address': event.address,
                ...requestAttributes(),
              },
            },
            active,
          );
          open.set(commandKey(event), span);
        },
        succeeded: (event) => finish(event, false),
        failed: (event) => finish(event, true),
      });
    },
  };
}
