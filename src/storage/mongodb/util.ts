/** Small helpers shared by the MongoDB repositories. */
import type { WithoutId } from 'mongodb';

/** A stored document without its `_id`: the replacement of a replaceOne (the `_id` comes from the filter). */
export function withoutId<T extends { _id: string }>(doc: T): WithoutId<T> {
  const { _id, ...rest } = doc;
  return rest as unknown as WithoutId<T>;
}

export function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

export function mapOrNull<S, T>(value: S | undefined, map: (value: S) => T): T | null {
  return value === undefined ? null : map(value);
}

/** Groups `docs` by `keyOf`, one list per key of `keys` (in that order; docs keep their order). */
export function groupBy<D, T>(keys: readonly string[], docs: readonly D[], keyOf: (doc: D) => string | null, map: (doc: D) => T): T[][] {
  const groups = new Map<string, D[]>();
  for (const doc of docs) {
    const key = keyOf(doc);
    if (key === null) continue;
    const list = groups.get(key) ?? [];
    list.push(doc);
    groups.set(key, list);
  }
  return keys.map((key) => (groups.get(key) ?? []).map(map));
}
