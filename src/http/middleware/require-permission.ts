// Lets a request through only when its actor holds one permission: a session through its personas, an API token when
// it has no scopes or that scope (see can() in resources/context.ts).
import { createMiddleware } from 'hono/factory';
import { can } from '../../resources/context.js';
import { ScimError } from '../../scim/errors.js';
import type { AppEnv } from '../env.js';

export function requirePermission(permission: string) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const actor = c.var.actor;
    if (!can(actor, permission)) {
      throw ScimError.forbidden(
        actor.kind === 'token'
          ? `This needs the "${permission}" scope; this API token has only ${[...(actor.scopes ?? [])].map((s) => `"${s}"`).join(', ')}. Create a token with --scope ${permission}.`
          : `This needs the "${permission}" permission, which none of your personas grants; ask an administrator.`,
      );
    }
    await next();
  });
}
