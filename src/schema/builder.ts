/** The Pothos schema builder and its plugins. It defines no types: each domain file under src/schema/ does. */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import { ForbiddenError, UnauthenticatedError } from '../auth/errors.js';
import type { Context } from '../context.js';
import { ValidationError } from '../domain/errors.js';
import { formatPath } from '../domain/paths.js';
import { fieldComplexity } from './complexity.js';
import { recordPayloadError } from '../observability/payload-errors.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  /** Computed once per request from the principal (see src/auth/principal.ts). */
  AuthScopes: {
    /** The request did not present credentials that failed to verify. */
    reachable: boolean;
    read: boolean;
    write: boolean;
    approve: boolean;
    admin: boolean;
  };
  DefaultFieldNullability: false;
  Scalars: {
    ID: { Input: string; Output: string };
    DateTime: { Input: Date; Output: Date };
    JSON: { Input: unknown; Output: unknown };
    SafeInt: { Input: number; Output: number };
  };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, RelayPlugin, DataloaderPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  // Costs only: the limit is checked before execution by src/http/limits.ts (with the request's variables).
  complexity: { fieldComplexity },
  scopeAuth: {
    authScopes: (ctx) => ctx.auth.scopes,
    // Subscriptions are authorized when they start (src/schema/subscriptions.ts checks again before each event).
    authorizeOnSubscribe: true,
    unauthorizedError: (_parent, ctx, info) => deniedError(ctx, info.parentType.name, info.fieldName),
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeTypeOptions: { description: 'Anything with a global ID: read it back with `node(id:)` or `nodes(ids:)`.' },
    nodeQueryOptions: { authScopes: { read: true }, description: 'Anything with an `id`, by its global ID; null when there is none. Any role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on).' },
    nodesQueryOptions: { authScopes: { read: true }, description: 'Several things by global ID, in the order of `ids`, null where there is none. Any role that may read (viewer, editor, approver, admin; anonymous callers when anonymous read is on).' },
    // Descriptions of what the plugin generates (schema descriptions: issue 13).
    pageInfoTypeOptions: { description: 'Where a page is in its list (Relay connections, paged forward or backward).' },
    hasNextPageFieldOptions: { description: 'Items follow this page: exact when paging forward; paging backward, true when `before` was given.' },
    hasPreviousPageFieldOptions: { description: 'Items precede this page: exact when paging backward; paging forward, true when `after` was given.' },
    startCursorFieldOptions: { description: 'The cursor of the first item of the page (pass it as `before` for the page before); null when the page is empty.' },
    endCursorFieldOptions: { description: 'The cursor of the last item of the page (pass it as `after` for the page after); null when the page is empty.' },
  },
  errors: {
    defaultTypes: [],
    // Off so that authorization runs before any input check: mutations validate their input in the resolver
    // (see src/schema/input.ts), which still comes back as the typed ValidationError result.
    unsafelyHandleInputErrors: false,
    // A typed error in a payload makes its request a user_error in the request log and metrics.
    onResolvedError: recordPayloadError,
    defaultUnionOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Result` },
    defaultResultOptions: { name: ({ fieldName }) => `${capitalize(fieldName)}Success` },
  },
  validation: {
    // Argument validation (e.g. `first`) runs before field authorization: a caller that may not read learns
    // nothing from it. Every root field needs at least `read`.
    validationError: (failure, _args, ctx) =>
      !ctx.auth.scopes.read ? deniedError(ctx, 'Query', 'this field') : new ValidationError(
        failure.issues.map((issue) => ({
          path: formatPath((issue.path ?? []).map((p) => (typeof p === 'object' ? p.key : p))),
          message: issue.message,
          code: 'invalid_value',
        })),
      ),
  },
});

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The error for a denied field: UNAUTHENTICATED without a principal, FORBIDDEN when the principal lacks the scope. */
export function deniedError(ctx: Context, parentType: string, fieldName: string): Error {
  if (ctx.auth.failure) return new UnauthenticatedError(ctx.auth.failure);
  const action = parentType === 'Mutation' ? `call ${fieldName}` : `read ${fieldName}`;
  if (ctx.caller.method === 'anonymous') return new UnauthenticatedError(`Authentication required to ${action}: send an x-api-key or an Authorization: Bearer header`);
  const roles = ctx.caller.roles.length ? ctx.caller.roles.join(', ') : 'none';
  return new ForbiddenError(`Forbidden: ${ctx.caller.name} (roles: ${roles}) may not ${action}`);
}
