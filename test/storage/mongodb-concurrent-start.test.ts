/**
 * Two servers starting at once on a new database (a deploy of two replicas): each runs the start-up steps (key
 * backfills, migrations' markers, the repair windows) that upsert one document, and FerretDB refuses the second
 * insert of such an upsert as a duplicate key (src/storage/mongodb/upserts.ts). Both must start and serve.
 */
import { MongoClient } from 'mongodb';
import { afterAll, expect, inject, it } from 'vitest';
import { createMongoStorage, type MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import { capabilityProbes, testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';

const opened: MongoStorageBackend[] = [];
const database = testDatabaseName();
afterAll(async () => {
  for (const s of opened) await s.close().catch(() => undefined);
  const client = await new MongoClient(inject('mongodbUri')).connect();
  await client.db(database).dropDatabase();
  await client.close();
});

it('starts two servers at once on a new database, and both serve it', async () => {
  const open = () => createMongoStorage({ uri: inject('mongodbUri'), database, capabilityProbes });
  const results = await Promise.allSettled([open(), open(), open()]);
  for (const r of results) if (r.status === 'fulfilled') opened.push(r.value);
  expect(results.map((r) => (r.status === 'rejected' ? String(r.reason) : 'started'))).toEqual(['started', 'started', 'started']);
  const [a, b] = opened as [MongoStorageBackend, MongoStorageBackend];
  const created = await a.contracts.create({ document: contractDocument({ name: 'concurrent_start' }) }, 'alice');
  expect((await b.contracts.getByName('concurrent_start'))?.id).toBe(created.id);
  expect((await b.events.list({ first: 10 })).map((e) => e.type)).toContain('CONTRACT_CREATED');
});
