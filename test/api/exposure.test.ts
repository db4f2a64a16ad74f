/**
 * Exposure (issue 10.7): introspection and field suggestions only for callers who qualify, CORS from an allowlist,
 * CSRF prevention for requests a browser can send cross-site without a preflight, an optional rate limit.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import { loadConfig } from '../../src/config.js';
import { DEFAULT_EXPOSURE, type ExposureOptions } from '../../src/http/exposure.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { Role } from '../../src/auth/principal.js';
import { ContractsDocument, ViewerDocument } from '../gql/graphql.js';
import { createTestClient, type TestClient } from '../support/client.js';

interface Body {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

function client(exposure: Partial<ExposureOptions> = {}, as: Role | null = 'viewer', storage = createMemoryStorage()): TestClient {
  return createTestClient(storage, undefined, { as, auth: { anonymousRead: true }, server: { exposure: { ...DEFAULT_EXPOSURE, ...exposure } } });
}

async function post(c: TestClient, query: string, headers: Record<string, string> = {}): Promise<{ response: Response; body: Body }> {
  const response = await c.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });
  return { response, body: (await response.json()) as Body };
}

const INTROSPECTION = '{ __schema { queryType { name } } }';
const TYPO = '{ contracts { totalCont } }';

describe('introspection and suggestions', () => {
  it('are off for anonymous callers and on for authenticated ones by default', async () => {
    const anonymous = await post(client({}, null), INTROSPECTION);
    expect(anonymous.body.data).toBeUndefined();
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(anonymous.body.errors?.[0]?.message).toContain('introspection');
    const typo = await post(client({}, null), TYPO);
    expect(typo.body.errors?.[0]?.message).toContain('Cannot query field "totalCont"');
    expect(typo.body.errors?.[0]?.message).not.toContain('Did you mean');

    const viewer = await post(client({}, 'viewer'), INTROSPECTION);
    expect(viewer.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    expect((await post(client({}, 'viewer'), TYPO)).body.errors?.[0]?.message).toContain('Did you mean "totalCount"?');
  });

  it('are off for everyone with "off" (the production default) and on for everyone with "everyone"', async () => {
    const off = await post(client({ introspection: 'off' }, 'admin'), INTROSPECTION);
    expect(off.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await post(client({ introspection: 'off' }, 'admin'), TYPO)).body.errors?.[0]?.message).not.toContain('Did you mean');
    expect((await post(client({ introspection: 'everyone' }, null), INTROSPECTION)).body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });

  it('hide the suggestions of variable errors (enum values, input fields) the same way', async () => {
    const badEnum = { filter: { status: ['ACTIV' as never] } };
    const badField = { filter: { ownr: 'x' } as never };
    const messages = async (c: TestClient) => [
      (await c.request(ContractsDocument, badEnum)).errors?.[0]?.message ?? '',
      (await c.request(ContractsDocument, badField)).errors?.[0]?.message ?? '',
    ];
    const [viewerEnum, viewerField] = await messages(client({}, 'viewer'));
    expect(viewerEnum).toContain('Did you mean the enum value "ACTIVE"?');
    expect(viewerField).toContain('Did you mean "owner"?');
    for (const c of [client({}, null), client({ introspection: 'off' }, 'admin')]) {
      const [enumMessage, fieldMessage] = await messages(c);
      expect(enumMessage).toContain('Value "ACTIV" does not exist in "ContractStatus" enum');
      expect(fieldMessage).toContain('Field "ownr" is not defined by type "ContractFilter"');
      for (const m of [enumMessage, fieldMessage]) {
        expect(m).not.toContain('Did you mean');
        expect(m).not.toMatch(/"ACTIVE"|"owner"/);
      }
    }
  });

  it('are off in production unless configured (GRIOT_INTROSPECTION)', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).exposure.introspection).toBe('off');
    expect(loadConfig({ NODE_ENV: 'production', GRIOT_INTROSPECTION: 'authenticated' }).exposure.introspection).toBe('authenticated');
    expect(loadConfig({ NODE_ENV: 'development' }).exposure.introspection).toBe('authenticated');
  });

  it('answers the same document differently per caller (no cached validation leaks between them)', async () => {
    const storage = createMemoryStorage();
    const anonymous = client({}, null, storage);
    const viewer = client({}, 'viewer', storage);
    expect((await post(viewer, INTROSPECTION)).body.data).toBeDefined();
    const refused = await post(anonymous, INTROSPECTION);
    expect(refused.body.data).toBeUndefined();
    expect(refused.body.errors?.map((e) => e.extensions?.code)).toContain('GRAPHQL_VALIDATION_FAILED');
    expect((await post(viewer, INTROSPECTION)).body.errors).toBeUndefined();
  });
});

describe('CORS', () => {
  it('gives no cross-origin access without an allowlist', async () => {
    const c = client();
    const { response } = await post(c, '{ viewer { name } }', { origin: 'https://evil.example' });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('allows only the listed origins', async () => {
    const c = client({ corsOrigins: ['https://catalog.example.com', 'http://localhost:5173'] });
    const allowed = await post(c, '{ viewer { name } }', { origin: 'http://localhost:5173' });
    expect(allowed.response.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(allowed.response.headers.get('access-control-allow-credentials')).toBe('true');
    const preflight = await c.fetch('/graphql', {
      method: 'OPTIONS',
      headers: { origin: 'https://catalog.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, x-api-key' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://catalog.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-api-key');
    const other = await post(c, '{ viewer { name } }', { origin: 'https://evil.example' });
    expect(other.response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CSRF prevention', () => {
  const mutation = 'mutation { createContract(input: { document: {} }) { __typename } }';

  it('refuses form and multipart posts and header-less GETs; nothing is written', async () => {
    const c = client({}, 'admin');
    const form = await c.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ query: mutation }).toString() });
    expect(form.status).toBe(403);
    expect(await form.json()).toMatchObject({ errors: [{ extensions: { code: 'CSRF_HEADER_MISSING' } }] });
    const multipart = new FormData();
    multipart.set('operations', JSON.stringify({ query: mutation }));
    multipart.set('map', '{}');
    expect((await c.fetch('/graphql', { method: 'POST', body: multipart })).status).toBe(403);
    const text = await c.fetch('/graphql', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: mutation }) });
    expect(text.status).toBe(403);
    const get = await c.fetch(`/graphql?query=${encodeURIComponent('{ viewer { name } }')}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(403);
    expect((await c.run(ContractsDocument, {})).contracts.totalCount).toBe(0);
  });

  it('lets JSON posts, GETs with the header, and the GraphiQL page through', async () => {
    const c = client({}, 'viewer');
    expect((await c.run(ViewerDocument)).viewer.roles).toEqual(['VIEWER']);
    const get = await c.fetch(`/graphql?query=${encodeURIComponent('{ viewer { roles } }')}`, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } });
    expect(await get.json()).toEqual({ data: { viewer: { roles: ['VIEWER'] } } });
    const page = await c.fetch('/graphql', { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('GraphiQL');
  });
});

describe('rate limit', () => {
  it('is off by default', async () => {
    const c = client();
    for (let i = 0; i < 20; i++) expect((await post(c, '{ viewer { name } }')).body.errors).toBeUndefined();
  });

  it('limits each principal separately when configured, on one server', async () => {
    const keys = { alice: randomBytes(24).toString('base64url'), bob: randomBytes(24).toString('base64url') };
    const apiKeys = Object.entries(keys).map(([name, key]) => ({ name, roles: ['viewer' as const], sha256: hashApiKey(key) }));
    const exposure = { ...DEFAULT_EXPOSURE, rateLimit: { max: 3, window: '1m' } };
    const c = createTestClient(createMemoryStorage(), undefined, { as: null, auth: { apiKeys, anonymousRead: true }, server: { exposure } });
    const as = (who: keyof typeof keys) => ({ 'x-api-key': keys[who] });
    for (let i = 0; i < 3; i++) expect((await post(c, '{ viewer { name } }', as('alice'))).body).toEqual({ data: { viewer: { name: 'alice' } } });
    const limited = await post(c, '{ viewer { name } }', as('alice'));
    expect(limited.response.status).toBe(429);
    expect(limited.response.headers.get('retry-after')).toBe('60');
    expect(limited.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    // Another principal on the same server still has its budget; alice stays limited.
    expect((await post(c, '{ viewer { name } }', as('bob'))).body).toEqual({ data: { viewer: { name: 'bob' } } });
    expect((await post(c, '{ viewer { name } }', as('alice'))).response.status).toBe(429);
  });
});
