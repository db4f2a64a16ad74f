/**
 * createMongoStorage's `capabilityProbes` (capabilities.ts CapabilityProbeCache, used by the test backends): the
 * first backend on a server probes it, later ones on the same URI take that same result, and each still gets the
 * per-database part (the contracts' text index where the server has text search). Without the option a backend
 * probes the server itself, and finds the same.
 */
import { expect, it } from 'vitest';
import { inject } from 'vitest';
import { CapabilityProbeCache } from '../../src/storage/mongodb/capabilities.js';
import { TEXT_INDEX_NAME } from '../../src/storage/mongodb/indexes.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import { testDatabaseName } from '../support/backends.js';

it('probes a server once per cache and URI; every backend gets the same capabilities and its own text index', async () => {
  const uri = inject('mongodbUri');
  const cache = new CapabilityProbeCache();
  const shared = [await createMongoStorage({ uri, database: testDatabaseName(), capabilityProbes: cache }), await createMongoStorage({ uri, database: testDatabaseName(), capabilityProbes: cache })];
  const alone = await createMongoStorage({ uri, database: testDatabaseName() });
  const all = [...shared, alone];
  try {
    // One probe per server key: the same result object for every later backend of that URI.
    expect(cache.probe(uri, shared[0]!.db)).toBe(cache.probe(uri, shared[1]!.db));
    const other = cache.probe(`${uri}?other`, shared[0]!.db);
    expect(other).not.toBe(cache.probe(uri, shared[0]!.db));
    expect(await other).toEqual(await cache.probe(uri, shared[0]!.db));
    expect(shared[1]!.capabilities).toEqual(shared[0]!.capabilities);
    expect(alone.capabilities).toEqual(shared[0]!.capabilities);
    for (const storage of all) {
      const indexes = (await storage.db.collection('contracts').listIndexes().toArray()).map((i) => i.name as string);
      expect(indexes.includes(TEXT_INDEX_NAME)).toBe(storage.capabilities.textSearch);
    }
  } finally {
    for (const storage of all) {
      await storage.dropDatabase();
      await storage.close();
    }
  }
});
