/**
 * Credentials checked again for each event of a subscription: the request's headers verified afresh (not the
 * once-per-request result), so a bearer token that expires while the stream is open stops the events.
 */
import { type AuthOptions, createAuthenticator } from '../auth/authenticate.js';
import { ANONYMOUS, NO_SCOPES, type Principal, type Scopes, scopesOf } from '../auth/principal.js';

export function liveRecheck(options: AuthOptions | undefined): (request: Request) => Promise<{ principal: Principal; scopes: Scopes }> {
  const authenticate = createAuthenticator(options);
  const anonymousRead = options?.anonymousRead ?? false;
  return async (request) => {
    const result = await authenticate(request);
    if (!result.ok) return { principal: ANONYMOUS, scopes: NO_SCOPES };
    return { principal: result.principal, scopes: scopesOf(result.principal, anonymousRead) };
  };
}
