/**
 * The size and nesting limits of a JSON value sent to the registry (a contract document, or any JSON argument).
 * Measured without recursion, so that a value nested 100,000 deep is measured, not a stack overflow; it stops at
 * the first limit passed. Pure: no I/O.
 */
export interface DocumentLimits {
  /** Bytes of the value written as JSON (UTF-8). */
  maxBytes: number;
  /** Nesting of objects and arrays. */
  maxDepth: number;
}

/** The nesting allowed by default (GRIOT_MAX_DOCUMENT_DEPTH): MongoDB stores at most 100 levels, its own included. */
export const DEFAULT_DOCUMENT_DEPTH = 64;

export type DocumentLimitProblem = { limit: 'bytes'; max: number } | { limit: 'depth'; max: number };

/** The first limit `value` passes, or null. The byte count is JSON.stringify's, computed as it goes. */
export function documentLimitProblem(value: unknown, limits: DocumentLimits): DocumentLimitProblem | null {
  let bytes = 0;
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current === 'boolean') bytes += current === true ? 4 : current === false ? 5 : 4;
    else if (typeof current === 'number') bytes += Number.isFinite(current) ? String(current).length : 4;
    else if (typeof current === 'string') bytes += Buffer.byteLength(current, 'utf8') + 2;
    else if (typeof current === 'object') {
      if (depth + 1 > limits.maxDepth) return { limit: 'depth', max: limits.maxDepth };
      if (Array.isArray(current)) {
        bytes += 2 + Math.max(0, current.length - 1);
        for (const item of current) stack.push({ value: item, depth: depth + 1 });
      } else {
        const entries = Object.entries(current as Record<string, unknown>);
        bytes += 2 + Math.max(0, entries.length - 1);
        for (const [key, item] of entries) {
          if (item === undefined) continue;
          bytes += Buffer.byteLength(key, 'utf8') + 3;
          stack.push({ value: item, depth: depth + 1 });
        }
      }
    }
    if (bytes > limits.maxBytes) return { limit: 'bytes', max: limits.maxBytes };
  }
  return null;
}
