/**
 * Opaque page cursors shared by the backends. A keyset cursor holds the sort value and id of the last item seen;
 * an offset cursor (used for ranked search) holds a position. Both are base64url JSON; a cursor that does not
 * decode is a ValidationError on `after`.
 */
import { ValidationError } from '../domain/errors.js';

export type SortValue = string | number | null;

/** `order` names the ordering (e.g. `name:asc`): a cursor is only valid for the ordering that produced it. */
export function encodeKeysetCursor(value: SortValue | Date, id: string, order: string): string {
  const v = value instanceof Date ? { d: value.getTime() } : value;
  return Buffer.from(JSON.stringify(['k', v, id, order])).toString('base64url');
}

export function decodeKeysetCursor(cursor: string, order: string): { value: SortValue | Date; id: string } {
  const parsed = parse(cursor);
  if (parsed[0] !== 'k' || typeof parsed[2] !== 'string') throw invalid();
  if (parsed[3] !== order) {
    throw ValidationError.single('after', 'was returned by a list in another order; start again without it', 'invalid_cursor');
  }
  const raw = parsed[1];
  if (raw && typeof raw === 'object' && typeof (raw as { d?: unknown }).d === 'number') {
    return { value: new Date((raw as { d: number }).d), id: parsed[2] };
  }
  if (raw !== null && typeof raw !== 'string' && typeof raw !== 'number') throw invalid();
  return { value: raw as SortValue, id: parsed[2] };
}

export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(JSON.stringify(['o', offset])).toString('base64url');
}

export function decodeOffsetCursor(cursor: string | null | undefined): number {
  if (!cursor) return 0;
  const parsed = parse(cursor);
  if (parsed[0] !== 'o' || !Number.isInteger(parsed[1]) || (parsed[1] as number) < 0) throw invalid();
  return (parsed[1] as number) + 1;
}

function parse(cursor: string): unknown[] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value)) return value;
  } catch {
    // fall through
  }
  throw invalid();
}

function invalid(): ValidationError {
  return ValidationError.single('after', 'is not a cursor returned by this list', 'invalid_cursor');
}
