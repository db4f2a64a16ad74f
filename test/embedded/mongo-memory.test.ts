/**
 * Whether mongodb-memory-server can be had is decided without a download, and a failure is remembered: the next
 * call neither loads nor probes anything. The download host here is a local server that counts what reaches it.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mongoMemoryAvailability, unavailableMarker } from '../../src/embedded/mongo-memory.js';

let server: Server;
let hits = 0;
let port = 0;
const saved = process.env.MONGOMS_DOWNLOAD_DIR;

beforeAll(async () => {
  // Answers every request by hanging up: reachable, but nothing to download. What is counted is connections, not
  // parsed requests: the probe runs while mongodb-memory-server's module loads in this same process, so on a busy
  // machine this server may only accept the probe's connection after the probe has given up waiting.
  server = createServer((request) => request.socket.destroy());
  server.on('connection', () => {
    hits++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
  process.env.MONGOMS_DOWNLOAD_DIR = mkdtempSync(join(tmpdir(), 'griot-mongoms-'));
});

afterAll(async () => {
  if (saved === undefined) delete process.env.MONGOMS_DOWNLOAD_DIR;
  else process.env.MONGOMS_DOWNLOAD_DIR = saved;
  await new Promise((resolve) => server.close(resolve));
});

describe('mongodb-memory-server availability', () => {
  it('an unreachable download is found out by one probe and remembered in the cache folder', async () => {
    const env = { GRIOT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'griot-cache-')), MONGOMS_DOWNLOAD_URL: `http://127.0.0.1:${port}/mongodb.tgz` };
    const first = await mongoMemoryAvailability(env);
    expect(first).toEqual({ ok: false, reason: expect.stringMatching(/^no MongoDB binary and http:\/\/127\.0\.0\.1:\d+ cannot be reached/) });
    await vi.waitFor(() => expect(hits).toBe(1), { timeout: 10_000 });
    expect(JSON.parse(readFileSync(unavailableMarker(env), 'utf8'))).toMatchObject({ reason: (first as { reason: string }).reason });

    const later = await mongoMemoryAvailability(env);
    expect(later).toEqual({ ok: false, reason: expect.stringContaining('(remembered; delete ') });
    expect(hits).toBe(1); // nothing probed again
  });

  it('a download URL that is not a URL is said so, and remembered', async () => {
    const env = { GRIOT_CACHE_DIR: mkdtempSync(join(tmpdir(), 'griot-cache-')), MONGOMS_DOWNLOAD_URL: 'not a url' };
    expect(await mongoMemoryAvailability(env)).toEqual({ ok: false, reason: 'the MongoDB download URL "not a url" is not a URL' });
    expect(existsSync(unavailableMarker(env))).toBe(true);
  });
});
