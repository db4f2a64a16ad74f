import { describe, expect, it } from 'vitest';
import { ANONYMOUS, effectiveRoles, type Principal, scopesOf } from '../../src/auth/principal.js';

const p = (...roles: Principal['roles']): Principal => ({ name: 'p', roles, method: 'api_key' });

describe('scopes from roles', () => {
  it.each([
    [[], { read: false, write: false, approve: false, admin: false }],
    [['viewer'], { read: true, write: false, approve: false, admin: false }],
    [['editor'], { read: true, write: true, approve: false, admin: false }],
    [['approver'], { read: true, write: false, approve: true, admin: false }],
    [['admin'], { read: true, write: true, approve: true, admin: true }],
    [['editor', 'approver'], { read: true, write: true, approve: true, admin: false }],
  ] as [Principal['roles'], object][])('%j', (roles, scopes) => {
    expect(scopesOf(p(...roles), false)).toEqual({ reachable: true, ...scopes });
  });

  it('anonymous reads only when anonymous read is on', () => {
    expect(scopesOf(ANONYMOUS, false).read).toBe(false);
    expect(scopesOf(ANONYMOUS, true)).toEqual({ reachable: true, read: true, write: false, approve: false, admin: false });
    expect(effectiveRoles(ANONYMOUS, true)).toEqual(['viewer']);
    expect(effectiveRoles(ANONYMOUS, false)).toEqual([]);
    // Anonymous read does not lift an authenticated principal without roles.
    expect(scopesOf(p(), true).read).toBe(false);
  });
});
