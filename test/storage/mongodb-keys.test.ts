/**
 * Key documents (src/storage/mongodb/keys.ts): reads by name and by version string are `_id` point reads, creates
 * and updates read nothing but points, and a database written before key documents existed keeps working once the
 * server starts on it (the start-up backfill).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AlreadyExistsError } from '../../src/domain/errors.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { collectionsOf } from '../../src/storage/mongodb/documents/index.js';
import { backfillKeys, KEYS_COLLECTION, keysOf, nameKeyId, odcsKeyId } from '../../src/storage/mongodb/keys.js';
import { countReads, testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

let storage: MongoStorageBackend;
const options = () => ({ uri: inject('mongodbUri'), database: testDatabaseName(), monitorCommands: true });

beforeAll(async () => {
  storage = await createMongoStorage(options());
});
afterAll(async () => {
  await storage.dropDatabase();
  await storage.close();
});

describe('reads by another key are point reads', () => {
  it('finds a contract by name and a version by its string with `_id` equalities only', async () => {
    const created = await storage.contracts.create({ document: contractDocument({ name: 'keys_read' }) }, 'test');
    const reads = await countReads(storage, async () => {
      expect((await storage.contracts.getByName('keys_read'))?.id).toBe(created.id);
      expect(await storage.contracts.getByName('keys_missing')).toBeNull();
      const [v] = await storage.contracts.getVersions([{ contractId: created.id, version: '1.0.0' }]);
      expect(v?.number).toBe(1);
      expect((await storage.contracts.getByIds([created.id]))[0]?.name).toBe('keys_read');
    });
    expect(reads.finds).toBe(0);
    expect(reads.points).toBeGreaterThan(0);
  });

  it('creates and updates a contract without a read that is not a point read', async () => {
    const reads = await countReads(storage, async () => {
      const created = await storage.contracts.create({ document: contractDocument({ name: 'keys_write' }) }, 'test');
      await storage.contracts.update(
        { id: created.id, expectedRevision: created.revision, document: contractDocument({ name: 'keys_write', version: '1.1.0', purpose: 'changed' }) },
        'test',
      );
    });
    expect(reads.finds).toBe(0);
  });

  it('refuses a name in use (typed, nothing written) and hands a released name to the next contract', async () => {
    const first = await storage.contracts.create({ document: contractDocument({ name: 'keys_taken' }) }, 'test');
    const before = await storage.db.collection('contracts').countDocuments();
    await expect(storage.contracts.create({ document: contractDocument({ id: 'urn:test:keys_taken:dup', name: 'keys_taken' }) }, 'test')).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await storage.db.collection('contracts').countDocuments()).toBe(before);

    // Renamed away: the old name is free again, and each name finds its own contract.
    const renamed = await storage.contracts.update(
      { id: first.id, expectedRevision: first.revision, document: contractDocument({ name: 'keys_taken' }), name: 'keys_renamed', version: '1.0.1' },
      'test',
    );
    expect(renamed.name).toBe('keys_renamed');
    const second = await storage.contracts.create({ document: contractDocument({ id: 'urn:test:keys_taken:2', name: 'keys_taken' }) }, 'test');
    expect((await storage.contracts.getByName('keys_taken'))?.id).toBe(second.id);
    expect((await storage.contracts.getByName('keys_renamed'))?.id).toBe(first.id);

    // Deleted: its name is free, and its keys are gone.
    await storage.contracts.delete(second.id, null, 'test');
    expect(await storage.contracts.getByName('keys_taken')).toBeNull();
    expect(await storage.db.collection(KEYS_COLLECTION).countDocuments({ contractId: second.id })).toBe(0);
    const third = await storage.contracts.create({ document: contractDocument({ id: 'urn:test:keys_taken:3', name: 'keys_taken' }) }, 'test');
    expect((await storage.contracts.getByName('keys_taken'))?.id).toBe(third.id);
  });

  it('a create of an id that exists fails and leaves the existing contract\'s keys as they were', async () => {
    const existing = await storage.contracts.create({ document: contractDocument({ name: 'keys_existing_id' }) }, 'test');
    const keysOf = async () => (await storage.db.collection(KEYS_COLLECTION).find({ contractId: existing.id }).toArray()).map((k) => k._id).sort();
    const before = await keysOf();
    expect(before).toContain(`version/${existing.id}/=1.0.0`);
    await expect(storage.contracts.create({ id: existing.id, document: contractDocument({ name: 'keys_existing_id_2', id: 'urn:test:keys_existing_id_2' }) }, 'test')).rejects.toThrow();
    expect(await keysOf()).toEqual(before);
    expect((await storage.contracts.getByName('keys_existing_id'))?.id).toBe(existing.id);
    const [v] = await storage.contracts.getVersions([{ contractId: existing.id, version: '1.0.0' }]);
    expect(v?.number).toBe(1);
  });

  it('treats a key whose contract lost the name as missing, and takes it over', async () => {
    const c = await storage.contracts.create({ document: contractDocument({ name: 'keys_stale' }) }, 'test');
    // A key left behind by a lost write: it points at a contract that does not have the name.
    await storage.db.collection(KEYS_COLLECTION).updateOne({ _id: 'name/=keys_stale' as never }, { $set: { contractId: 'gone', at: new Date(0) } });
    expect(await storage.contracts.getByName('keys_stale')).toBeNull();
    await storage.db.collection('contracts').deleteOne({ _id: c.id as never });
    // (its ODCS id key, left behind too, is old: not a create in flight)
    await storage.db.collection(KEYS_COLLECTION).updateOne({ _id: 'odcs/=urn:test:keys_stale' as never }, { $set: { at: new Date(0) } });
    const again = await storage.contracts.create({ document: contractDocument({ name: 'keys_stale' }) }, 'test');
    expect((await storage.contracts.getByName('keys_stale'))?.id).toBe(again.id);
  });
});

describe('a database written before key documents existed', () => {
  it('is indexed at start-up: names, versions and uniqueness work as before', async () => {
    const opts = options();
    const old = await createMongoStorage(opts);
    try {
      const a = await old.contracts.create({ document: contractDocument({ name: 'legacy_a' }) }, 'test');
      const a2 = await old.contracts.update({ id: a.id, expectedRevision: a.revision, document: contractDocument({ name: 'legacy_a', version: '1.1.0', purpose: 'v2' }) }, 'test');
      const b = await old.contracts.create({ document: contractDocument({ name: 'legacy_b' }) }, 'test');
      // What an older registry left: no key documents at all.
      await old.db.collection(KEYS_COLLECTION).drop();
      await old.close();

      const upgraded = await createMongoStorage(opts);
      try {
        expect((await upgraded.contracts.getByName('legacy_a'))?.id).toBe(a.id);
        expect((await upgraded.contracts.getByNames(['legacy_b', 'legacy_a'])).map((c) => c?.id)).toEqual([b.id, a.id]);
        const versions = await upgraded.contracts.getVersions([
          { contractId: a.id, version: '1.0.0' },
          { contractId: a.id, version: '1.1.0' },
          { contractId: b.id, version: '1.1.0' },
        ]);
        expect(versions.map((v) => v?.number ?? null)).toEqual([1, 2, null]);
        await expect(upgraded.contracts.create({ document: contractDocument({ name: 'legacy_b' }) }, 'test')).rejects.toBeInstanceOf(AlreadyExistsError);
        await expect(
          upgraded.contracts.update({ id: a.id, expectedRevision: a2.revision, document: contractDocument({ name: 'legacy_a', version: '1.1.1' }), name: 'legacy_b' }, 'test'),
        ).rejects.toBeInstanceOf(AlreadyExistsError);
        const rolled = await upgraded.contracts.rollback({ id: a.id, expectedRevision: a2.revision, toVersion: '1.0.0' }, 'test');
        expect(rolled.versionCount).toBe(3);
      } finally {
        await upgraded.dropDatabase();
        await upgraded.close();
      }
    } finally {
      await old.close().catch(() => undefined);
    }
  });
});

describe('the start-up backfill on a database other instances write to', () => {
  // The backfill writes only keys that are absent: a key that exists was written by a live writer (another instance
  // in a rolling start, or the writes since a start-up cut short), which keeps it right.
  const BACKFILL_MARKER = 'migration/keys-v1';

  it('fills in the missing keys and leaves an existing key as a live writer left it', async () => {
    const opts = options();
    const live = await createMongoStorage(opts);
    let restarted: MongoStorageBackend | undefined;
    try {
      const a = await live.contracts.create({ document: contractDocument({ name: 'bf_a' }) }, 'test');
      await live.contracts.update({ id: a.id, expectedRevision: a.revision, document: contractDocument({ name: 'bf_a', version: '1.1.0', purpose: 'v2' }) }, 'test');
      const b = await live.contracts.create({ document: contractDocument({ name: 'bf_b' }) }, 'test');
      const c = await live.contracts.create({ document: contractDocument({ name: 'bf_c' }) }, 'test');
      const d = await live.contracts.create({ document: contractDocument({ name: 'bf_d' }) }, 'test');
      const keys = live.db.collection(KEYS_COLLECTION);
      // An old database: no marker, and keys missing for what predates them.
      await keys.deleteMany({ _id: { $in: [BACKFILL_MARKER, nameKeyId('bf_a'), nameKeyId('bf_b'), `version/${a.id}/=1.0.0`, `version/${a.id}/=1.1.0`] } as never });
      // What a live writer did meanwhile: its key of `bf_c` names another contract (as a name released by a rename
      // and taken by a create names the new contract, while the backfill's scan may still read the old one with it).
      await keys.replaceOne({ _id: nameKeyId('bf_c') as never }, { contractId: d.id, at: new Date() });

      restarted = await createMongoStorage(opts); // the backfill runs (`live` runs on meanwhile)
      expect(await keys.findOne({ _id: BACKFILL_MARKER as never })).not.toBeNull();
      expect((await keys.findOne({ _id: nameKeyId('bf_a') as never }))?.contractId).toBe(a.id);
      expect((await keys.findOne({ _id: nameKeyId('bf_b') as never }))?.contractId).toBe(b.id);
      expect((await keys.findOne({ _id: nameKeyId('bf_c') as never }))?.contractId).toBe(d.id);
      expect((await restarted.contracts.getByNames(['bf_a', 'bf_b', 'bf_d'])).map((x) => x?.id)).toEqual([a.id, b.id, d.id]);
      // The key lands on a contract without that name: missing (keys are a way in, never the truth).
      expect(await restarted.contracts.getByName('bf_c')).toBeNull();
      expect((await restarted.contracts.getByIds([c.id]))[0]?.name).toBe('bf_c');
      const versions = await restarted.contracts.getVersions([
        { contractId: a.id, version: '1.0.0' },
        { contractId: a.id, version: '1.1.0' },
      ]);
      expect(versions.map((v) => v?.number ?? null)).toEqual([1, 2]);
    } finally {
      await restarted?.close();
      await live.dropDatabase();
      await live.close();
    }
  });

  it('does not point a name back at a contract renamed after its scan read it, and counts only the keys it wrote', async () => {
    const opts = options();
    const live = await createMongoStorage(opts);
    try {
      const a = await live.contracts.create({ document: contractDocument({ name: 'bf_race_x' }) }, 'test');
      const b = await live.contracts.create({ document: contractDocument({ name: 'bf_race_b' }) }, 'test');
      const keys = live.db.collection(KEYS_COLLECTION);
      await keys.deleteMany({ _id: { $in: [BACKFILL_MARKER, nameKeyId('bf_race_b'), `version/${b.id}/=1.0.0`] } as never });
      // The backfill's scan reads the contracts (a holds bf_race_x) ...
      const scanned = await live.db.collection('contracts').find({}, { projection: { _id: 1, name: 1 } }).toArray();
      // ... then a live instance renames a and gives its old name to a new contract, before the backfill writes.
      await live.contracts.update({ id: a.id, expectedRevision: a.revision, document: contractDocument({ name: 'bf_race_x' }), name: 'bf_race_y', version: '1.0.1' }, 'test');
      const taker = await live.contracts.create({ document: contractDocument({ id: 'urn:test:bf_race_x:2', name: 'bf_race_x' }) }, 'test');

      const collections = { ...collectionsOf(live.db), contracts: { find: () => scanned } as never };
      const result = await backfillKeys(keysOf(live.db), collections);
      expect((await keys.findOne({ _id: nameKeyId('bf_race_x') as never }))?.contractId).toBe(taker.id);
      expect(result).toEqual({ ran: true, written: 2 }); // b's name and version keys
      expect((await live.contracts.getByNames(['bf_race_x', 'bf_race_y', 'bf_race_b'])).map((x) => x?.id)).toEqual([taker.id, a.id, b.id]);
      expect((await live.contracts.getVersions([{ contractId: b.id, version: '1.0.0' }]))[0]?.number).toBe(1);
    } finally {
      await live.dropDatabase();
      await live.close();
    }
  });
});

describe('a create waiting for another create of its name (cas: no write claims)', () => {
  // Under `cas` a create in flight is known by its keys alone (claims.ts waitForCreate). When that create gives its
  // keys back (here: it ran past three quarters of its lease, contracts.ts), a create of the same name goes on at
  // once rather than waiting until the given-back key would have been a lease old (a fifth of a lease later here).
  const LEASE_MS = 8_000;
  const slowId = '00000000-0000-4000-8000-00000000a11e';
  let cas: MongoStorageBackend;
  let paused: () => void = () => undefined;
  const pausedAtVersion = new Promise<void>((resolve) => (paused = resolve));

  beforeAll(async () => {
    cas = await createMongoStorage({
      ...options(),
      writeProtocol: 'cas',
      forceWriteProtocol: true,
      claimLeaseMs: LEASE_MS,
      repairIntervalMs: 0,
      faults: async (step, contractId) => {
        if (contractId !== slowId || step !== 'create:version') return;
        paused();
        await new Promise((resolve) => setTimeout(resolve, LEASE_MS * 0.8));
      },
    });
  });
  afterAll(async () => {
    await cas.dropDatabase();
    await cas.close();
  });

  it('goes on as soon as the other create gives the name back', async () => {
    const slow = cas.contracts.create({ id: slowId, document: contractDocument({ name: 'keys_wait', id: 'urn:keys:wait:slow' }) }, 'test');
    const slowOutcome = slow.then(
      () => ({ failed: null as unknown, at: Date.now() }),
      (error: unknown) => ({ failed: error, at: Date.now() }),
    );
    await pausedAtVersion;
    // Half a lease later, so that this create's own keys are young when the slow one gives up.
    await new Promise((resolve) => setTimeout(resolve, LEASE_MS / 2));
    const waiting = cas.contracts.create({ document: contractDocument({ name: 'keys_wait', id: 'urn:keys:wait:other' }) }, 'test');
    const [gaveUp, created] = await Promise.all([slowOutcome, waiting.then((c) => ({ contract: c, at: Date.now() }))]);
    // The slow create gave up and gave its keys back; the other took the name, well before a lease ran out.
    expect((gaveUp.failed as Error | null)?.name).toBe('StorageUnavailableError');
    expect(created.contract.name).toBe('keys_wait');
    expect(created.at - gaveUp.at).toBeLessThan(LEASE_MS * 0.1);
    expect((await cas.contracts.getByName('keys_wait'))?.id).toBe(created.contract.id);
  }, 60_000);
});

describe('creates taking over one ODCS id key left behind', () => {
  // A key whose contract does not exist and whose create is not in flight (a create cut short, its claim gone) is
  // taken over by the next create of that id (odcs-ids.ts). When several creates meet it at once, exactly one may
  // take it: FerretDB 1.x deletes `{_id, contractId, at}` by finding, then deleting by `_id`, so without more
  // care a slow taker's delete can remove the key a faster taker has just inserted, and both contracts get the id.
  it('lets exactly one of several concurrent creates have the id, every round', async () => {
    const second = await createMongoStorage({ ...options(), database: storage.db.databaseName });
    try {
      const keys = storage.db.collection(KEYS_COLLECTION);
      for (let round = 0; round < 12; round++) {
        const odcsId = `urn:keys:takeover:${round}`;
        await keys.insertOne({ _id: odcsKeyId(odcsId) as never, contractId: `gone-${round}`, at: new Date(0) });
        const outcomes = await Promise.allSettled(
          Array.from({ length: 6 }, (_, i) => (i % 2 ? second : storage).contracts.create({ document: contractDocument({ name: `keys_takeover_${round}_${i}`, id: odcsId }) }, 'test')),
        );
        const created = outcomes.filter((o) => o.status === 'fulfilled');
        const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(refused.map((o) => (o.reason as AlreadyExistsError).field)).toEqual(Array(5).fill('odcsId'));
        expect(created).toHaveLength(1);
        const holder = (created[0] as PromiseFulfilledResult<{ id: string }>).value.id;
        expect((await keys.findOne({ _id: odcsKeyId(odcsId) as never }))?.contractId).toBe(holder);
        expect((await storage.contracts.getByOdcsId(odcsId))?.id).toBe(holder);
      }
    } finally {
      await second.close();
    }
  }, 120_000);
});

describe('a delete racing creates that take over its keys', () => {
  // A deleted contract's name and ODCS id keys may be taken over by a create as soon as the contract is gone, while
  // the delete is still removing them. The delete removes each only while it names the deleted contract (keys.ts
  // removeKey): on FerretDB 1.x a delete by `{contractId}` finds, then deletes by `_id`, and so removed a key a
  // create had just taken over — the new contract then had no key, and the next create of its ODCS id got it too.
  it('leaves every contract that holds a name or an ODCS id with its key, every round', async () => {
    const second = await createMongoStorage({ ...options(), database: storage.db.databaseName });
    try {
      const keys = storage.db.collection(KEYS_COLLECTION);
      const contracts = storage.db.collection('contracts');
      const held = { odcsId: 0, name: 0 };
      for (let round = 0; round < 20; round++) {
        const name = `keys_deleted_${round}`;
        const odcsId = `urn:keys:deleted:${round}`;
        const doomed = await storage.contracts.create({ document: contractDocument({ name, id: odcsId }) }, 'test');
        const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
        // Creates of the same ODCS id (other names) and of the same name (another id), spread over the delete.
        const creates = Array.from({ length: 6 }, async (_, i) => {
          await pause(i * 3);
          const document = i % 2 ? contractDocument({ name: `${name}_${i}`, id: odcsId }) : contractDocument({ name, id: `${odcsId}:${i}` });
          return (i % 3 ? second : storage).contracts.create({ document }, 'test');
        });
        const outcomes = await Promise.allSettled([storage.contracts.delete(doomed.id, doomed.revision, 'test'), ...creates]);
        expect(outcomes[0]!.status).toBe('fulfilled');
        for (const o of outcomes.slice(1)) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(AlreadyExistsError);
        const byId = await contracts.find({ odcsId }).toArray();
        expect(byId.length).toBeLessThanOrEqual(1);
        for (const holder of byId) {
          expect((await keys.findOne({ _id: odcsKeyId(odcsId) as never }))?.contractId).toBe(holder._id);
          expect((await storage.contracts.getByOdcsId(odcsId))?.id).toBe(holder._id);
        }
        const named = await contracts.find({ name }).toArray();
        expect(named.length).toBeLessThanOrEqual(1);
        for (const holder of named) {
          expect((await keys.findOne({ _id: nameKeyId(name) as never }))?.contractId).toBe(holder._id);
          expect((await storage.contracts.getByName(name))?.id).toBe(holder._id);
        }
        // A create of that id or name now is refused while a contract holds it.
        if (byId.length === 1) await expect(second.contracts.create({ document: contractDocument({ name: `${name}_late`, id: odcsId }) }, 'test')).rejects.toBeInstanceOf(AlreadyExistsError);
        if (named.length === 1) await expect(second.contracts.create({ document: contractDocument({ name, id: `${odcsId}:late` }) }, 'test')).rejects.toBeInstanceOf(AlreadyExistsError);
        held.odcsId += byId.length;
        held.name += named.length;
      }
      // Many rounds end with a create holding the id, and many with one holding the name (so the checks above ran):
      // the deletes raced real takeovers.
      expect(held.odcsId).toBeGreaterThanOrEqual(5);
      expect(held.name).toBeGreaterThanOrEqual(5);
    } finally {
      await second.close();
    }
  }, 240_000);
});
