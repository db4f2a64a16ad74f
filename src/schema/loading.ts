/** Adapts a storage batch read (null where missing) to what a DataLoader batch function returns. */
export async function loadAll<T>(rows: Promise<(T | null)[]>): Promise<(T | Error)[]> {
  // A missing row resolves the field to null (node(id) on a deleted contract), not to an error.
  return (await rows) as (T | Error)[];
}
