/**
 * The word index behind search (issue 15.3), on every backend: beyond GRIOT_SEARCH_MAX_CANDIDATES candidates a
 * search ranks the best of them by their postings (score, then the weight of the best matched field, then the id),
 * the same everywhere; contracts written at once are all found; an update, a delete and a status change keep the
 * index exact (what a word finds, and how many).
 */
import { inject, describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { testDatabaseName } from '../support/backends.js';
import { contractDocument } from '../support/fixtures.js';
import { moveContractTo } from './helpers.js';

const CAP = 3;

const factories: { name: string; create(cap?: number): Promise<{ storage: StorageBackend; dispose(): Promise<void> }> }[] = [
  { name: 'memory', create: async (cap = CAP) => ({ storage: createMemoryStorage({ searchMaxCandidates: cap }), dispose: async () => undefined }) },
  {
    name: 'mongodb',
    create: async (cap = CAP) => {
      const storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), searchMaxCandidates: cap });
      return {
        storage,
        dispose: async () => {
          await storage.dropDatabase();
          await storage.close();
        },
      };
    },
  },
];

const doc = (name: string, properties: string[], purpose?: string) =>
  contractDocument({ name, purpose, schemas: { [`${name}_t`]: properties.map((p) => ({ name: p })) } });

async function names(storage: StorageBackend, query: string, first = 20): Promise<{ names: string[]; total: number }> {
  const page = await storage.contracts.search(query, { first });
  return { names: page.items.map((h) => h.contract.name), total: await page.totalCount() };
}

describe.each(factories)('search word index ($name)', (factory) => {
  it('ranks the best candidates by their postings when a word has more than the cap', async () => {
    const { storage, dispose } = await factory.create();
    try {
      // zebra in a property name (weight 4), a property description (1), the name (10), the purpose (2)
      await storage.contracts.create({ document: doc('stripes', ['zebra', 'id']) }, 't');
      await storage.contracts.create({ document: contractDocument({ name: 'plain', schemas: { plain_t: [{ name: 'id', description: 'a zebra' }] } }) }, 't');
      await storage.contracts.create({ document: doc('zebra', ['id']) }, 't');
      await storage.contracts.create({ document: doc('savanna', ['id'], 'where the zebra lives') }, 't');
      await storage.contracts.create({ document: doc('herd', ['zebra_count']) }, 't');
      const capped = await names(storage, 'zebra');
      expect(capped).toEqual({ names: ['zebra', 'stripes', 'herd'], total: CAP });
      // Words of the query not held anywhere change nothing; a second word ranks its holders among the best.
      expect((await names(storage, 'zebra okapi')).names).toEqual(['zebra', 'stripes', 'herd']);
      expect((await names(storage, 'savanna')).names).toEqual(['savanna']);
      // Pages of a capped search stay within the cap.
      const first = await storage.contracts.search('zebra', { first: 2 });
      const next = await storage.contracts.search('zebra', { first: 2, after: first.cursors.at(-1)! });
      expect([...first.items, ...next.items].map((h) => h.contract.name)).toEqual(['zebra', 'stripes', 'herd']);
      expect(next.hasNextPage).toBe(false);
    } finally {
      await dispose();
    }
  });

  it('finds every contract written at once, each once', async () => {
    const { storage, dispose } = await factory.create(100);
    try {
      const created = await Promise.all(Array.from({ length: 8 }, (_, i) => storage.contracts.create({ document: doc(`okapi_${i}`, ['okapi_id', `stripe_${i}`]) }, 't')));
      const found = await names(storage, 'okapi');
      expect(found.total).toBe(8);
      expect([...found.names].sort()).toEqual(created.map((c) => c.name).sort());
      expect((await names(storage, 'stripe_3')).names[0]).toBe('okapi_3'); // the whole term first, then its part 'stripe'
      // A batch create (the bulk import) indexes its contracts too.
      const batch = await storage.contracts.createMany([doc('tapir_a', ['snout']), doc('tapir_b', ['snout'])].map((document) => ({ document })), 't');
      expect(batch.every((o) => o.ok)).toBe(true);
      expect([...(await names(storage, 'snout')).names].sort()).toEqual(['tapir_a', 'tapir_b']);
    } finally {
      await dispose();
    }
  });

  it('keeps the index exact through updates, status changes and deletes', async () => {
    const { storage, dispose } = await factory.create(100);
    try {
      const a = await storage.contracts.create({ document: doc('ibis', ['wing', 'beak']) }, 't');
      const b = await storage.contracts.create({ document: doc('heron', ['wing', 'neck']) }, 't');
      const updated = await storage.contracts.update({ id: a.id, expectedRevision: a.revision, document: doc('ibis', ['wing', 'plume']), acceptBreakingChanges: true }, 't');
      expect(await names(storage, 'beak')).toEqual({ names: [], total: 0 });
      expect(await names(storage, 'plume')).toEqual({ names: ['ibis'], total: 1 });
      expect((await names(storage, 'wing')).total).toBe(2);
      const moved = await moveContractTo(storage, updated.id, 'active');
      expect(moved.status).toBe('active');
      expect(await names(storage, 'plume')).toEqual({ names: ['ibis'], total: 1 });
      await storage.contracts.delete(b.id, null, 't');
      expect(await names(storage, 'wing')).toEqual({ names: ['ibis'], total: 1 });
      expect(await names(storage, 'neck')).toEqual({ names: [], total: 0 });
      // A new contract may take a deleted one's name and words.
      await storage.contracts.create({ document: doc('heron', ['neck']) }, 't');
      expect(await names(storage, 'neck')).toEqual({ names: ['heron'], total: 1 });
    } finally {
      await dispose();
    }
  });
});
