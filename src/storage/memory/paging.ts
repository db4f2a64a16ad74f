import { decodeKeysetCursor, decodeOffsetCursor, encodeKeysetCursor, encodeOffsetCursor, type SortValue } from '../cursor.js';
import type { Page, PageRequest, SortDirection } from '../types.js';

function compareValues(a: SortValue | Date, b: SortValue | Date): number {
  const x = a instanceof Date ? a.getTime() : a;
  const y = b instanceof Date ? b.getTime() : b;
  if (x === y) return 0;
  if (x === null) return -1;
  if (y === null) return 1;
  return x < y ? -1 : 1;
}

/** Sorts by (key, id) and pages with keyset cursors, like the MongoDB backend. */
export function keysetPage<T extends { id: string }>(
  all: T[],
  key: (item: T) => SortValue | Date,
  direction: SortDirection,
  page: PageRequest,
  /** The sort field's name, as the MongoDB backend names it, so that cursors carry their ordering. */
  field: string,
): Page<T> {
  const order = `${field}:${direction}`;
  const sign = direction === 'asc' ? 1 : -1;
  const sorted = [...all].sort((a, b) => sign * (compareValues(key(a), key(b)) || compareValues(a.id, b.id)));
  let start = 0;
  if (page.after) {
    const c = decodeKeysetCursor(page.after, order);
    start = sorted.findIndex((item) => sign * (compareValues(key(item), c.value) || compareValues(item.id, c.id)) > 0);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + page.first);
  return {
    items,
    cursors: items.map((item) => encodeKeysetCursor(key(item), item.id, order)),
    hasNextPage: start + page.first < sorted.length,
    totalCount: async () => all.length,
  };
}

/** Pages an already-ranked list with offset cursors. */
export function offsetPage<T>(ranked: T[], page: PageRequest): Page<T> {
  const start = decodeOffsetCursor(page.after);
  const items = ranked.slice(start, start + page.first);
  return {
    items,
    cursors: items.map((_, i) => encodeOffsetCursor(start + i)),
    hasNextPage: start + page.first < ranked.length,
    totalCount: async () => ranked.length,
  };
}
