/**
 * What the API shows to whom: introspection and "Did you mean" suggestions (off for anonymous callers, and off for
 * everyone in production unless GRIOT_INTROSPECTION says otherwise), CORS from an allowlist (none by default),
 * CSRF prevention (yoga's plugin: a request that a browser could send cross-site without a preflight — a GET, a
 * form or a text/plain POST — needs an `x-graphql-yoga-csrf` header) and an optional rate limit per principal.
 */
import { blockFieldSuggestionsPlugin } from '@escape.tech/graphql-armor-block-field-suggestions';
import { useRateLimiter } from '@envelop/rate-limiter';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { GraphQLError, NoSchemaIntrospectionCustomRule } from 'graphql';
import type { CORSOptions, Plugin } from 'graphql-yoga';

type CorsOption = false | ((request: Request) => CORSOptions);
import type { Authentication, Authenticator } from '../auth/authenticate.js';
import type { Context } from '../context.js';
import { boundQuoted, rewriteErrors, withoutSuggestions } from './error-text.js';

export const INTROSPECTION_MODES = ['off', 'authenticated', 'everyone'] as const;
export type IntrospectionMode = (typeof INTROSPECTION_MODES)[number];

export interface ExposureOptions {
  /** Who may introspect the schema and get field suggestions (GRIOT_INTROSPECTION). */
  introspection: IntrospectionMode;
  /** Origins allowed cross-origin access, e.g. https://catalog.example.com (GRIOT_CORS_ORIGINS). */
  corsOrigins: string[];
  /** Root-field calls allowed per principal and field within the window (GRIOT_RATE_LIMIT_MAX/_WINDOW); null: none. */
  rateLimit: { max: number; window: string } | null;
}

export const DEFAULT_EXPOSURE: Readonly<ExposureOptions> = Object.freeze({ introspection: 'authenticated', corsOrigins: [], rateLimit: null });

/** The header a non-preflighted request (GET, form, text/plain) must carry. */
export const CSRF_HEADER = 'x-graphql-yoga-csrf';
/** Headers a cross-origin caller may send. */
const CORS_REQUEST_HEADERS = ['content-type', 'accept', 'authorization', 'x-api-key', CSRF_HEADER];

/** Authenticates each request once, however many plugins ask. */
export function oncePerRequest(authenticate: Authenticator): Authenticator {
  const seen = new WeakMap<Request, Promise<Authentication>>();
  return (request) => {
    let result = seen.get(request);
    if (!result) {
      result = authenticate(request);
      seen.set(request, result);
    }
    return result;
  };
}

/** yoga's `cors` option: the request's origin is allowed only when it is on the list. */
export function corsOptions(origins: readonly string[]): CorsOption {
  if (!origins.length) return false;
  const allowed = new Set(origins);
  return (request: Request): CORSOptions => {
    const origin = request.headers.get('origin');
    if (!origin || !allowed.has(origin)) return false;
    return { origin, credentials: true, methods: ['GET', 'POST'], allowedHeaders: CORS_REQUEST_HEADERS };
  };
}

/** Introspection and suggestions hidden from callers that do not qualify. */
export function schemaExposurePlugin(mode: IntrospectionMode, authenticate: Authenticator): Plugin {
  const hiddenFor = new WeakMap<Request, boolean>();
  const block = blockFieldSuggestionsPlugin({ mask: '' });
  return {
    async onParams({ request }) {
      if (mode === 'everyone') return;
      if (mode === 'off') return void hiddenFor.set(request, true);
      const result = await authenticate(request);
      hiddenFor.set(request, !result.ok || result.principal.method === 'anonymous');
    },
    onValidate(payload) {
      const request = (payload.context as { request?: Request }).request;
      if (mode === 'everyone' || (request && hiddenFor.get(request) === false)) return;
      // graphql's own rule: __schema and __type are refused as a validation error.
      payload.addValidationRule(NoSchemaIntrospectionCustomRule);
      return block.onValidate!(payload as never) as never;
    },
    // Suggestions graphql-js makes outside validation (an unknown enum value or input field in the variables).
    onResultProcess({ request, result, setResult }) {
      if (mode === 'everyone' || hiddenFor.get(request) === false) return;
      const next = rewriteErrors(result, withoutSuggestions);
      if (next) setResult(next);
    },
  };
}

/** Input quoted in any error message is bounded (error-text.ts). */
export function boundedErrorTextPlugin(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      const next = rewriteErrors(result, boundQuoted);
      if (next) setResult(next);
    },
  };
}

export function csrfPlugin(): Plugin {
  const csrf = useCSRFPrevention({ requestHeaders: [CSRF_HEADER] });
  return {
    onRequestParse(payload) {
      try {
        return csrf.onRequestParse!(payload as never);
      } catch {
        throw new GraphQLError(`This request needs a ${CSRF_HEADER} header (or a JSON body): it could be sent cross-site`, {
          extensions: { code: 'CSRF_HEADER_MISSING', http: { status: 403 } },
        });
      }
    },
  };
}

/** One bucket per principal and root field; anonymous callers are told apart by their address when there is one. */
export function rateLimitPlugin(limit: { max: number; window: string }): Plugin {
  return useRateLimiter({
    identifyFn: (context) => {
      const ctx = context as Context & { req?: { socket?: { remoteAddress?: string } } };
      if (ctx.caller?.name) return `${ctx.caller.method}:${ctx.caller.name}`;
      return `anonymous:${ctx.req?.socket?.remoteAddress ?? 'unknown'}`;
    },
    configByField: [
      { type: 'Query', field: '*', max: limit.max, window: limit.window },
      { type: 'Mutation', field: '*', max: limit.max, window: limit.window },
    ],
    transformError: (message) =>
      new GraphQLError(message, { extensions: { code: 'RATE_LIMITED', http: { status: 429, headers: { 'Retry-After': retryAfterSeconds(limit.window) } } } }),
  }) as Plugin;
}

function retryAfterSeconds(window: string): string {
  const match = /^(\d+)(ms|s|m|h)$/.exec(window);
  if (!match) return '60';
  const factor = { ms: 0.001, s: 1, m: 60, h: 3600 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return String(Math.max(1, Math.ceil(Number(match[1]) * factor)));
}

export function exposurePlugins(options: ExposureOptions, authenticate: Authenticator): Plugin[] {
  return [schemaExposurePlugin(options.introspection, authenticate), boundedErrorTextPlugin(), csrfPlugin(), ...(options.rateLimit ? [rateLimitPlugin(options.rateLimit)] : [])];
}
