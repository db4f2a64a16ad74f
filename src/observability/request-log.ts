/**
 * The request log: every request gets an id (request-id.ts) echoed in `x-request-id`, runs inside its request
 * scope (request-scope.ts, so that every line logged while handling it carries the id), and ends with exactly one
 * line: method, path, status, duration, operation name and type, principal, result, database commands and the
 * error codes of the response. Failed authentication and FORBIDDEN calls are also `warn` lines (never the
 * credential). GraphQL requests log at `info`; /health, /ready and /metrics at `debug`.
 */
import { getOperationAST, type GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../context.js';
import type { Logger } from './logger.js';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.js';
import { currentRequest, newRequestScope, type RequestScope, resultOf, runInRequestScope } from './request-scope.js';

export interface RequestLogOptions {
  logger: Logger;
  graphqlEndpoint: string;
  requestIdMaxLength?: number;
}

/** Which credential a request presented (never its value). */
function credentialOf(request: Request): string | null {
  const key = request.headers.has('x-api-key');
  const bearer = request.headers.has('authorization');
  return key && bearer ? 'api_key+authorization' : key ? 'api_key' : bearer ? 'authorization' : null;
}

function errorsOf(result: unknown): readonly GraphQLError[] {
  const results = Array.isArray(result) ? result : [result];
  return results.flatMap((r) => (r as { errors?: readonly GraphQLError[] } | undefined)?.errors ?? []);
}

export function requestLogPlugin(options: RequestLogOptions): Plugin<Context> {
  const { logger } = options;
  const scopeOf = (): RequestScope | undefined => currentRequest();
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const scope = newRequestScope(requestIdOf(request.headers.get(REQUEST_ID_HEADER), options.requestIdMaxLength));
        return runInRequestScope(scope, wrapped);
      },
    },
    onRequest({ serverContext }) {
      const scope = scopeOf();
      const socket = (serverContext as { req?: { socket?: { remoteAddress?: string } } }).req?.socket;
      if (scope) scope.clientAddress = socket?.remoteAddress ?? null;
    },
    onParams({ params }) {
      const scope = scopeOf();
      if (scope && params.operationName) scope.operationName = params.operationName;
    },
    onParse() {
      // The operation is known once the document parses, even if it then fails validation.
      return ({ result }) => {
        const scope = scopeOf();
        if (!scope || !result || !('kind' in result) || result.kind !== 'Document') return;
        const operation = getOperationAST(result, scope.operationName ?? undefined);
        if (operation) {
          scope.operationType = operation.operation;
          scope.operationName = operation.name?.value ?? scope.operationName;
        }
      };
    },
    onContextBuilding() {
      return ({ context }) => {
        const scope = scopeOf();
        if (!scope) return;
        scope.principal = context.caller.name;
        scope.authMethod = context.caller.method;
        if (context.auth.failure) {
          logger.warn(
            { event: 'authentication_failed', credentialType: credentialOf(context.request), reason: context.auth.failure, clientAddress: scope.clientAddress },
            'authentication failed',
          );
        }
      };
    },
    onExecute({ args }) {
      const scope = scopeOf();
      const operation = getOperationAST(args.document, args.operationName);
      if (scope && operation) {
        scope.operationType = operation.operation;
        scope.operationName = operation.name?.value ?? args.operationName ?? null;
      }
    },
    onResultProcess({ result }) {
      const scope = scopeOf();
      if (!scope) return;
      const errors = errorsOf(result);
      scope.errorCodes = errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN'));
      const forbidden = errors.filter((e) => e.extensions?.code === 'FORBIDDEN');
      if (forbidden.length) {
        logger.warn(
          {
            event: 'forbidden',
            principal: scope.principal,
            authMethod: scope.authMethod,
            operation: scope.operationName,
            // what the caller lacked (the error's message, e.g. the role needed), and the fields refused
            reason: [...new Set(forbidden.map((e) => e.message))].join('; '),
            fields: forbidden.map((e) => (e.path ?? []).join('.')),
            clientAddress: scope.clientAddress,
          },
          'forbidden call',
        );
      }
    },
    onResponse({ request, response }) {
      const scope = scopeOf();
      if (!scope) return;
      response.headers.set(REQUEST_ID_HEADER, scope.id);
      const path = new URL(request.url, 'http://localhost').pathname;
      const line = {
        event: 'request',
        method: request.method,
        path,
        status: response.status,
        durationMs: Math.round((performance.now() - scope.startedAt) * 1000) / 1000,
        operation: scope.operationName,
        operationType: scope.operationType,
        principal: scope.principal,
        authMethod: scope.authMethod,
        result: resultOf(response.status, scope.errorCodes, scope.payloadErrors),
        dbCommands: scope.dbCommands,
        ...(scope.errorCodes.length ? { errors: scope.errorCodes } : {}),
        ...(scope.payloadErrors.length ? { payloadErrors: scope.payloadErrors } : {}),
      };
      if (path === options.graphqlEndpoint) logger.info(line, 'request');
      else logger.debug(line, 'request');
    },
  };
}
