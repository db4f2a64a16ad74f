/**
 * The HTTP surface: graphql-yoga on /graphql (GraphiQL with example operations), /health (the process is up)
 * and /ready (the storage answers). Built around a storage backend that the caller created once.
 */
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { type AuthOptions, createAuthenticator } from './auth/authenticate.js';
import { type Context, createContext } from './context.js';
import { RegistryError } from './domain/errors.js';
import type { RegistryPolicy } from './domain/evolution.js';
import { schema } from './schema/index.js';
import type { StorageBackend } from './storage/types.js';
import { graphiqlOptions, renderOfflineGraphiQL } from './graphiql.js';
import { observabilityPlugins, requestIdExtension, type ServerObservability } from './observability/index.js';
import { type Logger, silentLogger } from './observability/logger.js';
import { callerError } from './http/caller-errors.js';
import { unavailableError } from './http/unavailable.js';
import { corsOptions, DEFAULT_EXPOSURE, type ExposureOptions, exposurePlugins, oncePerRequest } from './http/exposure.js';
import { requestBudgetPlugin } from './http/budget.js';
import { cancellableStorage, installStopHooks } from './http/cancellation.js';
import { documentLimitsPlugin } from './http/documents.js';
import { requestBodyLimitPlugin } from './http/request-body.js';
import { operationLimitsPlugin } from './http/limits.js';
import { DEFAULT_LIMITS, type LimitsOptions } from './http/limits-options.js';
import { createLive, type Live } from './live/index.js';
import { disconnectSignal } from './live/disconnect.js';
import { liveRecheck } from './live/recheck.js';
import { liveTransportPlugins } from './live/transport.js';

export interface ServerOptions {
  storage: StorageBackend;
  /** The registry policy the storage was built with (shown by the API, used by previews). */
  policy?: RegistryPolicy;
  graphiql?: boolean;
  /** Who may call: API keys, JWT verification, anonymous read. Without it every call but `viewer` is UNAUTHENTICATED. */
  auth?: AuthOptions;
  /** Operation limits, request budget and document size (default: DEFAULT_LIMITS). */
  limits?: LimitsOptions;
  /** Introspection, CORS, CSRF and rate limit (default: DEFAULT_EXPOSURE). */
  exposure?: ExposureOptions;
  /** Called with every unexpected error (already masked for the client). */
  onUnexpectedError?: (error: unknown) => void;
  /** Where the server logs (src/observability/logger.ts). Default: nowhere. */
  logger?: Logger;
  /** Request ids, metrics, tracing (src/observability/). */
  observability?: ServerObservability;
  /** Subscriptions (src/live/): built once per process by the caller; default: in-process delivery, default limits. */
  live?: Live;
}

export type RegistryServer = YogaServerInstance<Record<string, never>, Context>;

export function createServer(options: ServerOptions): RegistryServer {
  installStopHooks();
  // No storage call starts for a request that was stopped (its client left or its budget is spent).
  const storage = cancellableStorage(options.storage);
  const authenticate = oncePerRequest(createAuthenticator(options.auth));
  const exposure = options.exposure ?? DEFAULT_EXPOSURE;
  const anonymousRead = options.auth?.anonymousRead ?? false;
  const logger = options.logger ?? silentLogger();
  const limits = options.limits ?? DEFAULT_LIMITS;
  const documentLimits = { maxBytes: limits.maxDocumentBytes, maxDepth: limits.maxDocumentDepth };
  const live = options.live ?? createLive(storage, {}, { logger, announce: false });
  const recheck = liveRecheck(options.auth);
  return createYoga<Record<string, never>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // Unexpected errors are reported once, through onUnexpectedError; expected ones are results, not log lines.
    logging: false,
    healthCheckEndpoint: '/health',
    // The body limit is requestBodyLimitPlugin's (yoga's would count every body again, src/http/request-body.ts).
    maxRequestBodySize: false,
    cors: corsOptions(exposure.corsOrigins),
    graphiql: options.graphiql === false ? false : graphiqlOptions(),
    renderGraphiQL: renderOfflineGraphiQL,
    context: async (initial) => {
      const { request } = initial;
      const result = await authenticate(request);
      const context = result.ok
        ? createContext(storage, options.policy, result.principal, { anonymousRead }, documentLimits)
        : createContext(storage, options.policy, undefined, { anonymousRead, failure: result.reason }, documentLimits);
      // Made when a subscription asks for it (queries never do): see src/live/disconnect.ts.
      let signal: AbortSignal | undefined;
      const response = (initial as { res?: unknown }).res;
      context.live = {
        hub: live.hub,
        recheck: () => recheck(request),
        get signal() {
          return (signal ??= disconnectSignal(request, response));
        },
      };
      return context;
    },
    plugins: [
      ...observabilityPlugins({ ...options.observability, logger, storage, graphqlEndpoint: '/graphql' }),
      readinessPlugin(storage),
      operationLimitsPlugin(limits),
      requestBudgetPlugin(limits.requestTimeoutMs),
      documentLimitsPlugin(documentLimits),
      ...exposurePlugins(exposure, authenticate),
      ...liveTransportPlugins({ heartbeatMs: live.options.heartbeatMs }),
      // Subscriptions complete when the server is disposed (when the caller did not build the hub, it is ours).
      { onDispose: () => (options.live ? undefined : live.close()) },
      // Last: it wraps the request parser the plugins above chose. Refused with 413 REQUEST_ENTITY_TOO_LARGE before
      // anything parses it (a Content-Length past it, or a body that grows past it).
      requestBodyLimitPlugin(limits.maxRequestBytes),
    ],
    maskedErrors: {
      // Never include stack traces or internal messages, in any environment.
      isDev: false,
      maskError(error, message) {
        const byCaller = callerError(error);
        if (byCaller) return byCaller;
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (original instanceof RegistryError) {
          // An expected failure outside a mutation result (e.g. a bad cursor or `first` on a query).
          const details = 'issues' in original ? { issues: (original as { issues: unknown }).issues } : {};
          // Keeps where it happened (locations, path), never the stack.
          const where = error instanceof GraphQLError ? { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path } : {};
          return new GraphQLError(original.message, { ...where, extensions: { code: original.code, ...details } });
        }
        if (error instanceof GraphQLError && !error.originalError) return error;
        const unavailable = unavailableError(storage, error, original);
        if (unavailable) {
          logger.warn({ err: original }, 'storage unavailable');
          return unavailable;
        }
        logger.error({ err: original ?? error }, 'unexpected error');
        options.onUnexpectedError?.(original ?? error);
        return new GraphQLError(message, { extensions: { code: 'INTERNAL_SERVER_ERROR', ...requestIdExtension() } });
      },
    },
  });
}

function readinessPlugin(storage: StorageBackend): Plugin {
  return {
    async onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/ready') return;
      const report = await storage.health();
      endResponse(
        new fetchAPI.Response(JSON.stringify({ status: report.ok ? 'ready' : 'unavailable', storage: report }), {
          status: report.ok ? 200 : 503,
          headers: { 'content-type': 'application/json' },
        }),
      );
    },
  };
}
