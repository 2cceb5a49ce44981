// Decides what a signed-in portal user may do on /scim/v2 from its personas' permissions (users:read, users:write),
// and what a scoped API token may do from its scopes.
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
    const actor = c.var.actor;
    if (!can(actor, permission)) {
      throw ScimError.forbidden(
        actor.kind === 'token'
          ? `This needs the "${permission}" scope; this API token has only ${[...(actor.scopes ?? [])].map((s) => `"${s}"`).join(', ')}. Create a token with --scope ${permission}.`
          : `This needs the "${permission}" permission, which none of your personas grants.`,
      );
    }
    await next();
  });
}
