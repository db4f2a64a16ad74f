/**
 * Who the caller is, through the API: the ways a caller identifies itself (API key, HS256 JWT, anonymous read) and the
 * principal recorded on writes.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/api-keys.js';
import type { AuthOptions } from '../../src/auth/authenticate.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import {
  AccessCreateContractDocument,
  AccessNodeDocument,
  AccessSetContractSettingsDocument,
  AccessStateDocument,
  MyPendingApprovalsDocument,
  ViewerDocument,
} from '../gql/graphql.js';
import { contractDocument } from '../support/fixtures.js';
import { client, codes, MUTATIONS, seeded, state } from './access-table.js';

describe('access: identity', () => {
  const secret = 'an-hs256-test-secret-of-at-least-32-bytes';
  const jwtAuth: AuthOptions = { jwt: { secret, rolesClaim: 'roles', issuer: 'https://idp.test/', audience: 'griot' } };
  const sign = (claims: Record<string, unknown>, options: { sub?: string; exp?: string | number; key?: string; iss?: string; aud?: string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(options.sub ?? 'alice')
      .setIssuer(options.iss ?? 'https://idp.test/')
      .setAudience(options.aud ?? 'griot')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m')
      .sign(new TextEncoder().encode(options.key ?? secret));
  const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

  it('an API key identifies its principal and roles', async () => {
    const viewer = await client(createMemoryStorage(), 'editor').run(ViewerDocument, {});
    expect(viewer).toEqual({ viewer: { name: 'test-editor', roles: ['EDITOR'], authenticatedBy: 'API_KEY' } });
  });

  it('an invalid API key is UNAUTHENTICATED, even for reads and viewer', async () => {
    const { storage, seed } = await seeded();
    const before = await state(storage);
    const stranger = client(storage, { headers: { 'x-api-key': 'not-a-configured-key' } });
    for (const response of [
      await stranger.request(AccessStateDocument, {}),
      await stranger.request(ViewerDocument, {}),
      await stranger.request(AccessNodeDocument, { id: seed.contractId }),
      await MUTATIONS.createContract!.call(stranger, seed),
    ]) {
      expect(codes(response).length).toBeGreaterThan(0);
      expect(new Set(codes(response))).toEqual(new Set(['UNAUTHENTICATED']));
      expect(response.errors![0]!.message).toContain('API key is not valid');
    }
    expect(await state(storage)).toEqual(before);
  });

  it('a malformed Authorization header is UNAUTHENTICATED, not anonymous', async () => {
    const response = await client(createMemoryStorage(), { headers: { authorization: 'Basic dXNlcjpwdw==' } }, { anonymousRead: true }).request(ViewerDocument, {});
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('an HS256 JWT identifies its subject and the roles claim', async () => {
    const storage = createMemoryStorage();
    const alice = client(storage, bearer(await sign({ roles: ['editor'] })), jwtAuth);
    expect(await alice.run(ViewerDocument, {})).toEqual({ viewer: { name: 'alice', roles: ['EDITOR'], authenticatedBy: 'JWT' } });
    const created = await alice.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'orders' }) } });
    expect(created.createContract.__typename).toBe('CreateContractSuccess');
    // A token without roles authenticates but may do nothing.
    const nobody = client(storage, bearer(await sign({}, { sub: 'nobody' })), jwtAuth);
    expect(codes(await nobody.request(AccessStateDocument, {}))).toContain('FORBIDDEN');
    expect((await nobody.run(ViewerDocument, {})).viewer).toEqual({ name: 'nobody', roles: [], authenticatedBy: 'JWT' });
  });

  it.each([
    ['expired', () => sign({ roles: ['admin'] }, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['signed with another secret', () => sign({ roles: ['admin'] }, { key: 'another-secret-that-is-also-32-bytes-long' })],
    ['from another issuer', () => sign({ roles: ['admin'] }, { iss: 'https://evil.test/' })],
    ['for another audience', () => sign({ roles: ['admin'] }, { aud: 'someone-else' })],
    ['not a JWT', async () => 'garbage.token.value'],
  ])('a JWT %s is UNAUTHENTICATED', async (_what, token) => {
    const storage = createMemoryStorage();
    const caller = client(storage, bearer(await token()), jwtAuth);
    for (const response of [await caller.request(ViewerDocument, {}), await caller.request(AccessStateDocument, {}), await MUTATIONS.rebuildSchemaCatalog!.call(caller, null as never)]) {
      expect(new Set(codes(response))).toEqual(new Set(['UNAUTHENTICATED']));
      expect(response.errors![0]!.message).toContain('bearer token is not valid');
    }
  });

  it('bearer tokens are refused when no JWT verification is configured', async () => {
    const response = await client(createMemoryStorage(), bearer(await sign({ roles: ['admin'] }))).request(ViewerDocument, {});
    expect(codes(response)).toEqual(['UNAUTHENTICATED']);
  });

  it('anonymous read is off by default: reads are UNAUTHENTICATED, viewer answers', async () => {
    const { storage, seed } = await seeded();
    const anonymous = client(storage, null);
    expect(new Set(codes(await anonymous.request(AccessStateDocument, {})))).toEqual(new Set(['UNAUTHENTICATED']));
    expect(new Set(codes(await anonymous.request(AccessNodeDocument, { id: seed.contractId })))).toEqual(new Set(['UNAUTHENTICATED']));
    expect(await anonymous.run(ViewerDocument, {})).toEqual({ viewer: { name: null, roles: [], authenticatedBy: 'ANONYMOUS' } });
  });

  it('anonymous read on: reads work, writes stay UNAUTHENTICATED', async () => {
    const { storage, seed } = await seeded();
    const anonymous = client(storage, null, { anonymousRead: true });
    const read = await anonymous.run(AccessStateDocument, {});
    expect(read.contracts.totalCount).toBe(2);
    expect(read.approvalRequests.totalCount).toBe(1);
    expect((await anonymous.run(MyPendingApprovalsDocument, {})).myPendingApprovals.totalCount).toBe(0);
    expect((await anonymous.run(AccessNodeDocument, { id: seed.contractId })).node?.id).toBe(seed.contractId);
    expect(await anonymous.run(ViewerDocument, {})).toEqual({ viewer: { name: null, roles: ['VIEWER'], authenticatedBy: 'ANONYMOUS' } });
    expect(codes(await MUTATIONS.createContract!.call(anonymous, seed))).toEqual(['UNAUTHENTICATED']);
    expect((await state(storage)).contracts.totalCount).toBe(2);
  });

  it('createdBy and updatedBy record the acting principal', async () => {
    const storage = createMemoryStorage();
    const carolKey = 'carols-own-api-key';
    const alice = client(storage, bearer(await sign({ roles: ['editor'] })), jwtAuth);
    const carol = client(storage, { headers: { 'x-api-key': carolKey } }, { apiKeys: [{ name: 'carol', roles: ['editor'], sha256: hashApiKey(carolKey) }] });
    await alice.run(AccessCreateContractDocument, { input: { document: contractDocument({ name: 'orders' }) } });
    const [created] = (await state(storage)).contracts.nodes;
    expect(created).toMatchObject({ createdBy: 'alice', updatedBy: 'alice' });
    const updated = await carol.run(AccessSetContractSettingsDocument, { input: { id: created!.id, expectedRevision: created!.revision, autoOpenIssues: false } });
    expect(updated.setContractSettings.__typename).toBe('SetContractSettingsSuccess');
    expect((await state(storage)).contracts.nodes[0]).toMatchObject({ createdBy: 'alice', updatedBy: 'carol' });
  });
});
