/**
 * The pool gauges follow the driver: with a one-connection pool (maxPoolSize=1 in the URI) and ten reads at once,
 * griot_db_pool_waiters counts the reads waiting for the connection while they wait, and falls back to 0 after;
 * griot_db_pool_connections never exceeds the pool.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import { testDatabaseName } from '../support/backends.js';

const disposals: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const dispose of disposals) await dispose();
});

describe('connection-pool metrics', () => {
  it('count the operations waiting for a connection, and the connections open', async () => {
    const metrics = createMetrics();
    const uri = new URL(inject('mongodbUri'));
    uri.searchParams.set('maxPoolSize', '1');
    const storage = await createMongoStorage({ uri: uri.toString(), database: testDatabaseName(), onClient: (c) => metrics.watch(c) });
    disposals.push(async () => {
      await storage.dropDatabase();
      await storage.close();
    });
    const gauge = async (name: string) => (await metrics.registry.getSingleMetric(name)!.get()).values[0]!.value;
    const reads = Array.from({ length: 10 }, () => storage.db.collection('contracts').find({}).toArray());
    let done = false;
    void Promise.all(reads).finally(() => (done = true));
    let maxWaiters = 0;
    let maxConnections = 0;
    while (!done) {
      maxWaiters = Math.max(maxWaiters, await gauge('griot_db_pool_waiters'));
      maxConnections = Math.max(maxConnections, await gauge('griot_db_pool_connections'));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(reads);
    expect(maxWaiters).toBeGreaterThanOrEqual(1);
    expect(maxWaiters).toBeLessThanOrEqual(10);
    expect(maxConnections).toBe(1);
    expect(await gauge('griot_db_pool_waiters')).toBe(0);
    expect(await gauge('griot_db_pool_connections')).toBe(1);
  });
});
