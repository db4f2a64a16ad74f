/**
 * Request budget and cancellation (issue 10.2, request half): when the budget is spent or the client leaves,
 * the execution stops — no resolver below runs, no further storage call is made — and a budget overrun is a
 * typed TIMEOUT error.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/http/limits-options.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { BudgetContractsWithVersionsDocument, CreateContractDocument } from '../gql/graphql.js';
import { createTestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Memory storage whose contract list takes `delayMs`; records every contracts.* call made after it is asked for. */
function slowStorage(delayMs: number): { storage: StorageBackend; calls: string[]; slow: { on: boolean } } {
  const base = createMemoryStorage();
  const calls: string[] = [];
  const slow = { on: false };
  const contracts = new Proxy(base.contracts, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]) => {
        if (slow.on) calls.push(String(key));
        if (slow.on && key === 'list') await sleep(delayMs);
        return value.apply(target, args);
      };
    },
  });
  return { storage: { ...base, contracts } as StorageBackend, calls, slow };
}

/** Seeds through a client with the default budget (a 100 ms budget is too tight for writes on a loaded machine). */
async function seed(storage: StorageBackend) {
  const c = createTestClient(storage);
  for (const name of ['budget-a', 'budget-b']) {
    const r = await c.run(CreateContractDocument, { input: { document: contractDocument({ name }) } });
    expect(r.createContract.__typename).toBe('CreateContractSuccess');
  }
}

const body = JSON.stringify({ query: BudgetContractsWithVersionsDocument.toString() });
const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json' };

describe('request budget', () => {
  it('stops a request past its budget with TIMEOUT, and resolves nothing more', async () => {
    const { storage, calls, slow } = slowStorage(300);
    const unexpected: unknown[] = [];
    const c = createTestClient(storage, (e) => unexpected.push(e), { server: { limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 100 } } });
    await seed(storage);
    slow.on = true;
    const started = performance.now();
    const response = await c.fetch('/graphql', { method: 'POST', headers, body });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      errors: [{ message: expect.stringContaining('budget of 100 ms'), extensions: { code: 'TIMEOUT', budgetMs: 100 } }],
    });
    expect(elapsed).toBeLessThan(300); // answered at the budget, not when the slow list returned
    await sleep(400); // the list has returned by now: its versions must not be loaded
    expect(calls).toEqual(['list']);
    expect(unexpected).toEqual([]);
  });

  it('without the budget running out the same request loads the versions (so the check above can fail)', async () => {
    const { storage, calls, slow } = slowStorage(50);
    const c = createTestClient(storage, undefined, { server: { limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 5000 } } });
    await seed(storage);
    slow.on = true;
    const data = (await (await c.fetch('/graphql', { method: 'POST', headers, body })).json()) as { data: { contracts: { nodes: unknown[] } } };
    expect(data.data.contracts.nodes).toHaveLength(2);
    expect(calls.length).toBeGreaterThan(1);
  });

  it('stops when the client disconnects: nothing below the slow field runs', async () => {
    const { storage, calls, slow } = slowStorage(300);
    const unexpected: unknown[] = [];
    const c = createTestClient(storage, (e) => unexpected.push(e));
    await seed(storage);
    slow.on = true;
    const controller = new AbortController();
    const pending = c.fetch('/graphql', { method: 'POST', headers, body, signal: controller.signal }).then(
      (r) => r.text(),
      (e: unknown) => e,
    );
    await sleep(50);
    controller.abort();
    await pending;
    await sleep(400);
    expect(calls).toEqual(['list']);
    expect(unexpected).toEqual([]);
  });
});
