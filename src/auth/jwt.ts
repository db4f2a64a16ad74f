/** Signed JWT bearer tokens: HS256 with a shared secret, and/or asymmetric keys from a remote JWKS. */
import { createRemoteJWKSet, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { isRole, type Principal } from './principal.js';

export interface JwtOptions {
  /** HS256 shared secret (at least 32 bytes). */
  secret?: string | null;
  jwksUrl?: string | null;
  issuer?: string | null;
  audience?: string | null;
  /** The claim that holds the roles (an array, or a space-separated string). Default `roles`. */
  rolesClaim?: string | null;
}

export class JwtVerifier {
  private readonly secret: Uint8Array | null;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;

  constructor(private readonly options: JwtOptions) {
    this.secret = options.secret ? new TextEncoder().encode(options.secret) : null;
    this.jwks = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : null;
  }

  /** The principal for a valid token, or null (bad signature, expired, wrong issuer/audience, no `sub`…). */
  async verify(token: string): Promise<Principal | null> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      return null;
    }
    const common = {
      ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
      ...(this.options.audience ? { audience: this.options.audience } : {}),
      requiredClaims: ['sub'],
    };
    let payload: JWTPayload;
    try {
      if (alg === 'HS256' && this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, { ...common, algorithms: ['HS256'] }));
      } else if (alg && !alg.startsWith('HS') && alg !== 'none' && this.jwks) {
        ({ payload } = await jwtVerify(token, this.jwks, common));
      } else {
        return null;
      }
    } catch {
      return null;
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') return null;
    return { name: payload.sub, roles: rolesFrom(payload[this.options.rolesClaim || 'roles']), method: 'jwt' };
  }
}

function rolesFrom(claim: unknown): Principal['roles'] {
  const values = Array.isArray(claim) ? claim : typeof claim === 'string' ? claim.split(/\s+/) : [];
  return [...new Set(values.filter(isRole))];
}
