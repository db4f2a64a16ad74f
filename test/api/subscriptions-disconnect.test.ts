/**
 * A subscriber that disconnects frees its place under the caps at once (issue 14): the server, on a real HTTP
 * connection, ends the subscription when the connection closes, not when a later heartbeat write fails. Heartbeats
 * and polls are set far beyond the test's bounds, so only the disconnect itself can free the place.
 */
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { createGracefulServer, type GracefulServer } from '../../src/http/shutdown.js';
import { createLive, type Live } from '../../src/live/index.js';
import { createServer } from '../../src/server.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { LiveCreateContractDocument, LiveRegistryEventsDocument } from '../gql/graphql.js';
import { contractDocument } from '../support/fixtures.js';

const VIEWER = randomBytes(24).toString('base64url');
const EDITOR = randomBytes(24).toString('base64url');

/** Waits (bounded) until `ok()` holds; fails naming what it waited for. */
async function until(what: string, ok: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** An SSE stream over a real connection (graphql-sse, distinct connections), read as text as it arrives. */
interface Stream {
  abort(): void;
  /** Resolves with the text received once it contains `pattern` (bounded). */
  waitFor(pattern: RegExp, ms?: number): Promise<string>;
}

describe('a disconnected subscriber', () => {
  let storage: StorageBackend;
  let live: Live;
  let http: GracefulServer;
  let base: string;
  const streams: Stream[] = [];

  beforeEach(async () => {
    storage = createMemoryStorage();
    live = createLive(storage, { maxPerPrincipal: 2, maxSubscriptions: 100, heartbeatMs: 600_000, pollMs: 600_000 }, { announce: false });
    const apiKeys = [
      { name: 'vic', roles: ['viewer' as const], sha256: hashApiKey(VIEWER) },
      { name: 'ana', roles: ['editor' as const], sha256: hashApiKey(EDITOR) },
    ];
    http = createGracefulServer(createServer({ storage, live, auth: { apiKeys } }), { graceMs: 1_000, lingerMs: 0 });
    await new Promise<void>((resolve) => http.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(http.server.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    for (const s of streams.splice(0)) s.abort();
    await live.close();
    await http.shutdown();
    await storage.close();
  });

  async function open(key: string): Promise<Stream> {
    const controller = new AbortController();
    const response = await fetch(`${base}/graphql/stream`, {
      method: 'POST',
      signal: controller.signal,
      headers: { 'x-api-key': key, accept: 'text/event-stream', 'content-type': 'application/json' },
      body: JSON.stringify({ query: LiveRegistryEventsDocument.toString(), variables: {} }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let text = '';
    const stream: Stream = {
      abort: () => controller.abort(),
      async waitFor(pattern, ms = 5_000) {
        const deadline = Date.now() + ms;
        while (!pattern.test(text)) {
          const timer = new Promise<'late'>((resolve) => setTimeout(() => resolve('late'), Math.max(0, deadline - Date.now())));
          const read = await Promise.race([reader.read(), timer]);
          if (read === 'late') throw new Error(`no ${pattern} within ${ms} ms; got: ${text}`);
          if (read.done) break;
          text += new TextDecoder().decode(read.value);
        }
        if (!pattern.test(text)) throw new Error(`the stream ended without ${pattern}; got: ${text}`);
        return text;
      },
    };
    streams.push(stream);
    return stream;
  }

  it('frees its place under the per-principal cap when its connection closes, without waiting for a heartbeat', async () => {
    const first = await open(VIEWER);
    await open(VIEWER);
    await until('two subscriptions open', () => live.hub.stats().open === 2);
    const refused = await open(VIEWER);
    expect(await refused.waitFor(/TOO_MANY_SUBSCRIPTIONS/)).toMatch(/GRIOT_SUBSCRIPTIONS_PER_PRINCIPAL/);

    // The client goes away and subscribes again at once. Heartbeats and polls are 10 minutes apart: only the
    // closed connection can have freed the place.
    first.abort();
    const again = await open(VIEWER);
    await until('the new subscription open in the freed place', () => live.hub.stats().open === 2);
    const created = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'x-api-key': EDITOR, 'content-type': 'application/json' },
      body: JSON.stringify({ query: LiveCreateContractDocument.toString(), variables: { input: { document: contractDocument({ name: 'after_abort' }) } } }),
    });
    expect(JSON.stringify(await created.json())).toContain('CreateContractSuccess');
    expect(await again.waitFor(/CONTRACT_CREATED/)).not.toMatch(/TOO_MANY_SUBSCRIPTIONS/);
  });
});
