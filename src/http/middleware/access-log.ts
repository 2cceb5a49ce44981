// One log line per request: method, path (never the query string or body), status, duration, request id, tenant.
import { createMiddleware } from 'hono/factory';
import type { Logger } from '../logger.js';
import type { AppEnv } from '../env.js';

export function accessLog(logger: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = performance.now();
    try {
      await next();
    } finally {
      logger.info('request', {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        requestId: c.var.requestId,
        tenant: c.var.tenantId ?? null,
      });
    }
  });
}
