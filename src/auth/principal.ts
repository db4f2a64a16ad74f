/** Who is acting: a principal with roles, and the scopes those roles grant. */

export const ROLES = ['viewer', 'editor', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export type AuthMethod = 'api_key' | 'jwt' | 'anonymous';

export interface Principal {
  /** Recorded as createdBy/updatedBy. Null for an anonymous caller. */
  name: string | null;
  roles: Role[];
  method: AuthMethod;
}

export const ANONYMOUS: Principal = Object.freeze({ name: null, roles: [], method: 'anonymous' }) as Principal;

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The scopes a request holds. `reachable` is false only when the caller presented credentials that failed. */
export interface Scopes {
  reachable: boolean;
  read: boolean;
  write: boolean;
  approve: boolean;
  admin: boolean;
}

export const NO_SCOPES: Scopes = Object.freeze({ reachable: false, read: false, write: false, approve: false, admin: false });

/** admin implies everything; editor and approver imply viewer. */
export function scopesOf(principal: Principal, anonymousRead: boolean): Scopes {
  const has = (role: Role) => principal.roles.includes(role);
  const admin = has('admin');
  const write = admin || has('editor');
  const approve = admin || has('approver');
  const read = write || approve || has('viewer') || (principal.method === 'anonymous' && anonymousRead);
  return { reachable: true, read, write, approve, admin };
}

/** The roles a principal effectively holds (for `viewer`): anonymous read shows as ['viewer']. */
export function effectiveRoles(principal: Principal, anonymousRead: boolean): Role[] {
  if (principal.method === 'anonymous') return anonymousRead ? ['viewer'] : [];
  return [...principal.roles];
}
