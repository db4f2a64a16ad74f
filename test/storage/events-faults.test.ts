/**
 * The change log without transactions, on a real MongoDB-wire server (FerretDB here): a crash between a committed
 * write and its event (fault injection: the recorder's afterWrite hook throws, leaving the intent and no event) is
 * completed by the repair pass at the next start-up, or by the running instance's periodic pass, exactly once.
 * Two instances appending to one database take distinct, gapless positions, and a reader paging by cursor
 * meanwhile never misses one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import type { EventType, RegistryEvent } from '../../src/domain/events.js';
import type { Locator } from '../../src/storage/events/collect.js';
import { INTENT_COLLECTION } from '../../src/storage/events/intents.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { countReads, testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

const CRASH = 'simulated crash between the write and its event';

describe('change log repair and positions (FerretDB)', () => {
  const opened: MongoStorageBackend[] = [];
  let database = testDatabaseName();
  /** Which write to "crash" after (null: none). */
  let crashOn: ((where: Locator) => boolean) | null = null;

  async function open(repairGraceSeconds = 60): Promise<MongoStorageBackend> {
    const storage = await createMongoStorage({
      uri: inject('mongodbUri'),
      database,
      monitorCommands: true,
      events: { retentionSeconds: 86_400, pruneIntervalSeconds: 3_600, repairGraceSeconds },
      eventFaults: {
        afterWrite: (where) => {
          if (crashOn?.(where)) throw new Error(CRASH);
        },
      },
    });
    opened.push(storage);
    return storage;
  }

  afterEach(async () => {
    crashOn = null;
    const last = opened[opened.length - 1];
    await last?.dropDatabase().catch(() => undefined);
    for (const s of opened.splice(0)) await s.close().catch(() => undefined);
    database = testDatabaseName();
  });

  async function eventsOf(storage: MongoStorageBackend, type: EventType, subjectId: string): Promise<RegistryEvent[]> {
    return storage.events.list({ first: 100, filter: { types: [type], subjectId } });
  }

  it('a version committed without its event gets it at the next start-up, exactly once', async () => {
    const first = await open();
    const c = await first.contracts.create({ document: contractDocument({ name: 'orders', version: '1.0.0' }) }, 'alice');
    crashOn = (where) => where.op === 'contract.version';
    const update = contractDocument({ name: 'orders', version: '1.1.0', schemas: { orders: [{ name: 'order_id', primaryKey: true }, { name: 'amount' }] } });
    await expect(first.contracts.update({ id: c.id, expectedRevision: 1, document: update }, 'bob')).rejects.toThrow(CRASH);
    // The write is committed, its event is not.
    expect((await first.contracts.getById(c.id))?.versionCount).toBe(2);
    expect(await eventsOf(first, 'CONTRACT_VERSION_PUBLISHED', c.id)).toEqual([]);
    await first.close();
    crashOn = null;

    const second = await open(0);
    const repaired = await eventsOf(second, 'CONTRACT_VERSION_PUBLISHED', c.id);
    expect(repaired).toEqual([expect.objectContaining({ key: `contract:${c.id}:version:2`, actor: 'bob', version: '1.1.0', summary: expect.objectContaining({ requiredBump: 'minor' }) })]);
    await second.close();
    const third = await open(0);
    expect(await eventsOf(third, 'CONTRACT_VERSION_PUBLISHED', c.id)).toHaveLength(1);
    expect((await third.events.list({ first: 100 })).map((e) => e.type)).toEqual(['CONTRACT_CREATED', 'CONTRACT_VERSION_PUBLISHED']);
  });

  it('writes located only by their contract (a run started, a comment added, a created contract) are found and repaired by the running instance', async () => {
    const storage = await open();
    crashOn = (where) => where.op === 'contract.create';
    await expect(storage.contracts.create({ document: contractDocument({ name: 'orders', version: '1.0.0' }) }, 'alice')).rejects.toThrow(CRASH);
    crashOn = (where) => where.op === 'run' || where.op === 'comment';
    const c = (await storage.contracts.getByName('orders'))!;
    await expect(storage.runs.start({ contractId: c.id, pipelineId: 'nightly' }, 'ci')).rejects.toThrow(CRASH);
    await expect(storage.comments.add({ target: { type: 'contract', id: c.id }, body: 'hello @bob' }, 'gina')).rejects.toThrow(CRASH);
    crashOn = null;
    expect(await storage.events.latest()).toBe(0);
    // Younger than the grace period: left alone (it could be a write still in flight on another instance).
    expect(await storage.repairEvents()).toBe(0);
    expect(await storage.repairEvents(0)).toBe(3);
    const events = await storage.events.list({ first: 100 });
    expect(events.map((e) => e.type)).toEqual(['CONTRACT_CREATED', 'RUN_CHANGED', 'COMMENT_ADDED']);
    expect(events[2]).toMatchObject({ actor: 'gina', audience: ['bob'], contractId: c.id });
    expect(await storage.repairEvents(0)).toBe(0);
    expect(await storage.events.latest()).toBe(3);
  });

  it('an approval decided without its events: the decision and the contract’s activation are both repaired', async () => {
    const storage = await open();
    const c = await storage.contracts.create({ document: contractDocument({ name: 'orders', version: '1.0.0' }) }, 'alice');
    const request = await storage.approvals.submit({ contractId: c.id, expectedRevision: c.revision, approvers: ['ann'], policy: 'all' }, 'alice');
    crashOn = (where) => where.op === 'approval';
    await expect(storage.approvals.decide({ requestId: request.id, verdict: 'approve' }, 'ann')).rejects.toThrow(CRASH);
    crashOn = null;
    const before = await storage.events.latest();
    expect(await storage.repairEvents(0)).toBe(1);
    const repaired = await storage.events.list({ after: before, first: 100 });
    expect(repaired.map((e) => [e.type, e.summary.to ?? e.summary.verdict])).toEqual([
      ['APPROVAL_DECIDED', 'approve'],
      ['CONTRACT_STATUS_CHANGED', 'active'],
    ]);
  });

  it('a validation record (logged without an intent) committed without its events is found in the recent window at the next start-up, exactly once', async () => {
    const first = await open();
    const c = await first.contracts.create({ document: contractDocument({ name: 'orders', version: '1.0.0' }) }, 'alice');
    const before = await first.events.latest();
    crashOn = (where) => where.op === 'validation';
    const failing = { contractId: c.id, passed: false, rowCount: 10, errorCount: 2, checks: [{ checkId: 'orders.order_id.unique', status: 'failed' as const }] };
    await expect(first.validations.record(failing, 'pipeline')).rejects.toThrow(CRASH);
    crashOn = null;
    const [stored] = (await first.validations.list({ contractId: c.id }, 'asc', { first: 10 })).items;
    expect(stored?.checks[0]?.issueId).toEqual(expect.any(String));
    expect(await first.events.latest()).toBe(before);
    expect(await first.db.collection(INTENT_COLLECTION).countDocuments()).toBe(0);
    // Younger than the grace period: left to its writer (which may still be appending).
    expect(await first.repairEvents()).toBe(0);
    expect(await first.events.latest()).toBe(before);
    // A record whose events were appended is left alone.
    await first.validations.record({ ...failing, passed: true, errorCount: 0, checks: [] }, 'pipeline');
    await first.close();

    const second = await open(0);
    const repaired = await second.events.list({ after: before, first: 100 });
    expect(repaired.map((e) => e.type).sort()).toEqual(['ISSUE_OPENED', 'VALIDATION_RECORDED', 'VALIDATION_RECORDED']);
    expect(repaired.filter((e) => e.subjectId === stored!.id || e.subjectId === stored!.checks[0]!.issueId)).toEqual([
      expect.objectContaining({ type: 'ISSUE_OPENED', subjectId: stored!.checks[0]!.issueId, actor: 'pipeline' }),
      expect.objectContaining({ type: 'VALIDATION_RECORDED', key: `validation:${stored!.id}`, actor: 'pipeline', at: stored!.recordedAt }),
    ]);
    expect(await second.repairEvents(0)).toBe(0);
    await second.close();
    const third = await open(0);
    expect(await third.events.latest()).toBe(before + 3);
  });

  const event = (key: string) => ({
    key,
    type: 'RUN_CHANGED' as const,
    subjectType: 'Run' as const,
    subjectId: key,
    contractId: 'c',
    actor: null,
    at: new Date(),
    revision: null,
    version: null,
    summary: {},
    audience: [],
  });

  it('two instances appending batches (one insertMany each) and single events at once: distinct gapless positions, each key once, a reader meanwhile sees every one in order', async () => {
    const a = await open();
    const b = await open();
    const seen: number[] = [];
    let cursor = 0;
    let writing = true;
    const reader = (async () => {
      while (writing || cursor < 86) {
        const page = await b.events.list({ after: cursor, first: 9 });
        for (const e of page) seen.push(e.position);
        if (page.length) cursor = page[page.length - 1]!.position;
        else if (!writing) break;
      }
    })();
    const batch = (prefix: string) => Array.from({ length: 10 }, (_, j) => event(`${prefix}-${j}`));
    const writes = Array.from({ length: 4 }, (_, i) => [a.events.appendMany(batch(`a${i}`)), b.events.appendMany(batch(`b${i}`)), a.events.append(event(`s${i}`))]).flat();
    // Keys of the other instance's batches again (idempotent across instances), mixed with new ones.
    const again = [b.events.appendMany([event('a0-0'), event('x1'), event('a1-5')]), a.events.appendMany([event('b2-9'), event('x2')])];
    const results = (await Promise.all([...writes, ...again])).flat();
    writing = false;
    await reader;
    const byKey = new Map<string, number[]>();
    for (const e of results) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e.position]);
    expect(byKey.size).toBe(86);
    for (const [key, at] of byKey) expect({ key, positions: new Set(at).size }).toEqual({ key, positions: 1 });
    expect([...byKey.values()].map((p) => p[0]!).sort((x, y) => x - y)).toEqual(Array.from({ length: 86 }, (_, i) => i + 1));
    expect(seen).toEqual(Array.from({ length: 86 }, (_, i) => i + 1));
    expect(await a.events.latest()).toBe(86);
  });

  it('two instances appending at once: distinct gapless positions, and a reader paging meanwhile sees every one in order', async () => {
    const a = await open();
    const b = await open();
    const seen: number[] = [];
    let cursor = 0;
    let writing = true;
    const reader = (async () => {
      while (writing || cursor < 60) {
        // Only a page asked for after the writes ended may end the reading: one asked for while they ran may
        // come back empty although they all end before it does.
        const afterWrites = !writing;
        const page = await a.events.list({ after: cursor, first: 7 });
        for (const e of page) seen.push(e.position);
        if (page.length) cursor = page[page.length - 1]!.position;
        else if (afterWrites) break;
      }
    })();
    const writes = Array.from({ length: 30 }, (_, i) => [a.events.append(event(`a${i}`)), b.events.append(event(`b${i}`))]).flat();
    // And the same keys again from the other instance: idempotent across instances.
    const again = Array.from({ length: 5 }, (_, i) => b.events.append(event(`a${i}`)));
    const results = await Promise.all([...writes, ...again]);
    writing = false;
    await reader;
    const positions = results.slice(0, 60).map((e) => e.position).sort((x, y) => x - y);
    expect(positions).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(results.slice(60).map((e) => e.position)).toEqual(results.slice(0, 10).filter((_, i) => i % 2 === 0).map((e) => e.position));
    expect(seen).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await b.events.latest()).toBe(60);
  });

  it('where `_id` ranges scan (FerretDB 1.x), a page of the whole log is read by `_id` point reads only', async () => {
    const storage = await open();
    for (let i = 0; i < 3; i++) await storage.contracts.create({ document: contractDocument({ name: `c${i}`, version: '1.0.0' }) }, 'alice');
    const first = await storage.events.list({ first: 2 });
    const reads = await countReads(storage, async () => {
      const page = await storage.events.list({ after: first[1]!.position, first: 10 });
      expect(page.map((e) => e.position)).toEqual([3]);
    });
    if (storage.capabilities.batchReads === 'points') expect(reads).toEqual({ finds: 0, points: expect.any(Number), other: {} });
    else expect(reads.finds).toBe(1);
  });
});
