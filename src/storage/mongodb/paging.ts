/**
 * Paging on MongoDB, with the cursors of ../cursor.ts and the same order as the in-memory backend
 * (memory/paging.ts): keyset pages sort by (key, _id), the direction applying to both — or by (key, then, _id), the
 * id following the second key's direction; one extra item is fetched to know whether there is a next page;
 * totalCount counts the whole filter, only when called.
 */
import type { Collection, Document, Filter, Sort } from 'mongodb';
import { decodeKeysetCursor, decodeOffsetCursor, encodeKeysetCursor, encodeOffsetCursor, secondaryValue, type SortValue } from '../cursor.js';
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
  /** A second sort key (after `key`, before `_id`); `_id` then breaks ties in this key's direction. */
  then?: { key: string; direction: SortDirection; valueOf(doc: TDoc): SortValue | Date };
  map(doc: TDoc): T;
  projection?: Document;
}

/**
 * One page of (key, _id) — or (key, then, _id) — keyset paging. The order tag of the cursors is `key:direction`
 * (`key:direction,then:direction` for two keys), as in memory/paging.ts.
 */
export async function keysetPage<TDoc extends Document & { _id: string }, T>(q: KeysetQuery<TDoc, T>): Promise<Page<T>> {
  const order = q.then ? `${q.key}:${q.direction},${q.then.key}:${q.then.direction}` : `${q.key}:${q.direction}`;
  const after = q.page.after ? decodeKeysetCursor(q.page.after, order) : null;
  const size = pageSize(q.page);
  const dir = q.direction === 'asc' ? 1 : -1;
  const op = q.direction === 'asc' ? '$gt' : '$lt';
  const thenDir = q.then ? (q.then.direction === 'asc' ? 1 : -1) : dir;
  const thenOp = q.then ? (q.then.direction === 'asc' ? '$gt' : '$lt') : op;
  let filter: Filter<TDoc> = q.filter;
  if (after) {
    // Strictly after the cursor position in the (key, [then,] _id) order.
    const or: Document[] = [{ [q.key]: { [op]: after.value } }];
    if (q.then) {
      const thenValue = secondaryValue(after);
      or.push({ [q.key]: after.value, [q.then.key]: { [thenOp]: thenValue } });
      or.push({ [q.key]: after.value, [q.then.key]: thenValue, _id: { [thenOp]: after.id } });
    } else {
      or.push({ [q.key]: after.value, _id: { [op]: after.id } });
    }
    filter = { $and: [q.filter, { $or: or }] } as Filter<TDoc>;
  }
  const sort: Sort = q.then ? { [q.key]: dir, [q.then.key]: thenDir, _id: thenDir } : { [q.key]: dir, _id: dir };
  const docs = (await q.collection
    .find(filter, q.projection ? { projection: q.projection } : {})
    .sort(sort)
    .limit(size + 1)
    .toArray()) as TDoc[];
  const pageDocs = docs.slice(0, size);
  return {
    items: pageDocs.map((d) => q.map(d)),
    cursors: pageDocs.map((d) => encodeKeysetCursor(q.valueOf(d), d._id, order, q.then ? q.then.valueOf(d) : undefined)),
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
