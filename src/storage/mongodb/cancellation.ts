/**
 * Reads that stop with their request: each collection is wrapped so that its read operations get the request's
 * abort signal (src/domain/cancellation.ts readSignal: set for queries only, so a write is never cut between its
 * steps). A read whose request was stopped (or whose budget is spent) is not sent, and one in flight is aborted by the driver (`signal`,
 * MongoDB driver 6.13+). An explicit `signal` given by the caller wins.
 */
import type { Collection, Document } from 'mongodb';
import { readSignal, stopPoint } from '../../domain/cancellation.js';

/** For each read operation: the position of its options argument. */
const READS_OPTIONS_AT: Record<string, number> = { find: 1, findOne: 1, countDocuments: 1, aggregate: 1 };

export function withReadSignal<T extends Document>(collection: Collection<T>): Collection<T> {
  return new Proxy(collection, {
    get(target, property) {
      const value = Reflect.get(target, property);
      const at = typeof property === 'string' ? READS_OPTIONS_AT[property] : undefined;
      if (at === undefined || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const signal = readSignal();
        if (!signal) return (value as (...a: unknown[]) => unknown).apply(target, args);
        // A budget spent while the process was busy: its timer may not have fired yet.
        stopPoint();
        const given = (args[at] ?? {}) as { signal?: AbortSignal };
        const withSignal = [...args];
        while (withSignal.length < at) withSignal.push(undefined);
        withSignal[at] = given.signal === undefined ? { ...given, signal } : given;
        return (value as (...a: unknown[]) => unknown).apply(target, withSignal);
      };
    },
  });
}

/** Every collection of `collections`, its reads stopping with their request. */
export function withReadSignals<C extends object>(collections: C): C {
  const entries = Object.entries(collections) as [string, Collection<Document>][];
  return Object.fromEntries(entries.map(([k, c]) => [k, withReadSignal(c)])) as C;
}
