/** Adapts a storage batch read (null where missing) to what a DataLoader batch function returns. */
import { currentRequest } from '../observability/request-scope.js';

export async function loadAll<T>(rows: Promise<(T | null)[]>): Promise<(T | Error)[]> {
  // A missing row resolves the field to null (node(id) on a deleted contract), not to an error.
  const loaded = (await rows) as (T | Error)[];
  // One batch of the node loaders (reads by global id): as many rows as keys.
  currentRequest()?.batches?.('node', loaded.length);
  return loaded;
}
