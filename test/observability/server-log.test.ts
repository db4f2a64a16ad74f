/** What the server logs, read back through a captured pino destination: requests made with yoga.fetch. */
import { describe, expect, it } from 'vitest';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { createTestClient } from '../support/client.js';
import { captureLog } from '../support/log.js';

describe('server log', () => {
  it('logs an unexpected error as one error line with the stack in a field, never its message to the client', async () => {
    const failing = createMemoryStorage();
    const broken: StorageBackend = {
      ...failing,
      contracts: { ...failing.contracts, list: () => Promise.reject(new Error('disk on fire')) } as StorageBackend['contracts'],
    };
    const log = captureLog();
    const client = createTestClient(broken, undefined, { logger: log.logger });
    const response = await client.fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ contracts { totalCount } }' }),
    });
    expect(await response.text()).not.toContain('disk on fire');
    const errors = log.lines().filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ msg: 'unexpected error', err: { message: 'disk on fire' } });
    expect(String((errors[0]!.err as { stack?: string }).stack)).toMatch(/at .*server-log\.test\.ts/);
  });
});
