// One log line per request: what an operator searches by (client, tenant slug and id, actor, route), and never the query
// string or the body, which carry names, e-mail addresses and secrets.
import { createMiddleware } from 'hono/factory';
import { matchedRoutes } from 'hono/route';
import type { Context } from 'hono';
import type { Logger } from '../logger.js';
import type { AppEnv } from '../env.js';
import type { Metrics } from '../../metrics/metrics.js';
import type { TenantSlugs } from '../../tenancy/tenant-slugs.js';
import { clientAddress } from './rate-limit.js';

export interface AccessLogOptions {
  /** As for rate limits: how many proxies in front append to X-Forwarded-For (0: the socket's peer). */
  readonly trustProxy: number;
  /** Counts the request into /metrics too, by the same route template. */
  readonly metrics?: Pick<Metrics, 'request'>;
  /** Names the tenant by its slug as well as its id (operators search by the slug, `acme`). */
  readonly tenantSlugs?: TenantSlugs;
}

/** A header's value as a log can hold it: control characters replaced, at most 200 characters. */
const MAX_AGENT = 200;
function printable(value: string | undefined): string | null {
  if (value === undefined) return null;
  // eslint-disable-next-line no-control-regex
  const clean = value.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > MAX_AGENT ? `${clean.slice(0, MAX_AGENT)}...` : clean;
}

/** The template of the route that answered (`/scim/v2/Users/:id`), or null when none did (404). */
function routeOf(c: Context<AppEnv>): string | null {
  const answered = matchedRoutes(c)[c.req.routeIndex];
  return answered && answered.path !== '*' && !answered.path.endsWith('/*') ? answered.path : null;
}

export function accessLog(logger: Logger, options: AccessLogOptions) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      const actor = c.var.actor;
      const route = routeOf(c);
      const ms = performance.now() - started;
      options.metrics?.request(c.req.method, route, c.res.status, ms / 1000);
      const tenantId = c.var.tenantId ?? null;
      const tenant = tenantId === null ? null : ((await options.tenantSlugs?.(tenantId)) ?? null);
      logger.info('request', {
        method: c.req.method,
        path: c.req.path,
        route,
        status: c.res.status,
        durationMs: Math.round(ms * 10) / 10,
        requestId: c.var.requestId,
        tenant,
        tenantId,
        actor: actor ? `${actor.kind}:${actor.id}` : null,
        client: clientAddress(c, options.trustProxy) ?? null,
        userAgent: printable(c.req.header('user-agent')),
      });
    }
  });
}
