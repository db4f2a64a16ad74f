/**
 * Paging on MongoDB, with the cursors of ../cursor.ts and the same order as the in-memory backend
 * (memory/paging.ts): keyset pages sort by (key, _id), the direction applying to both; one extra item is fetched
 * to know whether there is a next page; totalCount counts the whole filter, only when called.
 */
import type { Collection, Document, Filter, Sort } from 'mongodb';
import { decodeKeysetCursor, decodeOffsetCursor, encodeKeysetCursor, encodeOffsetCursor, type SortValue } from '../cursor.js';
import type { Page, PageRequest, SortDirection } from '../types.js';

/** How many items a page holds: `first`, never negative (a limit of 0 means "no limit" to MongoDB). */
export function pageSize(page: PageRequest): number {
  const n = Math.floor(page.first);
  return Number.isFinite(n) && n > 0 ? n : 0;
}

export interface KeysetQuery<TDoc extends Document & { _id: string }, T> {
  collection: Collection<TDoc>;
  filter: Filter<TDoc>;
  /** The stored field sorted on (then `_id`). */
  key: string;
  direction: SortDirection;
  page: PageRequest;
  /** The cursor value of a stored document: the value of `key`. */
  valueOf(doc: TDoc): SortValue | Date;
  map(doc: TDoc): T;
  projection?: Document;
}

export async function keysetPage<TDoc extends Document & { _id: string }, T>(q: KeysetQuery<TDoc, T>): Promise<Page<T>> {
  const order = `${q.key}:${q.direction}`;
  const after = q.page.after ? decodeKeysetCursor(q.page.after, order) : null;
  const size = pageSize(q.page);
  const dir = q.direction === 'asc' ? 1 : -1;
  const op = q.direction === 'asc' ? '$gt' : '$lt';
  const filter: Filter<TDoc> = after
    ? ({
        $and: [
          q.filter,
          { $or: [{ [q.key]: { [op]: after.value } }, { [q.key]: after.value, _id: { [op]: after.id } }] },
        ],
      } as Filter<TDoc>)
    : q.filter;
  const sort: Sort = { [q.key]: dir, _id: dir };
  const docs = (await q.collection
    .find(filter, q.projection ? { projection: q.projection } : {})
    .sort(sort)
    .limit(size + 1)
    .toArray()) as TDoc[];
  const pageDocs = docs.slice(0, size);
  return {
    items: pageDocs.map((d) => q.map(d)),
    cursors: pageDocs.map((d) => encodeKeysetCursor(q.valueOf(d), d._id, order)),
    hasNextPage: docs.length > size,
    totalCount: lazyCount(q.collection, q.filter),
  };
}

/** totalCount of a page: countDocuments over the whole filter, run only when called. */
export function lazyCount<TDoc extends Document>(collection: Collection<TDoc>, filter: Filter<TDoc>): () => Promise<number> {
  return () => collection.countDocuments(filter);
}

export function emptyPage<T>(): Page<T> {
  return { items: [], cursors: [], hasNextPage: false, totalCount: async () => 0 };
}

/** The first position of an offset-paged list (validates the cursor). */
export function offsetStart(page: PageRequest): number {
  return decodeOffsetCursor(page.after);
}

/** Pages an already-ranked, complete list with offset cursors, like memory/paging.ts offsetPage. */
export function offsetPage<T>(ranked: T[], page: PageRequest): Page<T> {
  const start = offsetStart(page);
  const size = pageSize(page);
  const items = ranked.slice(start, start + size);
  return {
    items,
    cursors: items.map((_, i) => encodeOffsetCursor(start + i)),
    hasNextPage: start + size < ranked.length,
    totalCount: async () => ranked.length,
  };
}

export { encodeOffsetCursor };
