/**
 * Who may receive which event: the read rules of the queries, applied to each event before it goes out. Pure.
 *
 * Every event is about something a reader can query (contracts, runs, validations, issues, comments, approval
 * requests are all readable with the `read` scope), so an event needs `read` — checked again for each event, with
 * credentials verified again (an expired token ends the subscription). `myApprovalRequests` reads only events
 * addressed to the caller (the log's `audience` filter: the approvers of a request, the requester of a decision).
 */
import type { RegistryEvent } from '../domain/events.js';
import type { Principal, Scopes } from '../auth/principal.js';

export type Denial = { code: 'UNAUTHENTICATED' | 'FORBIDDEN'; message: string };

/** Null when the caller may receive `event`; otherwise why not. */
export function denialFor(
  _event: RegistryEvent,
  caller: { principal: Principal; scopes: Scopes },
): Denial | null {
  const { principal, scopes } = caller;
  if (!scopes.reachable) return { code: 'UNAUTHENTICATED', message: 'Authentication failed: the credentials of this subscription no longer verify' };
  if (!scopes.read) {
    return principal.method === 'anonymous'
      ? { code: 'UNAUTHENTICATED', message: 'Authentication required to receive events: send an x-api-key or an Authorization: Bearer header' }
      : { code: 'FORBIDDEN', message: `Forbidden: ${principal.name} may not read events` };
  }
  return null;
}
