/**
 * The text of every error a response carries, rewritten before it is sent: input quoted in a message (graphql-js
 * quotes the values it could not coerce, e.g. `got invalid value "…"`) is bounded to ECHO_MAX_LENGTH characters,
 * and, for callers who may not see the schema (exposure.ts), "Did you mean …?" suggestions are removed — those
 * that graphql-js adds outside validation too (an unknown enum value or input field in the variables).
 */
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

type ResultProcessorInput = Parameters<NonNullable<Plugin['onResultProcess']>>[0]['result'];
import { ECHO_MAX_LENGTH } from '../domain/echo.js';

const QUOTED = /"((?:[^"\\]|\\.)*)"/g;
const SUGGESTION = /\s*Did you mean\b[\s\S]*$/;

/** Each quoted string longer than ECHO_MAX_LENGTH characters is cut (its length is said). */
export function boundQuoted(message: string): string {
  return message.replace(QUOTED, (whole, inner: string) => {
    const points = [...inner];
    if (points.length <= ECHO_MAX_LENGTH) return whole;
    // Not cut inside an escape (a lone trailing backslash would swallow the closing quote).
    const head = points.slice(0, ECHO_MAX_LENGTH).join('').replace(/(^|[^\\])\\(\\\\)*$/, (m) => m.slice(0, -1));
    return `"${head}…" (${points.length} characters)`;
  });
}

export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

type Rewrite = (message: string) => string;

function rewritten(error: unknown, rewrite: Rewrite): unknown {
  if (!error || typeof error !== 'object' || typeof (error as { message?: unknown }).message !== 'string') return error;
  const message = (error as { message: string }).message;
  const next = rewrite(message);
  if (next === message) return error;
  if (error instanceof GraphQLError) {
    return new GraphQLError(next, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions: error.extensions });
  }
  return { ...(error as object), message: next };
}

/** The result with `rewrite` applied to each error message (single and batched results; streams are left alone). */
export function rewriteErrors(result: ResultProcessorInput, rewrite: Rewrite): ResultProcessorInput | null {
  if (Symbol.asyncIterator in (result as object)) return null;
  let changed = false;
  const one = (r: { errors?: readonly unknown[] }) => {
    if (!r?.errors?.length) return r;
    const errors = r.errors.map((e) => rewritten(e, rewrite));
    if (errors.every((e, i) => e === r.errors![i])) return r;
    changed = true;
    return { ...r, errors };
  };
  const next = Array.isArray(result) ? result.map(one) : one(result as { errors?: readonly unknown[] });
  return changed ? (next as ResultProcessorInput) : null;
}
