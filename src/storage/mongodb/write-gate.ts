/**
 * The change log's intent goes to the database right before a write's first write command, not before the write
 * begins (issue 10: a write refused for bad input, a conflict or a missing subject sends no write command at all).
 * Each data collection is wrapped so that its write operations first await the gate of the write they run in (an
 * AsyncLocalStorage scope opened by the recorder, recorder.ts); the gate opens once (it inserts the intent), and
 * every later write of that scope, in parallel or not, waits for it. Outside a scope (start-up, migrations, the
 * repair passes) writes go straight through.
 *
 * Claims (`write_claims`), key turns (`key_turns`, key-turns.ts) and key documents (`contract_keys`) are not gated: they change nothing a reader sees as
 * the registry's state and need no event (a key or claim a crash left behind is taken over, claims.ts, keys.ts),
 * and their inserts are how some refusals are found (a name in use is a duplicate key) without a read first.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Collection, Document } from 'mongodb';

const WRITES = new Set([
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
  'findOneAndUpdate',
  'findOneAndReplace',
  'findOneAndDelete',
  'bulkWrite',
]);

interface Gate {
  open(): Promise<void>;
}

const scope = new AsyncLocalStorage<Gate>();

/**
 * Runs `write` so that `open` runs (once) before its first gated write command. A failure of `open` fails that
 * write command (and so the write) before it is sent.
 */
export async function gateWrites<T>(open: () => Promise<void>, write: () => Promise<T>): Promise<T> {
  let opening: Promise<void> | null = null;
  const gate: Gate = {
    open: () => (opening ??= open()),
  };
  return scope.run(gate, write);
}

export function withWriteGate<T extends Document>(collection: Collection<T>): Collection<T> {
  return new Proxy(collection, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !WRITES.has(property) || typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        const gate = scope.getStore();
        if (gate) await gate.open();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}

/** Every collection of `collections` gated, except those named in `ungated`. */
export function withWriteGates<C extends object>(collections: C, ungated: readonly (keyof C)[] = []): C {
  const entries = Object.entries(collections) as [string, Collection<Document>][];
  return Object.fromEntries(entries.map(([k, c]) => [k, ungated.includes(k as keyof C) ? c : withWriteGate(c)])) as C;
}
