/**
 * Paging on MongoDB, with the cursors of ../cursor.ts and the same order as the in-memory backend
 * (memory/paging.ts): keyset pages sort by (key, _id), the direction applying to both — or by (key, then, _id), the
 * id following the second key's direction; one extra item is fetched to know whether there is a next page (a
 * previous one, paging backward: the list is read in reverse from `before`);
 * totalCount counts the whole filter, only when called.
 */
import type { Collection, Document, Filter, Sort } from 'mongodb';
import { decodeKeysetCursor, encodeKeysetCursor, encodeOffsetCursor, offsetWindow, pageCursor, pageSize, secondaryValue, type SortValue } from '../cursor.js';
import type { Page, PageRequest, SortDirection } from '../types.js';

// A page size of 0 reads nothing: limit(0 + 1) (a limit of 0 would mean "no limit" to MongoDB).
export { offsetWindow, pageSize };

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
  const { backward, cursor: raw, arg } = pageCursor(q.page);
  const cursor = raw ? decodeKeysetCursor(raw, order, arg) : null;
  const size = pageSize(q.page);
  // Backward pages read the list in reverse from the cursor, then put the page back in list order.
  const flip = (d: SortDirection): SortDirection => (backward ? (d === 'asc' ? 'desc' : 'asc') : d);
  const direction = flip(q.direction);
  const dir = direction === 'asc' ? 1 : -1;
  const op = direction === 'asc' ? '$gt' : '$lt';
  const thenDir = q.then ? (flip(q.then.direction) === 'asc' ? 1 : -1) : dir;
  const thenOp = q.then ? (flip(q.then.direction) === 'asc' ? '$gt' : '$lt') : op;
  let filter: Filter<TDoc> = q.filter;
  if (cursor) {
    // Strictly past the cursor position in the (key, [then,] _id) order read.
    const or: Document[] = [{ [q.key]: { [op]: cursor.value } }];
    if (q.then) {
      const thenValue = secondaryValue(cursor);
      or.push({ [q.key]: cursor.value, [q.then.key]: { [thenOp]: thenValue } });
      or.push({ [q.key]: cursor.value, [q.then.key]: thenValue, _id: { [thenOp]: cursor.id } });
    } else {
      or.push({ [q.key]: cursor.value, _id: { [op]: cursor.id } });
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
  if (backward) pageDocs.reverse();
  const more = docs.length > size;
  return {
    items: pageDocs.map((d) => q.map(d)),
    cursors: pageDocs.map((d) => encodeKeysetCursor(q.valueOf(d), d._id, order, q.then ? q.then.valueOf(d) : undefined)),
    hasNextPage: backward ? raw !== null : more,
    hasPreviousPage: backward ? more : raw !== null,
    totalCount: lazyCount(q.collection, q.filter),
  };
}

/** totalCount of a page: countDocuments over the whole filter, run only when called. */
export function lazyCount<TDoc extends Document>(collection: Collection<TDoc>, filter: Filter<TDoc>): () => Promise<number> {
  return () => collection.countDocuments(filter);
}

export function emptyPage<T>(): Page<T> {
  return { items: [], cursors: [], hasNextPage: false, hasPreviousPage: false, totalCount: async () => 0 };
}

/** Pages an already-ranked, complete list with offset cursors, like memory/paging.ts offsetPage. */
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

export { encodeOffsetCursor };
