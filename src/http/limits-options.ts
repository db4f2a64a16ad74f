import { DEFAULT_DOCUMENT_DEPTH } from '../domain/document-limits.js';

/** The limits a server enforces on each request, with their defaults (set from GRIOT_* variables in src/config.ts). */
export interface LimitsOptions {
  /** Deepest selection nesting an operation may have (GRIOT_MAX_DEPTH). */
  maxDepth: number;
  /** Aliases an operation may use (GRIOT_MAX_ALIASES). */
  maxAliases: number;
  /** Lexical tokens a document may have; parsing stops past it (GRIOT_MAX_TOKENS). */
  maxTokens: number;
  /** Nesting of `{`, `[` and `(` a document may have, measured before it is parsed (GRIOT_MAX_NESTING). */
  maxNesting: number;
  /** Directives an operation may use (GRIOT_MAX_DIRECTIVES). */
  maxDirectives: number;
  /** Cost an operation may have: fields, each multiplied by the page sizes above it (GRIOT_MAX_COST). */
  maxCost: number;
  /** Time budget of one request, in milliseconds (GRIOT_REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  /** Size of one contract document, as UTF-8 JSON, for create, update and import alike (GRIOT_MAX_DOCUMENT_BYTES). */
  maxDocumentBytes: number;
  /** Nesting of objects and arrays in one document or JSON argument (GRIOT_MAX_DOCUMENT_DEPTH). */
  maxDocumentDepth: number;
  /** Size of one HTTP request body, in bytes, read before anything parses it (GRIOT_MAX_REQUEST_BYTES). */
  maxRequestBytes: number;
}

export const DEFAULT_LIMITS: Readonly<LimitsOptions> = Object.freeze({
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 5000,
  maxNesting: 128,
  maxDirectives: 50,
  maxCost: 200_000,
  requestTimeoutMs: 30_000,
  maxDocumentBytes: 4 * 1024 * 1024,
  maxDocumentDepth: DEFAULT_DOCUMENT_DEPTH,
  // graphql-yoga's own default: room for a few documents at GRIOT_MAX_DOCUMENT_BYTES, escaped as JSON.
  maxRequestBytes: 25_000_000,
});

/**
 * Brackets an argument adds around its value, at most: the field's `(` and the input objects and lists the schema
 * wraps a value in (3 in recordValidation's `input: { checks: [{ threshold: <JSON> }] }`, checked by
 * test/api/limits.test.ts against the schema).
 */
export const ARGUMENT_NESTING = 4;

/**
 * The least nesting bound that refuses no operation within the depth limits: a field at selection depth `maxDepth`
 * sits inside that many `{`, a root field's JSON argument (checked against `maxDocumentDepth`) inside one, and
 * either may add its argument's brackets. Inline fragments add a `{` without adding depth; they count.
 */
export function nestingNeeded(maxDepth: number, maxDocumentDepth: number): number {
  return Math.max(maxDepth, 1 + maxDocumentDepth) + ARGUMENT_NESTING;
}
