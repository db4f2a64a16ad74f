import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ApiKeyStore, hashApiKey } from '../../src/auth/api-keys.js';
import { createAuthenticator } from '../../src/auth/authenticate.js';
import { JwtVerifier } from '../../src/auth/jwt.js';

const request = (headers: Record<string, string>) => new Request('http://registry.test/graphql', { headers });
const secret = 'x'.repeat(32);
const sign = (claims: Record<string, unknown>, alg = 'HS256') =>
  new SignJWT(claims).setProtectedHeader({ alg }).setSubject('sam').setExpirationTime('1m').sign(new TextEncoder().encode(secret));

describe('api keys', () => {
  it('hashes with sha256 and matches only the configured hash', () => {
    expect(hashApiKey('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const store = new ApiKeyStore([{ name: 'ci', roles: ['editor'], sha256: hashApiKey('k1') }]);
    expect(store.verify('k1')).toEqual({ name: 'ci', roles: ['editor'], method: 'api_key' });
    expect(store.verify('k2')).toBeNull();
    expect(store.verify(hashApiKey('k1'))).toBeNull();
  });
});

describe('jwt', () => {
  const verifier = new JwtVerifier({ secret, rolesClaim: 'scope' });
  it('reads roles from an array or a space-separated claim, ignoring unknown roles', async () => {
    expect(await verifier.verify(await sign({ scope: 'editor root approver' }))).toEqual({ name: 'sam', roles: ['editor', 'approver'], method: 'jwt' });
    expect((await verifier.verify(await sign({ scope: ['admin'] })))?.roles).toEqual(['admin']);
  });
  it('refuses unsigned and non-HS256 symmetric tokens', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'sam', scope: 'admin' })).toString('base64url');
    expect(await verifier.verify(`${header}.${body}.`)).toBeNull();
    expect(await verifier.verify(await sign({ scope: 'admin' }, 'HS512'))).toBeNull();
  });
});

describe('authenticate', () => {
  const authenticate = createAuthenticator({ apiKeys: [{ name: 'ci', roles: ['viewer'], sha256: hashApiKey('key') }], jwt: { secret } });
  it('no credentials is anonymous', async () => {
    expect(await authenticate(request({}))).toEqual({ ok: true, principal: { name: null, roles: [], method: 'anonymous' } });
  });
  it('accepts a valid key or bearer token', async () => {
    expect(await authenticate(request({ 'x-api-key': 'key' }))).toMatchObject({ ok: true, principal: { name: 'ci' } });
    expect(await authenticate(request({ authorization: `Bearer ${await sign({ roles: ['admin'] })}` }))).toMatchObject({ ok: true, principal: { name: 'sam', roles: ['admin'] } });
  });
  it.each([
    [{ 'x-api-key': 'wrong' }],
    [{ 'x-api-key': '' }],
    [{ authorization: 'Bearer not-a-token' }],
    [{ authorization: 'Basic a2V5' }],
    [{ authorization: 'Bearer' }],
    [{ 'x-api-key': 'key', authorization: 'Bearer x' }],
  ])('presented but invalid credentials fail: %j', async (headers) => {
    expect(await authenticate(request(headers))).toMatchObject({ ok: false });
  });
});
