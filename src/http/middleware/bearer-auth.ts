// Authenticates SCIM requests with an API token (RFC 6750 Bearer); the token decides the tenant (RFC 7644 §2).
import { createMiddleware } from 'hono/factory';
import { ScimError } from '../../scim/errors.js';
import type { TenancyService } from '../../tenancy/service.js';
import type { AppEnv } from '../env.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const MAX_TOKEN_LENGTH = 512;

/** A 401 that tells the client which scheme to use (RFC 6750 §3). */
export class AuthenticationError extends ScimError {
  constructor(detail: string) {
    super(401, undefined, detail);
  }
}

export function bearerAuth(options: { tenancy: TenancyService }) {
  const { tenancy } = options;
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw new AuthenticationError('Authorization: Bearer <token> is required.');
    const match = header.length <= MAX_TOKEN_LENGTH + 10 ? BEARER.exec(header) : null;
    if (!match) throw new AuthenticationError('The Authorization header must be "Bearer <token>".');
    const principal = await tenancy.authenticate(match[1]!);
    // Unknown and revoked tokens get the same answer, so the response tells nothing about which it was.
    if (!principal) throw new AuthenticationError('The bearer token is not valid.');
    c.set('tenantId', principal.tenantId);
    c.set('actor', { kind: 'token', id: principal.tokenId, label: principal.label });
    await next();
  });
}
