import { decodeKeysetCursor, encodeKeysetCursor, encodeOffsetCursor, offsetWindow, pageCursor, pageSize, secondaryValue, type SortValue } from '../cursor.js';
import type { Page, PageRequest, SortDirection } from '../types.js';

function compareValues(a: SortValue | Date, b: SortValue | Date): number {
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  return x < y ? -1 : 1;
}

/** A second sort key (for orderings on two keys); the id then breaks ties in this key's direction. */
export interface SecondaryKey<T> {
  key: (item: T) => SortValue | Date;
  direction: SortDirection;
  /** The field's name, as the MongoDB backend names it. */
  field: string;
}

/**
 * Sorts by (key, id) — or (key, then, id) — and pages with keyset cursors, like the MongoDB backend: the id breaks
 * ties in the direction of the last key.
 */
export function keysetPage<T extends { id: string }>(
  all: T[],
  key: (item: T) => SortValue | Date,
  direction: SortDirection,
  page: PageRequest,
  /** The sort field's name, as the MongoDB backend names it, so that cursors carry their ordering. */
  field: string,
  then?: SecondaryKey<T>,
): Page<T> {
  const order = then ? `${field}:${direction},${then.field}:${then.direction}` : `${field}:${direction}`;
  const sign = direction === 'asc' ? 1 : -1;
  const thenSign = then ? (then.direction === 'asc' ? 1 : -1) : sign;
  type Position = { value: SortValue | Date; then: SortValue | Date | null; id: string };
  const number = (v: SortValue | Date): SortValue | Date => (v instanceof Date ? v.getTime() : v);
  const positionOf = (item: T): Position => ({ value: number(key(item)), then: then ? number(then.key(item)) : null, id: item.id });
  const compare = (a: Position, b: Position) =>
    sign * compareValues(a.value, b.value) || thenSign * compareValues(a.then, b.then) || thenSign * compareValues(a.id, b.id);
  // Each item's position is computed once, not once per comparison.
  const positioned = all.map((item) => ({ item, position: positionOf(item) }));
  positioned.sort((a, b) => compare(a.position, b.position));
  const sorted = positioned.map((p) => p.item);
  const positions = positioned.map((p) => p.position);
  const { backward, cursor: raw, arg } = pageCursor(page);
  const size = pageSize(page);
  let cursor: Position | null = null;
  if (raw) {
    const c = decodeKeysetCursor(raw, order, arg);
    cursor = { value: c.value, then: then ? secondaryValue(c) : null, id: c.id };
  }
  let start: number;
  let end: number;
  if (!backward) {
    start = cursor ? positions.findIndex((p) => compare(p, cursor) > 0) : 0;
    if (start < 0) start = sorted.length;
    end = Math.min(sorted.length, start + size);
  } else {
    end = cursor ? positions.findIndex((p) => compare(p, cursor) >= 0) : sorted.length;
    if (end < 0) end = sorted.length;
    start = Math.max(0, end - size);
  }
  const items = sorted.slice(start, end);
  return {
    items,
    cursors: items.map((item) => encodeKeysetCursor(key(item), item.id, order, then ? then.key(item) : undefined)),
    hasNextPage: backward ? raw !== null : end < sorted.length,
    hasPreviousPage: backward ? start > 0 : raw !== null,
    totalCount: async () => all.length,
  };
}

/** Pages an already-ranked list with offset cursors. */
export async function offsetPage<T>(ranked: T[], page: PageRequest): Promise<Page<T>> {
  const w = await offsetWindow(page, () => ranked.length);
  const items = ranked.slice(w.start, w.start + w.size);
  return {
    items,
    cursors: items.map((_, i) => encodeOffsetCursor(w.start + i)),
    hasNextPage: w.hasNextPage(ranked.length - w.start),
    hasPreviousPage: w.hasPreviousPage,
    totalCount: async () => ranked.length,
  };
}
