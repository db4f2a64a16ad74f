/**
 * /metrics through the server: who may read it, that it parses as Prometheus text, and that it counts what was just
 * done — requests by operation and result, GraphQL phases, errors, database commands, the pool, DataLoader batches.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { createMetrics } from '../../src/observability/metrics.js';
import { startMetricsServer } from '../../src/observability/metrics-server.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import { AccessCreateContractDocument, ContractsWithCatalogDocument } from '../gql/graphql.js';
import { countCommands, testDatabaseName } from '../support/backends.js';
import { createTestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { parsePrometheus, sampleValue } from '../support/prometheus.js';

const disposals: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const dispose of disposals) await dispose();
});

const scrape = async (client: ReturnType<typeof createTestClient>, headers: Record<string, string> = {}) => {
  const response = await client.fetch('/metrics', { headers });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain');
  return parsePrometheus(await response.text());
};

describe('/metrics access', () => {
  it('is not served on the main port without a token unless the caller opened it', async () => {
    const closed = createTestClient(createMemoryStorage(), undefined, { server: { observability: { metrics: { metrics: createMetrics() } } } });
    expect((await closed.fetch('/metrics')).status).toBe(404);
    const open = createTestClient(createMemoryStorage(), undefined, { server: { observability: { metrics: { metrics: createMetrics(), open: true } } } });
    expect((await open.fetch('/metrics')).status).toBe(200);
  });

  it('needs the bearer token when one is configured', async () => {
    const token = 'metrics-token-0123456789abcdef';
    const client = createTestClient(createMemoryStorage(), undefined, { as: null, server: { observability: { metrics: { metrics: createMetrics(), token, open: true } } } });
    expect((await client.fetch('/metrics')).status).toBe(401);
    expect((await client.fetch('/metrics', { headers: { authorization: 'Bearer wrong-token' } })).status).toBe(401);
    expect((await client.fetch('/metrics', { headers: { authorization: `Basic ${token}` } })).status).toBe(401);
    await scrape(client, { authorization: `Bearer ${token}` });
  });

  it('serves the same registry on a loopback-only metrics port', async () => {
    const metrics = createMetrics();
    const client = createTestClient(createMemoryStorage(), undefined, { server: { observability: { metrics: { metrics } } } });
    await client.run(ContractsWithCatalogDocument, { first: 1 });
    const server = await startMetricsServer(metrics, 0);
    disposals.push(() => new Promise((resolve) => server.close(resolve)));
    const address = server.address() as { address: string; port: number };
    expect(address.address).toBe('127.0.0.1');
    const response = await fetch(`http://127.0.0.1:${address.port}/metrics`);
    expect(response.status).toBe(200);
    const samples = parsePrometheus(await response.text());
    expect(sampleValue(samples, 'griot_graphql_requests_total', { operation: 'ContractsWithCatalog', result: 'ok' })).toBe(1);
    expect((await fetch(`http://127.0.0.1:${address.port}/graphql`)).status).toBe(404);
  });
});

describe('what /metrics counts', () => {
  it('counts a request just made by operation and result, its phases, its errors and the process', async () => {
    const client = createTestClient(createMemoryStorage(), undefined, { as: 'viewer', server: { observability: { metrics: { metrics: createMetrics(), open: true } } } });
    await client.run(ContractsWithCatalogDocument, { first: 5 });
    await client.run(ContractsWithCatalogDocument, { first: 5 });
    await client.request(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'denied' }) } });
    const samples = await scrape(client);
    expect(sampleValue(samples, 'griot_graphql_requests_total', { operation: 'ContractsWithCatalog', type: 'query', result: 'ok' })).toBe(2);
    expect(sampleValue(samples, 'griot_graphql_requests_total', { operation: 'AccessCreateContract', type: 'mutation', result: 'user_error' })).toBe(1);
    expect(sampleValue(samples, 'griot_graphql_request_duration_seconds_count', { operation: 'ContractsWithCatalog', result: 'ok' })).toBe(2);
    for (const phase of ['parse', 'validate', 'context', 'execute']) {
      expect(sampleValue(samples, `graphql_envelop_phase_${phase}_count`, { operationType: 'query' })).toBe(2);
    }
    expect(samples.some((s) => s.name === 'graphql_envelop_error_result' && s.labels.phase === 'execute' && s.value >= 1)).toBe(true);
    expect(sampleValue(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(samples, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('counts a typed error in a mutation payload as user_error, a success as ok', async () => {
    const client = createTestClient(createMemoryStorage(), undefined, { server: { observability: { metrics: { metrics: createMetrics(), open: true } } } });
    const refused = await client.run(AccessCreateContractDocument, { input: { document: { apiVersion: 'v3.1.0' } } });
    expect(refused.createContract.__typename).toBe('ValidationError');
    const created = await client.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'metrics-ok' }) } });
    expect(created.createContract.__typename).toBe('CreateContractSuccess');
    const samples = await scrape(client);
    expect(sampleValue(samples, 'griot_graphql_requests_total', { operation: 'AccessCreateContract', type: 'mutation', result: 'user_error' })).toBe(1);
    expect(sampleValue(samples, 'griot_graphql_requests_total', { operation: 'AccessCreateContract', type: 'mutation', result: 'ok' })).toBe(1);
  });

  it('labels at most the configured number of operation names; later ones count as other', async () => {
    const client = createTestClient(createMemoryStorage(), undefined, { server: { observability: { metrics: { metrics: createMetrics({ maxOperationNames: 2 }), open: true } } } });
    for (const name of ['One', 'Two', 'Three', 'Four']) {
      await client.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: `query ${name} { viewer { name } }` }) });
    }
    const samples = await scrape(client);
    expect(sampleValue(samples, 'griot_graphql_requests_total', { operation: 'One' })).toBe(1);
    expect(sampleValue(samples, 'griot_graphql_requests_total', { operation: 'Two' })).toBe(1);
    expect(sampleValue(samples, 'griot_graphql_requests_total', { operation: 'Three' })).toBeUndefined();
    expect(sampleValue(samples, 'griot_graphql_requests_total', { operation: 'other' })).toBe(2);
  });

  it('counts MongoDB commands by name, their durations, the pool and DataLoader batch sizes', async () => {
    const metrics = createMetrics();
    const storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), monitorCommands: true, onClient: (c) => metrics.watch(c) });
    disposals.push(async () => {
      await storage.dropDatabase();
      await storage.close();
    });
    const client = createTestClient(storage, undefined, { server: { observability: { metrics: { metrics, open: true } } } });
    for (const name of ['m_one', 'm_two', 'm_three']) {
      const created = await client.run(AccessCreateContractDocument, { input: { document: contractDocument({ name }) } });
      expect(created.createContract.__typename).toBe('CreateContractSuccess');
    }
    const before = sampleValue(await scrape(client), 'griot_db_commands_total', { command: 'find', outcome: 'ok' }) ?? 0;
    const sent = await countCommands(storage, () => client.run(ContractsWithCatalogDocument, { first: 10 }));
    const samples = await scrape(client);
    expect(sent.find).toBeGreaterThan(0);
    expect(sampleValue(samples, 'griot_db_commands_total', { command: 'find', outcome: 'ok' })).toBe(before + sent.find!);
    expect(sampleValue(samples, 'griot_db_commands_total', { command: 'insert', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'griot_db_command_duration_seconds_count', { command: 'find' })).toBe(before + sent.find!);
    expect(sampleValue(samples, 'griot_db_pool_connections')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'griot_db_pool_waiters')).toBe(0);
    expect(sampleValue(samples, 'griot_dataloader_batch_size_count', { loader: 'catalogByContract' })).toBe(1);
    expect(sampleValue(samples, 'griot_dataloader_batch_size_sum', { loader: 'catalogByContract' })).toBe(3);
  });
});
