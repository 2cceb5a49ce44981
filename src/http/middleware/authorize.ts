// Decides what a signed-in portal user may do on /scim/v2 from its personas' permissions (users:read, users:write).
import { createMiddleware } from 'hono/factory';
import { USERS_READ, USERS_WRITE } from '../../auth/permissions.js';
import { can } from '../../resources/context.js';
import { ScimError } from '../../scim/errors.js';
import type { AppEnv } from '../env.js';

/** Reading (GET, and POST /.search which only reads) needs users:read; every other request needs users:write. */
export function authorize() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const reads = c.req.method === 'GET' || c.req.method === 'HEAD' || (c.req.method === 'POST' && c.req.path.endsWith('/.search'));
    const permission = reads ? USERS_READ : USERS_WRITE;
    if (!can(c.var.actor, permission)) {
      throw ScimError.forbidden(`This needs the "${permission}" permission, which none of your personas grants.`);
    }
    await next();
  });
}
