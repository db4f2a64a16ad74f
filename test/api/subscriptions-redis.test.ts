/**
 * Fan-out across instances: two servers, each with its own storage connection to ONE database (FerretDB) — as two
 * processes would be — and each with its own hub. A write on A reaches a subscriber on B through Redis pub/sub
 * (polling is slowed down to ten minutes, so only Redis can have woken B); and without a bus (a lost message), B
 * still gets every event, late, from the log at its next poll. Needs a shared database, so it runs on FerretDB
 * only (the in-memory backend cannot be shared by two instances).
 */
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { createLive, type Live, type LiveOptions } from '../../src/live/index.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { LiveCreateContractDocument, LiveRegistryEventsDocument } from '../gql/graphql.js';
import { testDatabaseName } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { subscribe, type Subscription } from '../support/sse.js';

function fail(e: unknown): never {
  throw e;
}

const key = randomBytes(24).toString('base64url');
const headers = { 'x-api-key': key };
const auth = { apiKeys: [{ name: 'ana', roles: ['editor' as const], sha256: hashApiKey(key) }] };

interface Instance {
  storage: StorageBackend;
  live: Live;
  client: TestClient;
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

async function instance(database: string, options: Partial<LiveOptions>): Promise<Instance> {
  const storage = await createMongoStorage({ uri: inject('mongodbUri'), database });
  const live = createLive(storage, { heartbeatMs: 60_000, ...options }, { channel: `griot-test:${database}`, announce: false });
  cleanups.push(() => storage.close(), () => live.close());
  await live.hub.ready();
  return { storage, live, client: createTestClient(storage, fail, { as: { headers }, auth, server: { live } }) };
}

function watch(i: Instance): Subscription<unknown> {
  const s = subscribe(i.client.yoga, headers, LiveRegistryEventsDocument, {});
  cleanups.push(() => s.end());
  return s as Subscription<unknown>;
}

async function create(i: Instance, name: string): Promise<void> {
  const r = await i.client.run(LiveCreateContractDocument, { input: { document: contractDocument({ name }) } });
  expect(r.createContract.__typename).toBe('CreateContractSuccess');
}

function eventOf(r: { data?: unknown; errors?: unknown }) {
  expect(r.errors).toBeUndefined();
  return (r.data as { registryEvents: { type: string; summary: { name?: string }; position: number } }).registryEvents;
}

describe('subscriptions across instances', () => {
  it('a write on instance A reaches a subscriber on instance B through Redis', async () => {
    const redisUrl = inject('redisUrl');
    expect(redisUrl, `no Redis for the fan-out test: ${inject('redisProblem')}`).not.toBe('');
    const database = testDatabaseName();
    const a = await instance(database, { redisUrl, pollMs: 600_000 });
    const b = await instance(database, { redisUrl, pollMs: 600_000 });
    cleanups.push(async () => {
      const dropper = await createMongoStorage({ uri: inject('mongodbUri'), database });
      await dropper.dropDatabase();
      await dropper.close();
    });
    expect(a.live.hub.busKind).toBe('redis');
    const onB = watch(b);
    const onA = watch(a);
    // Both streams live (their starting point read) before the write: a fixed pause raced a loaded machine.
    await Promise.all([onB.started(), onA.started()]);

    await create(a, 'fanout_one');
    // Woken by Redis: B's poll is every ten minutes, so an event that arrives within this test came over the bus
    // (a wall-clock bound here, 5 s from before the write, failed on a loaded machine while the write itself ran).
    const seenOnB = eventOf(await onB.next(5_000));
    expect(seenOnB).toMatchObject({ type: 'CONTRACT_CREATED', summary: { name: 'fanout_one' } });
    expect(eventOf(await onA.next(5_000)).position).toBe(seenOnB.position);

    // And the other way round, several in a row: each once, in order.
    for (const name of ['fanout_two', 'fanout_three', 'fanout_four']) await create(b, name);
    const names = [eventOf(await onA.next(5_000)), eventOf(await onA.next(5_000)), eventOf(await onA.next(5_000))].map((e) => e.summary.name);
    expect(names).toEqual(['fanout_two', 'fanout_three', 'fanout_four']);
    expect(await onA.drain(200)).toEqual([]);
  });

  it('without a bus between them (a lost message), B still gets every event from the log at its next poll', async () => {
    const database = testDatabaseName();
    const a = await instance(database, { pollMs: 600_000 });
    const b = await instance(database, { pollMs: 300 });
    cleanups.push(async () => {
      const dropper = await createMongoStorage({ uri: inject('mongodbUri'), database });
      await dropper.dropDatabase();
      await dropper.close();
    });
    expect(b.live.hub.busKind).toBe('in-process');
    const onB = watch(b);
    await onB.started();
    await create(a, 'lost_one');
    await create(a, 'lost_two');
    const names = [eventOf(await onB.next(10_000)), eventOf(await onB.next(10_000))].map((e) => e.summary.name);
    expect(names).toEqual(['lost_one', 'lost_two']);
  });
});
