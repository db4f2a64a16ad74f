/**
 * GRIOT_MAX_REQUEST_BYTES over real HTTP (src/http/request-body.ts): a body that Node's HTTP server delivers with a
 * Content-Length is read as it is, a chunked one is counted as it streams, and each past the limit is 413 with
 * nothing written. The requests are written byte by byte on a socket, so that the headers are exactly these.
 * (limits.test.ts covers the same limit in process, through `yoga.fetch`.)
 */
import { randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { DEFAULT_LIMITS } from '../../src/http/limits-options.js';
import { createServer } from '../../src/server.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { ContractsDocument, CreateContractDocument } from '../gql/graphql.js';
import { contractDocument } from '../support/fixtures.js';

const MAX = 4096;
const key = randomBytes(24).toString('base64url');
const storage = createMemoryStorage();
let server: Server;
let port: number;

beforeAll(async () => {
  const yoga = createServer({
    storage,
    limits: { ...DEFAULT_LIMITS, maxDocumentBytes: 1024, maxRequestBytes: MAX },
    auth: { apiKeys: [{ name: 'body-test', roles: ['editor'], sha256: hashApiKey(key) }] },
  });
  server = createHttpServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

/** A createContract request body whose size grows with `padding`. */
function createBody(name: string, padding: number): Buffer {
  const document = { ...contractDocument({ name }), description: { purpose: 'x'.repeat(padding) } };
  return Buffer.from(JSON.stringify({ query: CreateContractDocument.toString(), variables: { input: { document } } }));
}

/** Writes one request (headers as given, then the body parts as they are) and reads the whole answer. */
function exchange(headers: string[], parts: Buffer[]): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    const head = ['POST /graphql HTTP/1.1', 'Host: 127.0.0.1', 'Content-Type: application/json', `X-Api-Key: ${key}`, 'Connection: close', ...headers];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    for (const part of parts) socket.write(part);
    socket.end();
  });
}

/** A chunked body: each part one chunk, then the last chunk. */
function chunked(body: Buffer, size: number): Buffer[] {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    parts.push(Buffer.concat([Buffer.from(`${piece.length.toString(16)}\r\n`), piece, Buffer.from('\r\n')]));
  }
  parts.push(Buffer.from('0\r\n\r\n'));
  return parts;
}

/** How many contracts the registry holds, asked through the API. */
async function contractCount(): Promise<number> {
  const query = Buffer.from(JSON.stringify({ query: ContractsDocument.toString(), variables: {} }));
  const answer = await exchange([`Content-Length: ${query.length}`], [query]);
  return (JSON.parse(answer.body) as { data: { contracts: { totalCount: number } } }).data.contracts.totalCount;
}

describe('the request body limit over HTTP', () => {
  it('refuses a declared Content-Length past the limit with 413, and a chunked body as it grows past it, writing nothing', async () => {
    const large = createBody('too-large', 5000);
    expect(large.length).toBeGreaterThan(MAX);
    const declared = await exchange([`Content-Length: ${large.length}`], [large]);
    const streamed = await exchange(['Transfer-Encoding: chunked'], chunked(large, 1000));
    for (const answer of [declared, streamed]) {
      expect(answer.status).toBe(413);
      expect(answer.body).toContain('"code":"REQUEST_ENTITY_TOO_LARGE"');
      expect(answer.body).not.toMatch(/at .+\.(ts|js):\d+/);
    }
    expect(await contractCount()).toBe(0);
  });

  it('serves a body within the limit, with a Content-Length and chunked (so the refusals above can fail)', async () => {
    const declaredBody = createBody('within-declared', 100);
    const chunkedBody = createBody('within-chunked', 100);
    expect(chunkedBody.length).toBeLessThan(MAX);
    const declared = await exchange([`Content-Length: ${declaredBody.length}`], [declaredBody]);
    const streamed = await exchange(['Transfer-Encoding: chunked'], chunked(chunkedBody, 300));
    for (const answer of [declared, streamed]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toContain('"__typename":"CreateContractSuccess"');
    }
    expect(await contractCount()).toBe(2);
  });

  it('reads no more than the declared length: a longer body, or Content-Length beside Transfer-Encoding, creates nothing', async () => {
    const before = await contractCount();
    const body = createBody('lying-length', 100);
    // Node's parser hands over the first 40 bytes only: a JSON that does not parse, 400, nothing written.
    const short = await exchange(['Content-Length: 40'], [body]);
    expect(short.status).toBe(400);
    const both = await exchange([`Content-Length: ${body.length}`, 'Transfer-Encoding: chunked'], chunked(body, 300));
    expect(both.status).toBe(400);
    const invalid = await exchange(['Content-Length: 12, 12'], [body]);
    expect(invalid.status).toBe(400);
    expect(await contractCount()).toBe(before);
  });
});
