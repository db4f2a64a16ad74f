/**
 * A contract's identity is the ODCS `id` of its document: unique across the registry, kept by every later version.
 * The registry's `name` is a readable, unique handle: the name given with the write, else the document's `name`,
 * else (ODCS does not require a name) a default the caller offers (the CLI: the file name), else the ODCS id. Pure.
 */
import type { ValidationIssue } from './errors.js';
import type { JsonObject } from './odcs.js';

/** The ODCS `id` of a document, or null when it has none (only invalid documents stored with warnings lack one). */
export function odcsIdOf(document: JsonObject | unknown): string | null {
  if (!document || typeof document !== 'object' || Array.isArray(document)) return null;
  const id = (document as { id?: unknown }).id;
  return typeof id === 'string' && id.trim() !== '' ? id : null;
}

function nonBlank(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value : null;
}

/**
 * The handle a new contract gets, and the input path an invalid one came from: the explicit name, else the
 * document's name, else `defaultName`, else the ODCS id. Null when there is nothing to name it by.
 */
export function contractHandle(input: { name?: string | null; document: unknown; defaultName?: string | null }): { name: string; path: string } | null {
  if (input.name != null) return { name: input.name, path: 'name' };
  const doc = (input.document ?? {}) as { name?: unknown };
  const fromDocument = nonBlank(doc.name);
  if (fromDocument) return { name: fromDocument, path: 'document.name' };
  const fallback = nonBlank(input.defaultName);
  if (fallback) return { name: fallback, path: 'name' };
  const id = odcsIdOf(input.document);
  return id ? { name: id, path: 'document.id' } : null;
}

/**
 * A later version keeps the contract's ODCS id (its identity). A contract without one (an invalid document stored
 * with warnings) may gain one. Returns the problem, or null.
 */
export function identityProblem(previous: JsonObject, candidate: unknown, path: string): ValidationIssue | null {
  const before = odcsIdOf(previous);
  if (before === null) return null;
  const after = odcsIdOf(candidate);
  if (after === before) return null;
  return {
    path,
    message: `must stay ${JSON.stringify(before)}: the ODCS id is the contract's identity (create a new contract for a new id)`,
    code: 'immutable',
  };
}
