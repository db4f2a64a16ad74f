/**
 * Cancellation reaches the work (issue 10.2): once a client disconnects, or its request's budget is spent, no
 * further storage call starts and — on MongoDB — no further database command is sent for that request (the
 * driver's command monitoring, attributed to requests by their async context). On both backends; a run without
 * the stop shows the same query sends many more, so the checks can fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/http/limits-options.js';
import { mongoClientOf, watchCommands } from '../../src/observability/db-monitor.js';
import { currentRequest } from '../../src/observability/request-scope.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { CancelNestedDocument, CreateContractDocument, UpdateContractDocument } from '../gql/graphql.js';
import { backends } from '../support/backends.js';
import { createTestClient, type TestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const body = JSON.stringify({ query: CancelNestedDocument.toString() });
const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

/** What one request did: storage calls and database commands started before and after its stop. */
interface Trace {
  calls: { before: number; after: number };
  commands: { before: number; after: number };
  stoppedAt: number | null;
}

/**
 * The storage with every repository call and database command of the request `requestId` counted, before and
 * after `trace.stoppedAt` (set by the test when it stops the request). `first` runs at the first storage call of
 * that request, before it goes on (the test stops the request there).
 */
function traced(storage: StorageBackend, requestId: string, first: (trace: Trace) => Promise<void> | void) {
  const trace: Trace = { calls: { before: 0, after: 0 }, commands: { before: 0, after: 0 }, stoppedAt: null };
  const client = mongoClientOf(storage);
  let seen = false;
  const ours = () => currentRequest()?.id === requestId;
  const phase = () => (trace.stoppedAt === null ? 'before' : 'after');
  const unwatch = client
    ? watchCommands(client, {
        started() {
          if (ours()) trace.commands[phase()]++;
        },
      })
    : () => undefined;
  const wrap = (repository: object) =>
    new Proxy(repository, {
      get(target, key) {
        const value = Reflect.get(target, key);
        if (typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          if (ours()) {
            trace.calls[phase()]++;
            if (!seen) {
              seen = true;
              await first(trace);
            }
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const repositories = Object.fromEntries(
    Object.entries(storage).map(([k, v]) => [k, v && typeof v === 'object' && !['client', 'db', 'capabilities'].includes(k) ? wrap(v) : v]),
  );
  return { storage: { ...storage, ...repositories } as StorageBackend, trace, stop: unwatch };
}

describe.each(backends)('cancellation on $name', (backend) => {
  let base: StorageBackend;
  let dispose: () => Promise<void>;
  beforeAll(async () => {
    ({ storage: base, dispose } = await backend.create({ monitorCommands: true }));
    const c = createTestClient(base);
    for (let i = 0; i < 6; i++) {
      const made = await c.run(CreateContractDocument, { input: { document: contractDocument({ name: `cancel-${i}` }) } });
      if (made.createContract.__typename !== 'CreateContractSuccess') throw new Error(JSON.stringify(made));
      const { id, revision } = made.createContract.contract;
      const next = { ...contractDocument({ name: `cancel-${i}` }), version: '1.1.0' };
      const updated = await c.run(UpdateContractDocument, { input: { id, expectedRevision: revision, document: next } });
      expect(updated.updateContract.__typename).toBe('UpdateContractSuccess');
    }
  });
  afterAll(() => dispose());

  async function send(c: TestClient, requestId: string, signal?: AbortSignal): Promise<Response | unknown> {
    return c.fetch('/graphql', { method: 'POST', headers: { ...headers, 'x-request-id': requestId }, body, signal }).then(
      async (r) => {
        await r.text();
        return r;
      },
      (e: unknown) => e,
    );
  }

  it('without a stop, the query reads in several waves (the baseline)', async () => {
    const requestId = `baseline-${backend.name}`;
    const { storage, trace, stop } = traced(base, requestId, () => undefined);
    const response = (await send(createTestClient(storage), requestId)) as Response;
    stop();
    expect(response.status).toBe(200);
    expect(trace.calls.before + trace.calls.after).toBeGreaterThanOrEqual(3);
    if (backend.name === 'mongodb') expect(trace.commands.before + trace.commands.after).toBeGreaterThanOrEqual(3);
  });

  it('after the client disconnects, no storage call starts and no database command is sent for it', async () => {
    const requestId = `abort-${backend.name}`;
    const controller = new AbortController();
    const unexpected: unknown[] = [];
    // The client leaves while the first storage call is under way (it then goes on to the database).
    const { storage, trace, stop } = traced(base, requestId, async (t) => {
      setTimeout(() => {
        t.stoppedAt = performance.now();
        controller.abort();
      }, 5);
      await sleep(40);
    });
    const c = createTestClient(storage, (e) => unexpected.push(e));
    await send(c, requestId, controller.signal);
    await sleep(300); // whatever was still going would have run by now
    stop();
    expect(trace.stoppedAt).not.toBeNull();
    expect(trace.calls.after).toBe(0);
    expect(trace.commands.after).toBe(0);
    expect(unexpected).toEqual([]);
  });

  it('after the budget is spent, no storage call starts and no database command is sent; the caller gets TIMEOUT', async () => {
    const requestId = `budget-${backend.name}`;
    const unexpected: unknown[] = [];
    // The first storage call of the request holds the process past the 150 ms budget (busy, so that no timer fires).
    const { storage, trace, stop } = traced(base, requestId, (t) => {
      const until = performance.now() + 200;
      while (performance.now() < until);
      t.stoppedAt = performance.now();
    });
    const c = createTestClient(storage, (e) => unexpected.push(e), { server: { limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 150 } } });
    const response = (await send(c, requestId)) as Response;
    await sleep(300);
    stop();
    expect(response.status).toBe(503);
    expect(trace.stoppedAt).not.toBeNull();
    expect(trace.calls.after).toBe(0);
    expect(trace.commands.after).toBe(0);
    expect(unexpected).toEqual([]);
  });
});
