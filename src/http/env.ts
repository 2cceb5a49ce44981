// The typed request-scoped values that middleware sets with c.set() and handlers read with c.var.
import type { RateLimitInfo } from 'hono-rate-limiter';
import type { RequestMeta } from '../auth/security-log.js';
import type { Actor } from '../resources/context.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    tenantId: string | undefined;
    actor: Actor;
    /** Who sent the request (address as TRUST_PROXY reads it, user agent), for the security log. */
    requestMeta: RequestMeta | undefined;
    /** Set by a rate limit the request went through (hono-rate-limiter's requestPropertyName). */
    rateLimit: RateLimitInfo | undefined;
  };
}
