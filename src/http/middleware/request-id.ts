// Gives every request an id: the caller's X-Request-Id when it is sane, a fresh UUID otherwise; echoed back.
import { randomUUID } from 'node:crypto';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.js';

const SANE_ID = /^[\w.:-]{1,128}$/;

export function requestId() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const given = c.req.header('x-request-id');
    const id = given && SANE_ID.test(given) ? given : randomUUID();
    c.set('requestId', id);
    c.set('tenantId', undefined);
    c.header('X-Request-Id', id);
    await next();
  });
}
