/**
 * The daily rollup stays right across a crash at any point of a push (src/storage/mongodb/daily-rollup.ts): a
 * rollup write whose record was never inserted is not counted, one whose record was inserted is, whether or not the
 * writer lived to learn it; a restarted writer adds its own documents; documents and records stored before this
 * scheme (rollup `_id` = the day key, records with a random id and an idempotency key) keep counting and deduplicating.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { planValidationRecord } from '../../src/domain/validations.js';
import { DailyRollup } from '../../src/storage/mongodb/daily-rollup.js';
import { dailyStatsKey, toStoredValidationRecord } from '../../src/storage/mongodb/documents/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

const opts = { uri: inject('mongodbUri'), database: testDatabaseName() };
let storage: MongoStorageBackend;
let contractId: string;

const DAY = 24 * 60 * 60 * 1000;
const today = () => new Date(Math.floor(Date.now() / DAY) * DAY);
const input = (rowCount: number, idempotencyKey: string | null = null) => ({ contractId, passed: true, rowCount, errorCount: 0, environment: 'prod', idempotencyKey });
const stats = () => storage.validations.stats({ contractId, from: today(), to: new Date(today().getTime() + DAY) });
const plan = (rowCount: number, id = randomUUID(), key: string | null = null) => planValidationRecord(input(rowCount, key), id, '1.0.0', new Date(), 'test');

beforeAll(async () => {
  storage = await createMongoStorage(opts);
  contractId = (await storage.contracts.create({ document: contractDocument({ name: 'rollup_crash' }) }, 'test')).id;
});
afterAll(async () => {
  await storage.dropDatabase();
  await storage.close();
});

describe('daily rollup', () => {
  it('counts a push once its record is stored, and never one whose process died before', async () => {
    await storage.validations.record(input(10), 'test');
    await storage.validations.record(input(20), 'test');
    expect(await stats()).toMatchObject({ total: 2, rows: 30 });
    const crashed = new DailyRollup(storage.db.collection('validation_daily') as never);
    // died after the rollup write, before the insert: not counted
    await crashed.stage(plan(1000));
    expect(await stats()).toMatchObject({ total: 2, rows: 30 });
    // died after the insert, before it learnt so (the slot never settles): counted
    const record = plan(5);
    const staged = await new DailyRollup(storage.db.collection('validation_daily') as never).stage(record);
    await storage.db.collection('validation_records').insertOne({ ...toStoredValidationRecord(record), rollupToken: staged.token } as never);
    expect(await stats()).toMatchObject({ total: 3, rows: 35 });
    // a restarted process writes on
    const restarted = await createMongoStorage(opts);
    try {
      await restarted.validations.record(input(1), 'test');
      await restarted.validations.record(input(2), 'test');
    } finally {
      await restarted.close();
    }
    await storage.validations.record(input(3), 'test');
    expect(await stats()).toMatchObject({ total: 6, rows: 41 });
  });

  it('keeps counting rollup documents and deduplicating records stored before derived ids', async () => {
    const before = await stats();
    const legacy = plan(7, randomUUID(), 'legacy-key');
    await storage.db.collection('validation_records').insertOne(toStoredValidationRecord(legacy) as never);
    await storage.db.collection('validation_daily').insertOne({
      _id: dailyStatsKey(legacy),
      contractId,
      contractVersion: legacy.contractVersion,
      environment: 'prod',
      day: legacy.recordedAt.toISOString().slice(0, 10),
      total: 1,
      passed: 1,
      rows: 7,
      errors: 0,
      durationSum: 0,
      durationCount: 0,
    } as never);
    expect(await stats()).toMatchObject({ total: before.total + 1, rows: before.rows + 7 });
    const repeat = await storage.validations.record(input(99, 'legacy-key'), 'test');
    expect(repeat).toMatchObject({ created: false, record: { id: legacy.id, rowCount: 7 } });
    expect(await stats()).toMatchObject({ total: before.total + 1, rows: before.rows + 7 });
  });
});
