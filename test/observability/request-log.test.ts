/**
 * The request log and request ids, through the server (yoga.fetch) with the log captured from a pino destination:
 * one line per request with its fields, the id in every line and in internal errors, failed authentication and
 * FORBIDDEN calls as warn lines, and no key or token anywhere in the log.
 */
import { SignJWT } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { createServer } from '../../src/server.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { MongoStorageBackend } from '../../src/storage/mongodb/index.js';
import type { StorageBackend } from '../../src/storage/types.js';
import { AccessCreateContractDocument, ContractsWithCatalogDocument, ViewerDocument } from '../gql/graphql.js';
import { countCommands, mongoBackend } from '../support/backends.js';
import { createTestClient } from '../support/client.js';
import { contractDocument } from '../support/fixtures.js';
import { captureLog } from '../support/log.js';

const json = (query: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ query }),
});

const disposals: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const dispose of disposals) await dispose();
});

describe('one line per request', () => {
  it('logs method, path, status, duration, operation, principal, result and 0 database commands (memory)', async () => {
    const log = captureLog('info');
    const client = createTestClient(createMemoryStorage(), undefined, { as: 'viewer', logger: log.logger });
    await client.run(ContractsWithCatalogDocument, { first: 5 });
    const lines = log.lines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 30,
      msg: 'request',
      method: 'POST',
      path: '/graphql',
      status: 200,
      operation: 'ContractsWithCatalog',
      operationType: 'query',
      principal: 'test-viewer',
      authMethod: 'api_key',
      result: 'ok',
      dbCommands: 0,
    });
    expect(lines[0]!.requestId).toEqual(expect.any(String));
    expect(lines[0]!.durationMs).toEqual(expect.any(Number));
    expect(lines[0]).not.toHaveProperty('errors');
  });

  it('counts the database commands the request sent, and only those (MongoDB)', async () => {
    const { storage, dispose } = await mongoBackend.create({ monitorCommands: true });
    disposals.push(dispose);
    const log = captureLog('info');
    const client = createTestClient(storage, undefined, { logger: log.logger });
    const created = await client.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'logged' }) } });
    expect(created.createContract.__typename).toBe('CreateContractSuccess');
    const sent = await countCommands(storage as MongoStorageBackend, () => client.run(ContractsWithCatalogDocument, { first: 5 }));
    const total = Object.values(sent).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    const [write, read] = log.lines();
    expect(write).toMatchObject({ operation: 'AccessCreateContract', operationType: 'mutation', principal: 'test-admin', result: 'ok' });
    expect(write!.dbCommands).toBeGreaterThan(0);
    expect(read).toMatchObject({ operation: 'ContractsWithCatalog', result: 'ok', dbCommands: total });
  });

  it('says user_error for a typed error a mutation returns in its payload, and ok for its success', async () => {
    const log = captureLog('info');
    const client = createTestClient(createMemoryStorage(), undefined, { logger: log.logger });
    const refused = await client.run(AccessCreateContractDocument, { input: { document: { apiVersion: 'v3.1.0' } } });
    expect(refused.createContract.__typename).toBe('ValidationError');
    const created = await client.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'payload-ok' }) } });
    expect(created.createContract.__typename).toBe('CreateContractSuccess');
    const [bad, good] = log.lines();
    expect(bad).toMatchObject({ operation: 'AccessCreateContract', status: 200, result: 'user_error', payloadErrors: ['VALIDATION_FAILED'] });
    expect(bad).not.toHaveProperty('errors'); // the response itself has no GraphQL errors
    expect(good).toMatchObject({ operation: 'AccessCreateContract', result: 'ok' });
    expect(good).not.toHaveProperty('payloadErrors');
  });

  it('says user_error with the error codes for a bad query, and logs /health at debug only', async () => {
    const log = captureLog('debug');
    const client = createTestClient(createMemoryStorage(), undefined, { logger: log.logger });
    const response = await client.fetch('/graphql', json('query Broken { contracts { nope } }'));
    expect(response.status).toBe(200);
    await client.fetch('/health');
    const [bad, health] = log.lines();
    expect(bad).toMatchObject({ level: 30, operation: 'Broken', result: 'user_error', errors: ['GRAPHQL_VALIDATION_FAILED'] });
    expect(health).toMatchObject({ level: 20, path: '/health', status: 200, result: 'ok' });
  });
});

describe('request ids', () => {
  it('keeps a sane incoming x-request-id and echoes it', async () => {
    const log = captureLog('info');
    const client = createTestClient(createMemoryStorage(), undefined, { logger: log.logger });
    const response = await client.fetch('/graphql', json('{ viewer { name } }', { 'x-request-id': 'edge-7f3a:01.b_c' }));
    expect(response.headers.get('x-request-id')).toBe('edge-7f3a:01.b_c');
    expect(log.lines()[0]!.requestId).toBe('edge-7f3a:01.b_c');
  });

  it.each([
    ['too long', 'a'.repeat(129)],
    ['unsafe characters', 'abc"} {"level":60'],
    ['empty', ''],
  ])('replaces an incoming id that is %s by a new one', async (_label, incoming) => {
    const client = createTestClient(createMemoryStorage());
    const response = await client.fetch('/graphql', json('{ viewer { name } }', { 'x-request-id': incoming }));
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it('generates a different id for each request', async () => {
    const client = createTestClient(createMemoryStorage());
    const ids = new Set<string | null>();
    for (let i = 0; i < 3; i++) ids.add((await client.fetch('/graphql', json('{ viewer { name } }'))).headers.get('x-request-id'));
    expect(ids.size).toBe(3);
  });

  it('puts the id in every line of the request and in the extensions of an internal error', async () => {
    const failing = createMemoryStorage();
    const broken: StorageBackend = {
      ...failing,
      contracts: { ...failing.contracts, list: () => Promise.reject(new Error('disk on fire')) } as StorageBackend['contracts'],
    };
    const log = captureLog('info');
    const client = createTestClient(broken, undefined, { logger: log.logger });
    const response = await client.fetch('/graphql', json('{ contracts { totalCount } }', { 'x-request-id': 'req-42' }));
    const body = (await response.json()) as { errors: { extensions: Record<string, unknown> }[] };
    expect(body.errors[0]!.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', requestId: 'req-42' });
    const lines = log.lines();
    expect(lines.map((l) => l.msg)).toEqual(['unexpected error', 'request']);
    expect(lines.every((l) => l.requestId === 'req-42')).toBe(true);
    expect(lines[1]).toMatchObject({ result: 'internal_error', errors: ['INTERNAL_SERVER_ERROR'] });
  });
});

describe('denied calls and secrets', () => {
  const secret = 'an HS256 secret of at least thirty-two bytes';
  const token = (sub: string) =>
    new SignJWT({ roles: ['viewer'] }).setProtectedHeader({ alg: 'HS256' }).setSubject(sub).setExpirationTime('1m').sign(new TextEncoder().encode(secret));

  it('logs failed authentication as a warn line with method, reason and client address, never the credential', async () => {
    const log = captureLog('info');
    const client = createTestClient(createMemoryStorage(), undefined, { as: null, logger: log.logger, auth: { jwt: { secret, jwksUrl: null, issuer: null, audience: null, rolesClaim: 'roles' } } });
    const badKey = 'not-a-configured-key-9f8e7d';
    const response = await client.yoga.fetch(
      new URL('/graphql', 'http://registry.test'),
      json('{ viewer { name } }', { 'x-api-key': badKey }),
      { req: { socket: { remoteAddress: '203.0.113.7' } } } as never,
    );
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('UNAUTHENTICATED');
    const warn = log.lines().filter((l) => l.level === 40);
    expect(warn).toHaveLength(1);
    expect(warn[0]).toMatchObject({
      msg: 'authentication failed',
      event: 'authentication_failed',
      credentialType: 'api_key',
      reason: 'Authentication failed: the API key is not valid',
      clientAddress: '203.0.113.7',
      requestId: response.headers.get('x-request-id'),
    });
    expect(log.text()).not.toContain(badKey);
  });

  it('logs a FORBIDDEN call as a warn line naming the principal and the operation', async () => {
    const log = captureLog('info');
    const viewerKey = 'viewer-key-3e2d1c0b9a8f7e6d5c4b';
    const client = createTestClient(createMemoryStorage(), undefined, {
      as: null,
      logger: log.logger,
      auth: { apiKeys: [{ name: 'test-viewer', roles: ['viewer'], sha256: hashApiKey(viewerKey) }] },
    });
    const response = await client.yoga.fetch(
      new URL('/graphql', 'http://registry.test'),
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': viewerKey },
        body: JSON.stringify({ query: AccessCreateContractDocument.toString(), variables: { input: { document: contractDocument({ name: 'nope' }) } } }),
      },
      { req: { socket: { remoteAddress: '198.51.100.4' } } } as never,
    );
    const result = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(result.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const [warn, request] = log.lines();
    expect(warn).toMatchObject({
      level: 40,
      msg: 'forbidden call',
      event: 'forbidden',
      principal: 'test-viewer',
      authMethod: 'api_key',
      operation: 'AccessCreateContract',
      reason: result.errors![0]!.message,
      fields: ['createContract'],
      clientAddress: '198.51.100.4',
    });
    expect(log.text()).not.toContain(viewerKey);
    expect(request).toMatchObject({ msg: 'request', result: 'user_error', errors: ['FORBIDDEN'] });
  });

  it('never writes an API key or a bearer token, valid or not, into the log', async () => {
    const log = captureLog('trace');
    const goodKey = 'good-key-5c4b3a29181706f5e4d3';
    const badKey = 'bad-key-0a1b2c3d4e5f60718293';
    const goodToken = await token('sam');
    const badToken = `${(await token('eve')).slice(0, -4)}AAAA`;
    const client = createTestClient(createMemoryStorage(), undefined, {
      as: null,
      logger: log.logger,
      auth: { apiKeys: [{ name: 'ci', roles: ['editor'], sha256: hashApiKey(goodKey) }], jwt: { secret, jwksUrl: null, issuer: null, audience: null, rolesClaim: 'roles' } },
    });
    const calls: Record<string, string>[] = [
      { 'x-api-key': goodKey },
      { 'x-api-key': badKey },
      { authorization: `Bearer ${goodToken}` },
      { authorization: `Bearer ${badToken}` },
      { authorization: `Basic ${goodKey}` },
      { 'x-api-key': goodKey, authorization: `Bearer ${goodToken}` },
    ];
    for (const headers of calls) {
      await client.fetch('/graphql', json('{ viewer { name } }', headers));
      await client.request(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'denied' }) } });
    }
    await client.request(ViewerDocument);
    const text = log.text();
    expect(log.lines().length).toBeGreaterThanOrEqual(2 * calls.length);
    for (const value of [goodKey, badKey, goodToken, badToken, goodToken.split('.')[2]!, badToken.split('.')[2]!]) expect(text).not.toContain(value);
    expect(log.lines().filter((l) => l.event === 'authentication_failed')).toHaveLength(4);
  });
});

describe('request id length', () => {
  it('follows the configured bound', async () => {
    const storage = createMemoryStorage();
    const yoga = createServer({ storage, observability: { requestIdMaxLength: 8 } });
    const ask = (id: string) => yoga.fetch('http://registry.test/health', { headers: { 'x-request-id': id } });
    expect((await ask('12345678')).headers.get('x-request-id')).toBe('12345678');
    expect((await ask('123456789')).headers.get('x-request-id')).not.toBe('123456789');
  });
});
