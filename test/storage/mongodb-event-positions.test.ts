/**
 * How the change log stores its positions (src/storage/mongodb/event-positions.ts): numbers where the server filters
 * a numeric `_id` itself, zero-padded strings where it does not (FerretDB on SQLite decodes every event for
 * `{_id: 10001}`), one format per database, recorded by the first server and kept by a log written before. The
 * conformance suite (events-log.test.ts) runs the whole log on the format its server gets; this file runs the other
 * one too, by recording it before the backend starts, and the rules of the choice.
 */
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { NewEvent } from '../../src/domain/events.js';
import { FORMAT_ID, POSITION_DIGITS, positionKey, positionOf } from '../../src/storage/mongodb/event-positions.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { capabilityProbes, testDatabaseName } from '../support/backends.js';

let client: MongoClient;
const dbs: string[] = [];
const opened: MongoStorageBackend[] = [];

beforeAll(async () => {
  client = await new MongoClient(inject('mongodbUri')).connect();
});
afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  for (const name of dbs) await client.db(name).dropDatabase().catch(() => undefined);
  await client.close();
});

function freshDatabase(): string {
  const name = testDatabaseName();
  dbs.push(name);
  return name;
}

async function open(database: string): Promise<MongoStorageBackend> {
  const storage = await createMongoStorage({ uri: inject('mongodbUri'), database, capabilityProbes });
  opened.push(storage);
  return storage;
}

function event(key: string): NewEvent {
  return {
    key,
    type: 'CONTRACT_CREATED',
    subjectType: 'Contract',
    subjectId: 'c1',
    contractId: 'c1',
    actor: 'alice',
    at: new Date('2030-01-01T00:00:00.000Z'),
    revision: 1,
    version: '1.0.0',
    summary: {},
    audience: [],
  };
}

async function storedIds(database: string): Promise<unknown[]> {
  return (await client.db(database).collection('events').find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
}

async function explainPushdown(database: string, id: unknown): Promise<unknown> {
  return (await client.db(database).command({ explain: { find: 'events', filter: { _id: id } }, verbosity: 'queryPlanner' })).filterPushdown;
}

it('keeps the numbers order in the string keys, and reads either back as the position', () => {
  const ns = [1, 2, 9, 10, 99, 100, 12345, 10001, Number.MAX_SAFE_INTEGER];
  const keys = ns.map((n) => positionKey('string', n) as string);
  expect(keys.every((k) => k.length === POSITION_DIGITS)).toBe(true);
  expect([...keys].sort()).toEqual([...ns].sort((a, b) => a - b).map((n) => positionKey('string', n)));
  expect(keys.map(positionOf)).toEqual(ns);
  expect(positionOf(42)).toBe(42);
  expect(positionKey('number', 42)).toBe(42);
  expect(() => positionOf('12a')).toThrow(/not a position/);
});

describe('a new log', () => {
  it('stores its positions in the format the server filters by itself, and records it', async () => {
    const database = freshDatabase();
    const storage = await open(database);
    const numbers = storage.capabilities.numericIdFilters;
    // FerretDB on SQLite pushes down a string or ObjectId `_id` only (its explain says so); MongoDB and FerretDB on PostgreSQL filter numbers.
    if (storage.capabilities.ferretdb && !storage.capabilities.postgresql) expect(numbers).toBe(false);
    const a = await storage.events.append(event('a'));
    const b = await storage.events.append(event('b'));
    expect([a.position, b.position]).toEqual([1, 2]);
    const ids = await storedIds(database);
    expect(ids).toEqual(numbers ? [1, 2] : ['0000000000000001', '0000000000000002']);
    expect(await client.db(database).collection('event_heads').findOne({ _id: FORMAT_ID as never })).toEqual({ _id: FORMAT_ID, format: numbers ? 'number' : 'string' });
    expect(storage.capabilities.eventPositions).toBe(numbers ? 'number' : 'string');
    // Whatever the format, the log's point read is one the server filters itself.
    expect(await explainPushdown(database, ids[1])).not.toBe(false);
  });

  it('is one format for two servers starting at once, and their appends never share a position', async () => {
    const database = freshDatabase();
    const [s1, s2] = await Promise.all([open(database), open(database)]);
    expect(s1.capabilities.eventPositions).toBe(s2.capabilities.eventPositions);
    await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? s1 : s2).events.append(event(`k${i}`))));
    const ids = await storedIds(database);
    expect(new Set(ids.map((id) => typeof id))).toEqual(new Set([s1.capabilities.eventPositions]));
    expect(ids.map((id) => positionOf(id as number | string)).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((await s2.events.list({ first: 10 })).map((e) => e.key).sort()).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
  });
});

describe('a log written before the format was recorded', () => {
  it('keeps numbers and goes on after its last position', async () => {
    const database = freshDatabase();
    const first = await open(database);
    await first.events.append(event('seed')); // creates the collections; then made to look like an older log
    await first.close();
    const db = client.db(database);
    await db.collection('event_heads').deleteMany({});
    await db.collection('events').deleteMany({});
    await db.collection('events').insertMany([1, 2].map((n) => ({ _id: n as never, ...event(`old${n}`), loggedAt: new Date() })));
    const storage = await open(database);
    expect(storage.capabilities.eventPositions).toBe('number');
    const next = await storage.events.append(event('new'));
    expect(next.position).toBe(3);
    expect(await storedIds(database)).toEqual([1, 2, 3]);
    expect((await storage.events.list({ after: 1, first: 10 })).map((e) => e.key)).toEqual(['old2', 'new']);
  });
});

describe.each(['number', 'string'] as const)('a log recorded as %s', (format) => {
  let storage: MongoStorageBackend;
  let database: string;
  beforeAll(async () => {
    database = freshDatabase();
    await client.db(database).collection('event_heads').insertOne({ _id: FORMAT_ID as never, format });
    storage = await open(database);
  });

  it('appends, pages both ways, resumes, finds the latest and reads by position', async () => {
    expect(storage.capabilities.eventPositions).toBe(format);
    const one = await storage.events.append(event('p1'));
    const batch = await storage.events.appendMany(Array.from({ length: 11 }, (_, i) => event(`p${i + 2}`)));
    expect([one, ...batch].map((e) => e.position)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(new Set((await storedIds(database)).map((id) => typeof id))).toEqual(new Set([format]));
    expect(await storage.events.latest()).toBe(12);
    // 9 → 10 and 99 → 100 sort as numbers in either format
    expect((await storage.events.list({ after: 8, first: 3 })).map((e) => e.position)).toEqual([9, 10, 11]);
    expect((await storage.events.list({ before: 11, first: 3 })).map((e) => e.position)).toEqual([8, 9, 10]);
    expect((await storage.events.list({ first: 2, filter: { contractId: 'c1' } })).map((e) => e.position)).toEqual([1, 2]);
    expect((await storage.events.getByPositions([10, 13, 2])).map((e) => e?.key ?? null)).toEqual(['p10', null, 'p2']);
    const again = await storage.events.append(event('p5')); // idempotent by key
    expect(again.position).toBe(5);
  });

  it('prunes below the latest and keeps positions going', async () => {
    const pruned = await storage.events.prune(new Date(Date.now() + 60_000));
    expect(pruned).toBe(11);
    expect((await storage.events.list({ first: 10 })).map((e) => e.position)).toEqual([12]);
    expect((await storage.events.append(event('after-prune'))).position).toBe(13);
    await expect(storage.events.list({ after: 3, first: 5 })).rejects.toMatchObject({ code: 'CURSOR_EXPIRED', after: 3 });
  });
});
