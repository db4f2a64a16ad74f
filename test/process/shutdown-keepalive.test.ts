/**
 * Graceful shutdown and idle keep-alive connections, through the process: a client that sends its next request on
 * an idle keep-alive connection just after SIGTERM (the server has stopped listening and has nothing in flight)
 * must be told the request was not run — 503 UNAVAILABLE, on that same connection — and not have the connection
 * reset under the request (HTTP/1.1's keep-alive race, which GRIOT_SHUTDOWN_LINGER_MS exists to close).
 */
import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { ViewerDocument } from '../gql/graphql.js';
import { baseEnv, type Running, startServer, tempDir } from './spawn.js';

const key = randomBytes(24).toString('base64url');
const database = `griot_test_shutdown_keepalive_${randomBytes(4).toString('hex')}`;
const LINGER_MS = 10_000;
const env = baseEnv({
  MONGODB_URI: inject('mongodbUri'),
  MONGODB_DATABASE: database,
  GRIOT_DATA_DIR: tempDir('shutdown-keepalive'),
  GRIOT_API_KEYS: JSON.stringify([{ name: 'reader', roles: ['viewer'], sha256: hashApiKey(key) }]),
  GRIOT_SHUTDOWN_LINGER_MS: String(LINGER_MS),
});
const servers: Running[] = [];

afterAll(async () => {
  for (const server of servers) if (server.child.exitCode === null) server.child.kill('SIGKILL');
  const client = new MongoClient(inject('mongodbUri'));
  await client.db(database).dropDatabase().catch(() => undefined);
  await client.close();
});

interface Answer {
  status: number;
  body: { data?: { viewer?: { name?: string } }; errors?: { extensions?: { code?: string } }[] };
  reusedSocket: boolean;
}

/** POSTs the typed Viewer query through `agent` (one socket, kept alive). */
function post(url: string, agent: Agent): Promise<Answer> {
  const body = JSON.stringify({ query: ViewerDocument.toString() });
  return new Promise((resolve, reject) => {
    const req = request(`${url}/graphql`, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-api-key': key } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text), reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('graceful shutdown, idle keep-alive connections', () => {
  it('a request sent on an idle keep-alive connection after SIGTERM is answered UNAVAILABLE on it, not reset', async () => {
    const server = await startServer(env);
    servers.push(server);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await post(server.url, agent);
      expect(first.status).toBe(200);
      expect(first.body.data?.viewer?.name).toBe('reader');

      // The connection is now idle in the agent's pool. Send the next request once the server is shutting down.
      server.child.kill('SIGTERM');
      await server.waitFor(/SIGTERM: shutting down/, 30_000);
      const second = await post(server.url, agent);
      expect(second.reusedSocket).toBe(true);
      expect(second.status).toBe(503);
      expect(second.body.errors?.[0]?.extensions?.code).toBe('UNAVAILABLE');

      // The refusal closed that connection (connection: close), the last one open, so the process does not wait
      // for the linger to run out.
      const signalledAt = Date.now();
      expect(await server.exited(LINGER_MS + 20_000)).toBe(0);
      expect(Date.now() - signalledAt).toBeLessThan(LINGER_MS);
    } finally {
      agent.destroy();
    }
  }, 120_000);
});
