/**
 * A server-side time limit (`maxTimeMS`) on every operation of the backend's collections, without passing it at each
 * call: each collection is wrapped so that the options argument of its operations gets `maxTimeMS` (an explicit
 * value given by the caller wins, e.g. 0 for a long cursor). `distinct` is left alone: FerretDB 1.x refuses the
 * field there. The client side is bounded by the driver's socket, connect and server-selection timeouts (index.ts).
 */
import type { Collection, Document } from 'mongodb';

/** For each operation: the position of its options argument. */
const OPTIONS_AT: Record<string, number> = {
  find: 1,
  findOne: 1,
  countDocuments: 1,
  aggregate: 1,
  insertOne: 1,
  insertMany: 1,
  deleteOne: 1,
  deleteMany: 1,
  findOneAndDelete: 1,
  bulkWrite: 1,
  updateOne: 2,
  updateMany: 2,
  replaceOne: 2,
  findOneAndUpdate: 2,
  findOneAndReplace: 2,
};

export function withTimeLimit<T extends Document>(collection: Collection<T>, maxTimeMS: number): Collection<T> {
  if (maxTimeMS <= 0) return collection;
  return new Proxy(collection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      const at = typeof property === 'string' ? OPTIONS_AT[property] : undefined;
      if (at === undefined || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const given = (args[at] ?? {}) as { maxTimeMS?: number };
        const limited = [...args];
        while (limited.length < at) limited.push(undefined);
        limited[at] = given.maxTimeMS === undefined ? { ...given, maxTimeMS } : given;
        return (value as (...a: unknown[]) => unknown).apply(target, limited);
      };
    },
  });
}

/** Every collection of `collections` with the limit. */
export function withTimeLimits<C extends object>(collections: C, maxTimeMS: number): C {
  const entries = Object.entries(collections) as [string, Collection<Document>][];
  return Object.fromEntries(entries.map(([k, c]) => [k, withTimeLimit(c, maxTimeMS)])) as C;
}
