/**
 * Conformance: the EventRepository of every backend itself — positions, idempotent append by key, resuming by
 * cursor exactly once, filters, backward pages, concurrent appenders, batches (appendMany), the in-process notification, retention
 * (prune and the expired-cursor error). The events each write appends are in events.test.ts.
 */
import { describe, expect, it } from 'vitest';
import type { EventType, NewEvent, RegistryEvent } from '../../src/domain/events.js';
import { ExpiredCursorError } from '../../src/domain/errors.js';
import { backends } from '../support/backends.js';
import { rejection, useBackend } from './helpers.js';

function event(key: string, fields: Partial<NewEvent> = {}): NewEvent {
  return {
    key,
    type: 'CONTRACT_CREATED' as EventType,
    subjectType: 'Contract',
    subjectId: 'c1',
    contractId: 'c1',
    actor: 'alice',
    at: new Date('2030-01-01T00:00:00.000Z'),
    revision: 1,
    version: '1.0.0',
    summary: { name: 'orders', breaking: false },
    audience: [],
    ...fields,
  };
}

const positions = (events: RegistryEvent[]) => events.map((e) => e.position);
const keys = (events: RegistryEvent[]) => events.map((e) => e.key);

describe.each(backends)('$name backend', (backend) => {
  const storage = useBackend(backend);
  const log = () => storage().events;

  it('appends at positions 1, 2, 3… and keeps every field', async () => {
    expect(await log().latest()).toBe(0);
    const a = await log().append(event('a', { audience: ['bob'], summary: { requiredBump: 'major', breaking: true } }));
    const b = await log().append(event('b', { type: 'RUN_CHANGED', subjectType: 'Run', subjectId: 'r1', actor: null, revision: null, version: null }));
    expect(a).toEqual({ ...event('a', { audience: ['bob'], summary: { requiredBump: 'major', breaking: true } }), position: 1, loggedAt: expect.any(Date) });
    expect(b.position).toBe(2);
    expect(b.actor).toBeNull();
    expect(await log().latest()).toBe(2);
    expect(await log().list({ first: 10 })).toEqual([a, b]);
    expect(await log().getByPositions([2, 7, 1])).toEqual([b, null, a]);
    expect(await log().getByKeys(['b', 'zz'])).toEqual([b, null]);
  });

  it('is idempotent by key: a second append returns the stored event and appends nothing', async () => {
    const first = await log().append(event('contract:c1:created'));
    const again = await log().append(event('contract:c1:created', { actor: 'mallory', summary: { other: 1 } }));
    expect(again).toEqual(first);
    expect(await log().latest()).toBe(1);
    expect(await log().list({ first: 10 })).toHaveLength(1);
  });

  it('resumes from a cursor with exactly the events after it, in position order', async () => {
    for (let i = 1; i <= 7; i++) await log().append(event(`k${i}`));
    const page1 = await log().list({ first: 3 });
    expect(positions(page1)).toEqual([1, 2, 3]);
    const page2 = await log().list({ first: 3, after: page1[2]!.position });
    expect(positions(page2)).toEqual([4, 5, 6]);
    await log().append(event('k8'));
    const page3 = await log().list({ first: 3, after: page2[2]!.position });
    expect(keys(page3)).toEqual(['k7', 'k8']);
    expect(await log().list({ first: 3, after: 8 })).toEqual([]);
  });

  it('pages backward: the last events before a position, still ascending', async () => {
    for (let i = 1; i <= 6; i++) await log().append(event(`k${i}`));
    expect(positions(await log().list({ first: 2, before: 6 }))).toEqual([4, 5]);
    expect(positions(await log().list({ first: 10, before: 3 }))).toEqual([1, 2]);
    expect(positions(await log().list({ first: 10, before: 6, after: 3 }))).toEqual([4, 5]);
  });

  it('filters by types, contract, actor, audience and subject', async () => {
    await log().append(event('1', { type: 'CONTRACT_CREATED', contractId: 'c1', actor: 'alice' }));
    await log().append(event('2', { type: 'RUN_CHANGED', contractId: 'c2', actor: 'ci', subjectId: 'r1' }));
    await log().append(event('3', { type: 'APPROVAL_REQUESTED', contractId: 'c1', actor: 'alice', audience: ['bob', 'carol'], subjectId: 'a1' }));
    await log().append(event('4', { type: 'ISSUE_OPENED', contractId: 'c2', actor: 'alice', subjectId: 'i1' }));
    const list = async (filter: object, after?: number) => keys(await log().list({ first: 10, filter, after }));
    expect(await list({ types: ['RUN_CHANGED', 'ISSUE_OPENED'] })).toEqual(['2', '4']);
    expect(await list({ types: ['ISSUE_OPENED'] })).toEqual(['4']);
    expect(await list({ contractId: 'c1' })).toEqual(['1', '3']);
    expect(await list({ actor: 'alice' })).toEqual(['1', '3', '4']);
    expect(await list({ actor: 'alice', contractId: 'c2' })).toEqual(['4']);
    expect(await list({ audience: 'carol' })).toEqual(['3']);
    expect(await list({ subjectId: 'r1' })).toEqual(['2']);
    expect(await list({ contractId: 'c1' }, 1)).toEqual(['3']);
    expect(await list({ types: [] })).toEqual(['1', '2', '3', '4']);
  });

  it('concurrent appends take distinct, gapless positions; concurrent appends of one key store one event', async () => {
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => log().append(event(`c${i}`))));
    expect([...positions(many)].sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const same = await Promise.all(Array.from({ length: 5 }, () => log().append(event('same'))));
    expect(new Set(positions(same)).size).toBe(1);
    expect(await log().latest()).toBe(21);
    expect(positions(await log().list({ first: 100 }))).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  });

  it('appendMany: one batch at consecutive positions, idempotent by key (a key already logged or twice in the batch is the stored event)', async () => {
    const seen: number[] = [];
    const stop = log().onAppended((e) => seen.push(e.position));
    await log().append(event('m0'));
    const batch = await log().appendMany([event('m1'), event('m0'), event('m2', { actor: 'bob' }), event('m1'), event('m3')]);
    stop();
    expect(batch.map((e) => [e.key, e.position])).toEqual([['m1', 2], ['m0', 1], ['m2', 3], ['m1', 2], ['m3', 4]]);
    expect(batch[2]).toEqual({ ...event('m2', { actor: 'bob' }), position: 3, loggedAt: expect.any(Date) });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(await log().appendMany([])).toEqual([]);
    expect(await log().latest()).toBe(4);
    const mixed = await Promise.all([log().appendMany([event('n1'), event('n2'), event('n3')]), log().append(event('n4')), log().appendMany([event('n2'), event('n5')])]);
    expect(mixed.flat().filter((e) => e.key === 'n2').map((e) => e.position)).toEqual([mixed[0][1]!.position, mixed[0][1]!.position]);
    expect(positions(await log().list({ first: 100 }))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('tells listeners in this process after each new append, not for an existing key; unsubscribe stops it', async () => {
    const seen: number[] = [];
    const stop = log().onAppended((e) => seen.push(e.position));
    await log().append(event('x'));
    await log().append(event('x'));
    await log().append(event('y'));
    stop();
    await log().append(event('z'));
    expect(seen).toEqual([1, 2]);
  });

  it('retention: prune deletes events appended before the cutoff but always keeps the newest; positions go on', async () => {
    for (let i = 1; i <= 4; i++) await log().append(event(`k${i}`));
    const future = new Date(Date.now() + 60_000);
    expect(await log().prune(future)).toBe(3);
    expect(positions(await log().list({ first: 10 }))).toEqual([4]);
    expect(await log().latest()).toBe(4);
    expect((await log().append(event('k5'))).position).toBe(5);
    expect(await log().prune(new Date(Date.now() - 60_000))).toBe(0);
  });

  it('a cursor older than retention is a typed error naming the oldest kept position; a current one is not', async () => {
    for (let i = 1; i <= 5; i++) await log().append(event(`k${i}`));
    await log().prune(new Date(Date.now() + 60_000));
    const error = await rejection(log().list({ first: 10, after: 2 }), ExpiredCursorError);
    expect(error.code).toBe('CURSOR_EXPIRED');
    expect(error.oldest).toBe(5);
    await rejection(log().list({ first: 10, after: 1, filter: { actor: 'nobody' } }), ExpiredCursorError);
    expect(positions(await log().list({ first: 10, after: 4 }))).toEqual([5]);
    expect(await log().list({ first: 10, after: 5 })).toEqual([]);
    expect(positions(await log().list({ first: 10 }))).toEqual([5]);
  });
});
