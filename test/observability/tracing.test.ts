/**
 * Tracing through the server with the SDK's in-memory exporter: one trace per request with the GraphQL phases as
 * children and the MongoDB commands under execute; the request id is an attribute. Off unless OTEL_* says so.
 */
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startTracing, tracingRequested } from '../../src/observability/tracing.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createMongoStorage } from '../../src/storage/mongodb/index.js';
import { AccessCreateContractDocument, ContractsWithCatalogDocument } from '../gql/graphql.js';
import { testDatabaseName } from '../support/backends.js';
import { createTestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

const disposals: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const dispose of disposals) await dispose();
});

const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

describe('tracing', () => {
  it('is on only when the standard OTEL_* variables ask for it', () => {
    expect(tracingRequested({})).toBe(false);
    expect(tracingRequested({ OTEL_SERVICE_NAME: 'griot' })).toBe(false);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(false);
    expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_TRACES_EXPORTER: 'otlp' })).toBe(false);
  });

  it('makes a query one trace: request span, GraphQL parse/validate/context/execute, MongoDB commands under execute', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = await startTracing({ exporter });
    disposals.push(() => tracing.shutdown());
    const storage = await createMongoStorage({ uri: inject('mongodbUri'), database: testDatabaseName(), monitorCommands: true });
    disposals.push(async () => {
      await storage.dropDatabase();
      await storage.close();
    });
    const client = createTestClient(storage, undefined, { server: { observability: { tracing } } });
    await client.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'traced' }) } });
    exporter.reset();

    const response = await client.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-me-1' },
      body: JSON.stringify({ query: ContractsWithCatalogDocument.toString(), variables: { first: 5 } }),
    });
    expect(response.status).toBe(200);
    const spans = exporter.getFinishedSpans();
    const root = spans.find((s) => s.name === 'POST /graphql');
    expect(root).toBeDefined();
    expect(parentOf(root!)).toBeUndefined();
    expect(root!.attributes).toMatchObject({
      'griot.request_id': 'trace-me-1',
      'graphql.operation.name': 'ContractsWithCatalog',
      'graphql.operation.type': 'query',
      'http.response.status_code': 200,
    });
    const traceId = root!.spanContext().traceId;
    expect(spans.every((s) => s.spanContext().traceId === traceId)).toBe(true);
    const byName = (name: string) => spans.filter((s) => s.name === name);
    for (const phase of ['graphql.parse', 'graphql.validate', 'graphql.context', 'graphql.execute']) {
      expect(byName(phase)).toHaveLength(1);
      expect(parentOf(byName(phase)[0]!)).toBe(root!.spanContext().spanId);
      expect(byName(phase)[0]!.attributes['griot.request_id']).toBe('trace-me-1');
    }
    const execute = byName('graphql.execute')[0]!;
    const finds = byName('mongodb.find');
    // the page, the catalog entries, their freshness check (their contracts' revisions and catalog_pending, see
    // src/storage/mongodb/repair.ts freshenCatalog), their contracts (test/api/batching.test.ts)
    expect(finds.length).toBe(5);
    for (const find of finds) {
      expect(parentOf(find)).toBe(execute.spanContext().spanId);
      expect(find.attributes).toMatchObject({ 'db.system.name': 'mongodb', 'db.operation.name': 'find', 'griot.request_id': 'trace-me-1' });
    }
    expect(finds.map((f) => f.attributes['db.collection.name']).sort()).toEqual(['catalog_pending', 'contracts', 'contracts', 'contracts', 'schema_catalog']);
  });

  it('continues an incoming W3C traceparent', async () => {
    const exporter = new InMemorySpanExporter();
    const tracing = await startTracing({ exporter });
    const client = createTestClient(createMemoryStorage(), undefined, { server: { observability: { tracing } } });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await client.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ query: '{ viewer { name } }' }),
    });
    const root = exporter.getFinishedSpans().find((s) => s.name === 'POST /graphql');
    expect(root?.spanContext().traceId).toBe(traceId);
    expect(parentOf(root!)).toBe('00f067aa0ba902b7');
  });
});
