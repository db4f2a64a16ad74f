/** The HTTP surface: /health, /ready, GraphiQL, and errors that never leak internals. */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { StorageInfoDocument } from '../gql/graphql.js';
import { mongoBackend } from '../support/backends.js';
import { createTestClient } from '../support/client.js';

describe('server routes', () => {
  it('/health answers while the process is up', async () => {
    const client = createTestClient(createMemoryStorage());
    const response = await client.fetch('/health');
    expect(response.status).toBe(200);
  });

  it('/ready reports the storage: 200 when it answers, 503 when it does not', async () => {
    const { storage, dispose } = await mongoBackend.create();
    const client = createTestClient(storage);
    const ready = await client.fetch('/ready');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ready', storage: { ok: true, backend: 'mongodb' } });
    await dispose(); // closes the client: the storage no longer answers
    const down = await client.fetch('/ready');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 'unavailable', storage: { ok: false } });
  });

  it('serves GraphiQL with example operations', async () => {
    const client = createTestClient(createMemoryStorage());
    const response = await client.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('GraphiQL');
    expect(html).toContain('createContract');
  });

  it('reports the backend and its capabilities', async () => {
    const client = createTestClient(createMemoryStorage());
    expect(await client.run(StorageInfoDocument)).toEqual({ storage: { backendKind: 'MEMORY', textSearch: false } });
  });

  it('masks unexpected errors: no message, no stack trace', async () => {
    const failing = createMemoryStorage();
    const broken: StorageBackend = {
      ...failing,
      contracts: { ...failing.contracts, list: () => Promise.reject(new Error('secret connection string mongodb://user:pw@db')) } as StorageBackend['contracts'],
    };
    const seen: unknown[] = [];
    const client = createTestClient(broken, (e) => seen.push(e));
    const response = await client.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ contracts { totalCount } }' }),
    });
    const body = await response.text();
    expect(body).not.toContain('secret');
    expect(body).not.toContain('.ts:');
    expect(JSON.parse(body)).toMatchObject({ errors: [{ message: 'Unexpected error.', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
    expect(seen).toHaveLength(1);
  });
});
