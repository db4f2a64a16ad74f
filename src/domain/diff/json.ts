/** JSON helpers of the diff: JSON paths, values at a path, deep equality and canonical texts. Pure. */
import type { JsonObject, JsonValue } from '../odcs.js';
import type { PathPart } from './types.js';

/** `$.schema[0].properties[3].logicalType`; keys that are not identifiers are bracketed: `$['a b']`. */
export function renderJsonPath(path: readonly PathPart[]): string {
  let out = '$';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += `.${part}`;
    else out += `['${part.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
  }
  return out;
}

/** The value at `path` in `root`, or undefined. */
export function valueAt(root: JsonValue | undefined, path: readonly PathPart[]): JsonValue | undefined {
  let value: JsonValue | undefined = root;
  for (const part of path) {
    if (value === null || typeof value !== 'object' || value === undefined) return undefined;
    value = Array.isArray(value) ? (typeof part === 'number' ? value[part] : undefined) : (value as JsonObject)[String(part)];
  }
  return value;
}

/** Deep equality of JSON values; object key order is ignored. */
export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return false;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => jsonEqual(v, b[i]));
  }
  const ka = Object.keys(a).filter((k) => a[k] !== undefined);
  const kb = Object.keys(b).filter((k) => b[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
}

/** A canonical text for a JSON value (sorted keys), for multiset comparison; `cache` memoizes objects. */
export function canonicalJson(value: JsonValue | undefined, cache?: WeakMap<object, string>): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const cached = cache?.get(value);
  if (cached !== undefined) return cached;
  let text: string;
  if (Array.isArray(value)) text = `[${value.map((v) => canonicalJson(v, cache)).join(',')}]`;
  else {
    const keys = Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort();
    text = `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k], cache)}`).join(',')}}`;
  }
  cache?.set(value, text);
  return text;
}
