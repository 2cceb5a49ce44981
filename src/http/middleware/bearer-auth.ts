// Authenticates SCIM requests with an API token (RFC 6750 Bearer); the token decides the tenant (RFC 7644 §2).
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ScimError } from '../../scim/errors.js';
import { silentSecurityLog, type SecurityLog } from '../../auth/security-log.js';
import { SESSION_TOKEN_PREFIX, type SessionPrincipal } from '../../auth/service.js';
import type { TenancyService } from '../../tenancy/service.js';
import type { AppEnv } from '../env.js';
import { clientAddress } from './rate-limit.js';

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const MAX_TOKEN_LENGTH = 512;

/** A 401 that tells the client which scheme to use (RFC 6750 §3). */
export class AuthenticationError extends ScimError {
  constructor(detail: string) {
    super(401, undefined, detail);
  }
}

export interface BearerAuthOptions {
  readonly tenancy: TenancyService;
  /** Portal sessions; without it only API tokens are accepted. */
  readonly sessions?: { authenticate(token: string): Promise<SessionPrincipal | undefined> };
  /** Where a refused token is recorded (never the token itself), with the client address TRUST_PROXY gives. */
  readonly securityLog?: SecurityLog;
  readonly trustProxy?: number;
}

/** The bearer token of a request, or undefined when the header is absent or not a Bearer credential. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = header && header.length <= MAX_TOKEN_LENGTH + 10 ? BEARER.exec(header) : null;
  return match?.[1];
}

export function bearerAuth(options: BearerAuthOptions) {
  const { tenancy, sessions } = options;
  const securityLog = options.securityLog ?? silentSecurityLog;
  const refuse = (c: Context<AppEnv>, reason: string, detail: string) => {
    const address = clientAddress(c, options.trustProxy ?? 0);
    securityLog.record('token.refused', { requestId: c.var.requestId, address, userAgent: c.req.header('user-agent') }, { reason, method: c.req.method, path: c.req.path });
    return new AuthenticationError(detail);
  };
  return createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    if (!header) throw refuse(c, 'noToken', 'Authorization: Bearer <token> is required.');
    const token = bearerToken(header);
    if (!token) throw refuse(c, 'malformed', 'The Authorization header must be "Bearer <token>".');
    if (sessions && token.startsWith(`${SESSION_TOKEN_PREFIX}_`)) {
      const session = await sessions.authenticate(token);
      if (!session) throw refuse(c, 'invalidSession', 'The session has ended or is not valid; sign in again.');
      c.set('tenantId', session.tenantId);
      c.set('actor', { kind: 'user', id: session.userId, sessionId: session.sessionId, label: session.label, permissions: session.permissions });
      return next();
    }
    const principal = await tenancy.authenticate(token);
    // Unknown and revoked tokens get the same answer, so the response tells nothing about which it was.
    if (!principal) throw refuse(c, 'invalidToken', 'The bearer token is not valid.');
    c.set('tenantId', principal.tenantId);
    c.set('actor', { kind: 'token', id: principal.tokenId, label: principal.label, scopes: principal.scopes });
    await next();
  });
}
