/**
 * Identifies the caller of a request: `x-api-key: <key>` or `Authorization: Bearer <jwt>`. No credentials means
 * anonymous; credentials that are presented but do not verify are a failure (never silently anonymous).
 */
import { ApiKeyStore, type ApiKeyEntry } from './api-keys.js';
import { JwtVerifier, type JwtOptions } from './jwt.js';
import { textKey } from '../domain/names.js';
import { ANONYMOUS, type Principal } from './principal.js';

export interface AuthOptions {
  apiKeys?: readonly ApiKeyEntry[];
  jwt?: JwtOptions | null;
  /** Let callers without credentials read. Off by default. */
  anonymousRead?: boolean;
}

export type Authentication = { ok: true; principal: Principal } | { ok: false; reason: string };

export type Authenticator = (request: Request) => Promise<Authentication>;

export function createAuthenticator(options: AuthOptions = {}): Authenticator {
  const keys = new ApiKeyStore(options.apiKeys ?? []);
  const jwt = options.jwt && (options.jwt.secret || options.jwt.jwksUrl) ? new JwtVerifier(options.jwt) : null;
  return async (request) => {
    const apiKey = request.headers.get('x-api-key');
    const authorization = request.headers.get('authorization');
    if (apiKey === null && authorization === null) return { ok: true, principal: ANONYMOUS };
    if (apiKey !== null && authorization !== null) return { ok: false, reason: 'Authentication failed: send either an x-api-key or an Authorization header, not both' };
    if (apiKey !== null) {
      const principal = apiKey ? keys.verify(apiKey) : null;
      return principal ? { ok: true, principal: inNfc(principal) } : { ok: false, reason: 'Authentication failed: the API key is not valid' };
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return { ok: false, reason: 'Authentication failed: the Authorization header must be "Bearer <token>"' };
    const principal = jwt ? await jwt.verify(match[1]!) : null;
    return principal ? { ok: true, principal: inNfc(principal) } : { ok: false, reason: 'Authentication failed: the bearer token is not valid or has expired' };
  };
}

/** A principal's name as it is stored (actor, requester, approver) and compared: NFC (domain/names textKey). */
function inNfc(principal: Principal): Principal {
  return principal.name === null ? principal : { ...principal, name: textKey(principal.name) };
}
