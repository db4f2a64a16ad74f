/**
 * Graceful shutdown with open subscriptions, through the process (issue 14.3): several SSE streams
 * (graphql-sse on /graphql/stream) are live and a writer is running when SIGTERM arrives. Each stream must end
 * with the protocol's `complete` (not a cut connection), the writes in flight must finish with their answer, and
 * the process must exit 0 well within the grace period instead of waiting on the streams.
 */
import { randomBytes } from 'node:crypto';
import { createClient } from 'graphql-sse';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { CreateContractDocument, LiveContractChangedDocument, LiveRegistryEventsDocument, UpdateContractDocument } from '../gql/graphql.js';
import { baseEnv, graphql, type Running, startServer, tempDir } from './spawn.js';

const GRACE_MS = 20_000;
const key = randomBytes(24).toString('base64url');
const database = `griot_test_shutdown_streams_${randomBytes(4).toString('hex')}`;
const env = baseEnv({
  MONGODB_URI: inject('mongodbUri'),
  MONGODB_DATABASE: database,
  GRIOT_DATA_DIR: tempDir('shutdown-streams'),
  GRIOT_API_KEYS: JSON.stringify([{ name: 'writer', roles: ['editor'], sha256: hashApiKey(key) }]),
  GRIOT_SHUTDOWN_GRACE_MS: String(GRACE_MS),
  GRIOT_REDIS_URL: undefined,
});
const servers: Running[] = [];

afterAll(async () => {
  for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  const client = new MongoClient(inject('mongodbUri'));
  await client.db(database).dropDatabase().catch(() => undefined);
  await client.close();
});

function document(minor: number) {
  return {
    apiVersion: 'v3.1.0', kind: 'DataContract', id: 'urn:shutdown-streams:orders', name: 'shutdown_streams_orders', version: `1.${minor}.0`, status: 'draft',
    schema: [{ name: 'orders', physicalType: 'table', properties: [{ name: 'order_id', logicalType: 'string', primaryKey: true }, ...Array.from({ length: minor }, (_, i) => ({ name: `f${i}`, logicalType: 'string' }))] }],
  };
}

/** One SSE stream against the real server: what arrived, and how it ended ('complete', or the error that cut it). */
function stream(url: string, query: string, variables: Record<string, unknown>) {
  const client = createClient({ url: `${url}/graphql/stream`, headers: { 'x-api-key': key }, retryAttempts: 0 });
  const received: { data?: any; errors?: unknown }[] = [];
  let end: 'complete' | string | null = null;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const ended = (async () => {
    try {
      for await (const result of client.iterate({ query, variables })) {
        received.push(result as { data?: any });
        wake();
      }
      end = 'complete';
    } catch (error) {
      end = `cut: ${error instanceof Error ? error.message : JSON.stringify(error)}`;
    } finally {
      wake();
      client.dispose();
    }
  })();
  const until = (check: () => boolean, ms: number, what: string) =>
    new Promise<void>((resolve, reject) => {
      const test = () => {
        if (check()) return finish(resolve);
        if (end) finish(() => reject(new Error(`stream ended (${end}) before ${what}`)));
      };
      const timer = setTimeout(() => finish(() => reject(new Error(`no ${what} within ${ms} ms`))), ms);
      const finish = (then: () => void) => {
        clearTimeout(timer);
        waiters.delete(test);
        then();
      };
      waiters.add(test);
      test();
    });
  return { received, ended, end: () => end, until };
}

describe('graceful shutdown with open subscriptions', () => {
  it('SIGTERM completes every SSE stream, finishes the write in flight, and exits 0 within the grace period', async () => {
    const server = await startServer(env);
    servers.push(server);
    const created = await graphql(server.url, CreateContractDocument.toString(), { input: { document: document(0) } }, key);
    const contract = created.body.data.createContract.contract as { id: string; revision: number };

    const streams = [
      stream(server.url, LiveRegistryEventsDocument.toString(), {}),
      stream(server.url, LiveRegistryEventsDocument.toString(), { filter: { contractId: contract.id } }),
      stream(server.url, LiveContractChangedDocument.toString(), { id: contract.id }),
      stream(server.url, LiveContractChangedDocument.toString(), { id: contract.id }),
    ];
    // Each stream is live: a write reaches all of them.
    let revision = contract.revision;
    let minor = 0;
    const update = async () => {
      const next = minor + 1;
      const answer = await graphql(server.url, UpdateContractDocument.toString(), { input: { id: contract.id, expectedRevision: revision, document: document(next) } }, key);
      expect(answer.status).toBe(200);
      expect(answer.body.data.updateContract.__typename).toBe('UpdateContractSuccess');
      revision = answer.body.data.updateContract.contract.revision;
      minor = next;
    };
    await update();
    for (const s of streams) await s.until(() => s.received.some((r) => JSON.stringify(r.data ?? {}).includes('CONTRACT_VERSION_PUBLISHED')), 30_000, 'the live event');

    // A write in flight when the signal comes must still get its answer.
    const inFlight = graphql(server.url, UpdateContractDocument.toString(), { input: { id: contract.id, expectedRevision: revision, document: document(minor + 1) } }, key);
    const signalledAt = Date.now();
    server.child.kill('SIGTERM');

    const answer = await inFlight.catch((error: Error & { cause?: { code?: string } }) => ({ status: 0, body: { refused: error.cause?.code ?? error.message } }));
    // It ran (success), was answered as not run (UNAVAILABLE), or its connection was refused before it was sent
    // (the server had stopped listening); never a cut connection or an internal error.
    const outcome = answer.body?.data?.updateContract?.__typename ?? answer.body?.errors?.[0]?.extensions?.code ?? (answer.body as { refused?: string }).refused;
    expect(['UpdateContractSuccess', 'UNAVAILABLE', 'ECONNREFUSED']).toContain(outcome);

    await Promise.all(streams.map((s) => s.ended));
    expect(streams.map((s) => s.end())).toEqual(streams.map(() => 'complete'));
    expect(streams.every((s) => s.received.every((r) => r.errors === undefined))).toBe(true);
    expect(await server.exited(GRACE_MS + 10_000)).toBe(0);
    // The streams did not hold the process for the grace period.
    expect(Date.now() - signalledAt).toBeLessThan(GRACE_MS);
    expect(server.output()).not.toMatch(/"level":50|uncaught|unhandled/i);
  }, 120_000);
});
