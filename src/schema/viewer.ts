/** `viewer`: who the registry thinks is calling. Readable without credentials (but not with failed ones). */
import { effectiveRoles } from '../auth/principal.js';
import type { Context } from '../context.js';
import { builder } from './builder.js';

const AuthMethodEnum = builder.enumType('AuthMethod', {
  description: 'How the caller proved who it is.',
  values: { API_KEY: { value: 'api_key' }, JWT: { value: 'jwt' }, ANONYMOUS: { value: 'anonymous' } } as const,
});

const RoleEnum = builder.enumType('Role', {
  description: 'admin implies every other role; editor and approver imply viewer.',
  values: { VIEWER: { value: 'viewer' }, EDITOR: { value: 'editor' }, APPROVER: { value: 'approver' }, ADMIN: { value: 'admin' } } as const,
});

const ViewerRef = builder.objectRef<Context>('Viewer').implement({
  description: 'The calling principal.',
  fields: (t) => ({
    name: t.string({ nullable: true, description: 'Null for an anonymous caller.', resolve: (ctx) => ctx.caller.name }),
    roles: t.field({ type: [RoleEnum], description: 'The roles the caller holds (VIEWER for an anonymous caller when anonymous read is on; empty otherwise).', resolve: (ctx) => effectiveRoles(ctx.caller, ctx.auth.anonymousRead) }),
    authenticatedBy: t.field({ type: AuthMethodEnum, description: 'An API key (`x-api-key`), a JWT (`Authorization: Bearer`), or no credentials.', resolve: (ctx) => ctx.caller.method }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: ViewerRef,
    description: 'The calling principal and its roles. Needs no credentials; invalid ones fail with UNAUTHENTICATED.',
    skipTypeScopes: true,
    authScopes: { reachable: true },
    resolve: (_root, _args, ctx) => ctx,
  }),
}));
