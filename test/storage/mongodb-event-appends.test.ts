/**
 * Group commit of the change log's appends (src/storage/mongodb/group-commit.ts), on a real MongoDB-wire server:
 * appends queued while a write is in flight go out together as the next write (one ordered insertMany), each
 * caller still gets its own stored event, positions follow the order of the calls, the log stays gapless with two
 * appenders on one database, and a failed write rejects exactly the appends it carried.
 */
import type { CommandStartedEvent } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import type { NewEvent, RegistryEvent } from '../../src/domain/events.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { capabilityProbes, testDatabaseName } from '../support/backends.js';

const opened: MongoStorageBackend[] = [];

afterAll(async () => {
  for (const s of opened) await s.dropDatabase().catch(() => undefined);
  for (const s of opened) await s.close().catch(() => undefined);
});

async function open(database = testDatabaseName()): Promise<MongoStorageBackend> {
  const storage = await createMongoStorage({ uri: inject('mongodbUri'), database, capabilityProbes, monitorCommands: true });
  opened.push(storage);
  return storage;
}

function event(key: string, actor = 'alice'): NewEvent {
  return {
    key,
    type: 'RUN_CHANGED',
    subjectType: 'Run',
    subjectId: key,
    contractId: 'c1',
    actor,
    at: new Date('2030-01-01T00:00:00.000Z'),
    revision: null,
    version: null,
    summary: {},
    audience: [],
  };
}

/** The insert commands on the `events` collection the driver sends while `run` runs. */
async function eventInserts<T>(storage: MongoStorageBackend, run: () => Promise<T>): Promise<{ inserts: number; result: T }> {
  let inserts = 0;
  const listener = (e: CommandStartedEvent) => {
    if (e.commandName === 'insert' && e.command.insert === 'events') inserts++;
  };
  storage.client.on('commandStarted', listener);
  try {
    const result = await run();
    return { inserts, result };
  } finally {
    storage.client.off('commandStarted', listener);
  }
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);
const keysOf = (events: RegistryEvent[]) => events.map((e) => e.key);

describe('appends of one process', () => {
  it('16 concurrent appends: gapless positions in call order, in 2 insert commands (the first alone, the 15 queued meanwhile together); a lone append is one insert', async () => {
    const storage = await open();
    await storage.events.append(event('seed'));
    const seen: number[] = [];
    const stop = storage.events.onAppended((e) => seen.push(e.position));
    const keys = range(0, 16).map((i) => `k${i}`);
    const { inserts, result } = await eventInserts(storage, () => Promise.all(keys.map((k) => storage.events.append(event(k)))));
    stop();
    expect(result.map((e) => [e.key, e.position])).toEqual(keys.map((k, i) => [k, i + 2]));
    expect(inserts).toBeLessThan(16);
    expect(inserts).toBe(2);
    expect(seen).toEqual(range(2, 16));
    expect(keysOf(await storage.events.list({ first: 100 }))).toEqual(['seed', ...keys]);

    const lone = await eventInserts(storage, () => storage.events.append(event('lone')));
    expect(lone.result.position).toBe(18);
    expect(lone.inserts).toBe(1);
    expect(await storage.events.latest()).toBe(18);
  });

  it('a key twice among queued appends, and a key already logged: each caller gets the stored event, nothing is logged twice', async () => {
    const storage = await open();
    const old = await storage.events.append(event('old'));
    const { inserts, result } = await eventInserts(storage, () =>
      Promise.all([
        storage.events.append(event('x')), // in flight alone; the rest queue behind it and go out as one write
        storage.events.append(event('y')),
        storage.events.append(event('y', 'bob')), // the same key again: the first one's event
        storage.events.append(event('old')), // logged before: its stored event, and the rest go on at the same position
        storage.events.appendMany([event('z'), event('y')]),
        storage.events.append(event('w')),
      ]),
    );
    const [x, y1, y2, old2, [z, y3], w] = result as [RegistryEvent, RegistryEvent, RegistryEvent, RegistryEvent, RegistryEvent[], RegistryEvent];
    expect([x.position, y1.position, z!.position, w.position]).toEqual([2, 3, 4, 5]);
    expect(y2).toEqual(y1);
    expect(y3).toEqual(y1);
    expect(y1.actor).toBe('alice');
    expect(old2).toEqual(old);
    // x alone; then [y, old, z, w] stops at the logged key and [z, w] follows
    expect(inserts).toBe(3);
    expect(keysOf(await storage.events.list({ first: 100 }))).toEqual(['old', 'x', 'y', 'z', 'w']);
    expect(await storage.events.count()).toBe(5);
  });

  it('a failing write rejects exactly the appends it carried; one queued behind it, and later ones, succeed', async () => {
    const storage = await open();
    // Larger than the server's maximum document (16 MiB): the insert of the write carrying it fails.
    const tooLarge: NewEvent = { ...event('too-large'), summary: { note: 'x'.repeat(17 * 1024 * 1024) } };
    const first = storage.events.append(event('first')); // in flight alone
    const failing = [storage.events.append(tooLarge), storage.events.append(event('a')), storage.events.appendMany([event('b1'), event('b2')])];
    // Queued while the failing write is in flight (called once `first` settled, after the next write left): the write after it.
    const behind = first.then(() => storage.events.append(event('behind')));
    const outcomes = await Promise.allSettled(failing);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const errors = outcomes.map((o) => (o as PromiseRejectedResult).reason as Error);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(errors[1]).toBe(errors[0]);
    expect(errors[2]).toBe(errors[0]);
    expect((await first).position).toBe(1);
    expect((await behind).position).toBe(2);
    expect((await storage.events.append(event('a'))).position).toBe(3);
    expect(keysOf(await storage.events.list({ first: 100 }))).toEqual(['first', 'behind', 'a']);
    expect(await storage.events.getByKeys(['too-large', 'b1', 'b2'])).toEqual([null, null, null]);
  });
});

describe('two appenders on one database', () => {
  it('appending concurrently (each batching its own queue): a gapless log, every key exactly once, each instance’s positions in its call order', async () => {
    const database = testDatabaseName();
    const s1 = await open(database);
    const s2 = await open(database);
    const calls = range(0, 40).map((i) => ({ storage: i % 2 ? s1 : s2, key: `k${i}` }));
    // And keys of the other instance again, and a batch: idempotent across instances.
    const again = [s1.events.append(event('k0')), s2.events.append(event('k1')), s1.events.appendMany([event('k2'), event('m1')]), s2.events.appendMany([event('m2'), event('k3')])];
    const results = await Promise.all([...calls.map((c) => c.storage.events.append(event(c.key))), ...again]);
    const firsts = results.slice(0, 40) as RegistryEvent[];
    const [k0, k1, [k2, m1], [m2, k3]] = results.slice(40) as [RegistryEvent, RegistryEvent, RegistryEvent[], RegistryEvent[]];
    const byKey = new Map(firsts.map((e) => [e.key, e.position]));
    expect([k0.position, k1.position, k2!.position, k3!.position]).toEqual(['k0', 'k1', 'k2', 'k3'].map((k) => byKey.get(k)));
    const log = await s1.events.list({ first: 100 });
    expect(log.map((e) => e.position)).toEqual(range(1, 42));
    expect(new Set(keysOf(log)).size).toBe(42);
    expect(keysOf(log).sort()).toEqual([...calls.map((c) => c.key), 'm1', 'm2'].sort());
    expect(log.find((e) => e.key === 'm1')?.position).toBe(m1!.position);
    expect(log.find((e) => e.key === 'm2')?.position).toBe(m2!.position);
    // Keys only one instance appends (not k0–k3, which both do): in the order that instance called.
    for (const storage of [s1, s2]) {
      const own = firsts.filter((_, i) => i >= 4 && calls[i]!.storage === storage).map((e) => e.position);
      expect(own).toHaveLength(18);
      expect(own).toEqual([...own].sort((a, b) => a - b));
    }
    expect(await s2.events.latest()).toBe(42);
  });
});
