// The typed request-scoped values that middleware sets with c.set() and handlers read with c.var.
import type { RateLimitInfo } from 'hono-rate-limiter';
import type { Actor } from '../resources/context.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    tenantId: string | undefined;
    actor: Actor;
    /** Set by a rate limit the request went through (hono-rate-limiter's requestPropertyName). */
    rateLimit: RateLimitInfo | undefined;
  };
}
