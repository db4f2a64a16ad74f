/**
 * Opaque page cursors shared by the backends. A keyset cursor holds the sort value and id of the last item seen;
 * an offset cursor (used for ranked search) holds a position. Both are base64url JSON; a cursor that does not
 * decode is a ValidationError on `after` (or `before`).
 */
import { ValidationError } from '../domain/errors.js';
import type { PageRequest } from './types.js';

export type SortValue = string | number | null;

/**
 * `order` names the ordering (e.g. `name:asc`): a cursor is only valid for the ordering that produced it.
 * `then` is the value of a secondary sort key, for orderings on two keys (e.g. `severityRank:asc,detectedAt:desc`).
 */
export function encodeKeysetCursor(value: SortValue | Date, id: string, order: string, then?: SortValue | Date): string {
  const parts: unknown[] = ['k', encodeValue(value), id, order];
  if (then !== undefined) parts.push(encodeValue(then));
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The sort value(s) and id of the cursor. `then` is present only for a cursor of a two-key ordering. */
export function decodeKeysetCursor(
  cursor: string,
  order: string,
  arg: 'after' | 'before' = 'after',
): { value: SortValue | Date; id: string; then?: SortValue | Date } {
  const parsed = parse(cursor, arg);
  if (parsed[0] !== 'k' || typeof parsed[2] !== 'string' || parsed.length > 5) throw invalid(arg);
  if (parsed[3] !== order) {
    throw ValidationError.single(arg, 'was returned by a list in another order; start again without it', 'invalid_cursor');
  }
  const decoded: { value: SortValue | Date; id: string; then?: SortValue | Date } = { value: decodeValue(parsed[1]), id: parsed[2] };
  if (parsed.length === 5) decoded.then = decodeValue(parsed[4]);
  return decoded;
}

/** The secondary sort value of a two-key cursor; a cursor without one is not a cursor of that list. */
export function secondaryValue(decoded: { then?: SortValue | Date }): SortValue | Date {
  if (decoded.then === undefined) throw invalid();
  return decoded.then;
}

function encodeValue(value: SortValue | Date): unknown {
  return value instanceof Date ? { d: value.getTime() } : value;
}

function decodeValue(raw: unknown): SortValue | Date {
  if (raw && typeof raw === 'object' && typeof (raw as { d?: unknown }).d === 'number') return new Date((raw as { d: number }).d);
  if (raw !== null && typeof raw !== 'string' && typeof raw !== 'number') throw invalid();
  return raw as SortValue;
}

export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(JSON.stringify(['o', offset])).toString('base64url');
}

export function decodeOffsetCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  return offsetOf(cursor, 'after') + 1;
}

/** The position an offset cursor names. */
function offsetOf(cursor: string, arg: 'after' | 'before'): number {
  const parsed = parse(cursor, arg);
  if (parsed[0] !== 'o' || !Number.isInteger(parsed[1]) || (parsed[1] as number) < 0) throw invalid(arg);
  return parsed[1] as number;
}

/** The cursor a page request starts from (`after` forward, `before` backward), and its direction. */
export function pageCursor(page: PageRequest): { backward: boolean; cursor: string | null; arg: 'after' | 'before' } {
  return 'last' in page ? { backward: true, cursor: page.before ?? null, arg: 'before' } : { backward: false, cursor: page.after ?? null, arg: 'after' };
}

/** How many items a page holds: `first` or `last`, never negative. */
export function pageSize(page: PageRequest): number {
  const n = Math.floor('last' in page ? page.last : page.first);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

/**
 * The window [start, start + size) of an offset-paged (ranked) list of `length` items, with the page's flags:
 * forward from after `after`; backward ending before `before` (or at the end). Validates the cursor.
 */
export async function offsetWindow(
  page: PageRequest,
  length: () => number | Promise<number>,
): Promise<{ start: number; size: number; hasPreviousPage: boolean; hasNextPage: (fetched: number) => boolean }> {
  const size = pageSize(page);
  if (!('last' in page)) {
    const start = decodeOffsetCursor(page.after);
    return { start, size, hasPreviousPage: page.after != null, hasNextPage: (fetched) => fetched > size };
  }
  const end = page.before != null ? offsetOf(page.before, 'before') : await length();
  const start = Math.max(0, end - size);
  return { start, size: end - start, hasPreviousPage: start > 0, hasNextPage: () => page.before != null };
}

function parse(cursor: string, arg: 'after' | 'before' = 'after'): unknown[] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value)) return value;
  } catch {
    // fall through
  }
  throw invalid(arg);
}

function invalid(arg: 'after' | 'before' = 'after'): ValidationError {
  return ValidationError.single(arg, 'is not a cursor returned by this list', 'invalid_cursor');
}
