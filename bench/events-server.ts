/**
 * The server bench/events.ts measures: one registry instance (memory, or MongoDB at MONGODB_URI in the scratch
 * database BENCH_DATABASE) with its subscription hub, served over HTTP on a free loopback port, in a process of its
 * own so that its memory is the server's alone. The caps are raised for the benchmark (EVENTS_SERVER_CAP open
 * subscriptions in all and per principal: the benchmark's subscribers share one API key); heartbeats every
 * EVENTS_SERVER_HEARTBEAT_MS (default 10 s) keep the idle streams alive. It talks to its parent over IPC:
 *   → { ready: url }                         once listening
 *   ← 'memory'  → { memory: { rss, heapUsed, external, arrayBuffers }, open }   after a full garbage collection
 *   ← 'stop'    → closes the hub (every stream completes), drops the scratch database, exits
 * The admin key arrives as EVENTS_SERVER_KEY (configured here as its sha256, as in production).
 */
import { createServer as createHttpServer } from 'node:http';
import { hashApiKey } from '../src/auth/api-keys.js';
import { DEFAULT_LIMITS } from '../src/http/limits-options.js';
import { createLive } from '../src/live/index.js';
import { createServer } from '../src/server.js';
import { createMemoryStorage } from '../src/storage/memory/index.js';
import { createMongoStorage, type MongoStorageBackend } from '../src/storage/mongodb/index.js';
import type { StorageBackend } from '../src/storage/types.js';

const cap = Number(process.env.EVENTS_SERVER_CAP ?? 10_000);
const key = process.env.EVENTS_SERVER_KEY!;
const uri = process.env.MONGODB_URI;
const memory = process.env.GRIOT_STORAGE === 'memory' || !uri;
const storage: StorageBackend = memory
  ? createMemoryStorage()
  : await createMongoStorage({ uri: uri!, database: process.env.BENCH_DATABASE!, operationTimeoutMs: 120_000 });
const live = createLive(storage, { maxSubscriptions: cap, maxPerPrincipal: cap, heartbeatMs: Number(process.env.EVENTS_SERVER_HEARTBEAT_MS ?? 10_000), pollMs: Number(process.env.EVENTS_SERVER_POLL_MS ?? 10_000) }, { announce: false });
const yoga = createServer({
  storage,
  live,
  graphiql: false,
  limits: { ...DEFAULT_LIMITS, requestTimeoutMs: 120_000 },
  auth: { apiKeys: [{ name: 'bench', roles: ['admin'], sha256: hashApiKey(key) }] },
});
const server = createHttpServer(yoga);
// Idle event streams are the point here: no per-connection time limits of node:http get in the way.
server.requestTimeout = 0;
server.headersTimeout = 60_000;
server.keepAliveTimeout = 60_000;
server.maxConnections = cap * 2;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  process.send!({ ready: `http://127.0.0.1:${address.port}` });
});

process.on('message', (message) => {
  if (message === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    process.send!({ memory: { rss, heapUsed, external, arrayBuffers }, open: live.hub.stats().open });
  } else if (message === 'stop') {
    void (async () => {
      server.closeAllConnections();
      server.close();
      await Promise.race([live.close(), new Promise((resolve) => setTimeout(resolve, 2_000))]);
      if (!memory) await (storage as MongoStorageBackend).dropDatabase().catch(() => undefined);
      await storage.close();
      process.exit(0);
    })();
  }
});
process.on('disconnect', () => process.exit(0));
