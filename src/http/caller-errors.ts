/**
 * Errors that are the caller's, recognised before error masking so that they come back typed instead of as
 * INTERNAL_SERVER_ERROR: a variable of the wrong type or shape (graphql's coercion wraps the scalar's own
 * GraphQLError), an invalid global id (Pothos' validation error), and yoga's request errors (BAD_REQUEST, which
 * becomes BAD_USER_INPUT), whose `extensions.originalError` (the JSON parser's message) is dropped.
 */
import { PothosValidationError } from '@pothos/core';
import { GraphQLError } from 'graphql';

/** The innermost error a GraphQLError wraps. */
function innermost(error: GraphQLError): unknown {
  let current: unknown = error;
  while (current instanceof GraphQLError && current.originalError) current = current.originalError;
  return current;
}

function where(error: GraphQLError) {
  return { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path };
}

/** The typed error to send for a caller's mistake, or null when `error` is not one (or needs no change). */
export function callerError(error: unknown): GraphQLError | null {
  if (!(error instanceof GraphQLError)) return null;
  if (!error.originalError) {
    const extensions = error.extensions ?? {};
    // yoga's request errors (a body that is not JSON, no query, a batch) say BAD_REQUEST: the caller's input.
    const yogaRequestError = extensions.code === 'BAD_REQUEST' || extensions.code === 'OPERATION_RESOLUTION_FAILURE';
    if (!('originalError' in extensions) && !yogaRequestError) return null;
    const { originalError: _dropped, ...kept } = extensions;
    return new GraphQLError(error.message, { ...where(error), extensions: { ...kept, ...(yogaRequestError ? { code: 'BAD_USER_INPUT' } : {}) } });
  }
  const inner = innermost(error);
  if (inner instanceof PothosValidationError) {
    return new GraphQLError(inner.message, { ...where(error), extensions: { code: 'BAD_USER_INPUT' } });
  }
  if (inner instanceof GraphQLError) {
    // e.g. 'Variable "$v" got invalid value "x"; Int cannot represent non-integer value: "x"'.
    const code = typeof inner.extensions?.code === 'string' ? inner.extensions.code : 'BAD_USER_INPUT';
    return new GraphQLError(error.message, { ...where(error), extensions: { ...inner.extensions, code } });
  }
  return null;
}
