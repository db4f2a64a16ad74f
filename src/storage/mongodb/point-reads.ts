/**
 * Reads of documents by `_id`, the cheapest read on every MongoDB-wire server. One id is always an equality
 * (`findOne({_id})`). Several ids go into one `$in` where the server serves `$in` from its `_id` index, and
 * otherwise into parallel equality reads (at most POINT_READ_CONCURRENCY at a time): FerretDB 1.x pushes only a
 * lone `_id` equality down to its storage, so an `$in` there scans the whole collection (capabilities.ts detects
 * which, once at start-up).
 */
import type { Collection, Document, Filter, FindOptions } from 'mongodb';

/** How a batch of several ids is read (capabilities.ts batchReadsOf). */
export type BatchReads = 'in' | 'points';

/** How many equality reads of one batch are in flight at once (the driver's pool is 100 by default). */
export const POINT_READ_CONCURRENCY = 32;

/** The documents with these ids, by id (missing ones absent). Duplicate ids are read once. */
export async function readByIds<T extends Document & { _id: string }>(
  collection: Collection<T>,
  ids: readonly string[],
  mode: BatchReads,
  options: FindOptions = {},
): Promise<Map<string, T>> {
  const distinct = [...new Set(ids)];
  const byId = new Map<string, T>();
  if (distinct.length === 0) return byId;
  if (distinct.length > 1 && mode === 'in') {
    const docs = (await collection.find({ _id: { $in: distinct } } as Filter<T>, options).toArray()) as T[];
    for (const doc of docs) byId.set(doc._id, doc);
    return byId;
  }
  await eachLimited(distinct, POINT_READ_CONCURRENCY, async (id) => {
    const doc = (await collection.findOne({ _id: id } as Filter<T>, options)) as T | null;
    if (doc) byId.set(id, doc);
  });
  return byId;
}

/** Runs `run` for every item, at most `limit` at a time; rejects with the first error (after all have settled). */
export async function eachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await run(item);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
}
