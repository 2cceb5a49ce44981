// /Me (RFC 7644 §3.11): the signed-in portal user's own User resource, readable whatever its personas grant.
import { Hono } from 'hono';
import type { AppEnv } from '../../http/env.js';
import { scimError, scimResource } from '../../http/responses.js';
import { ScimError } from '../../scim/errors.js';
import { etagOf, matchesIfNoneMatch } from '../../scim/resource/version.js';
import type { ResourceService } from '../context.js';

export function meRoutes(users: ResourceService) {
  const app = new Hono<AppEnv>();

  app.get('/', async (c) => {
    const actor = c.var.actor;
    // RFC 7644 §3.11: a subject that is no SCIM resource (an API token) has no /Me.
    if (actor.kind !== 'user') throw ScimError.notImplemented('/Me stands for a signed-in portal user; an API token is not a user.');
    const projection = { attributes: c.req.query('attributes'), excludedAttributes: c.req.query('excludedAttributes') };
    const result = await users.get({ tenantId: c.var.tenantId!, actor, requestId: c.var.requestId }, actor.id, projection);
    if (matchesIfNoneMatch(c.req.header('if-none-match'), result.version)) return c.body(null, 304, { ETag: etagOf(result.version) });
    return scimResource(c, result);
  });

  // A user changes its own password with POST /auth/password; its profile is the administrators' to change.
  // `all`, after GET: every other method, and no method the app's table of allowed methods counts as served.
  app.all('/', (c) =>
    scimError(c, ScimError.methodNotAllowed('/Me is read-only here; change your password with POST /auth/password.'), { Allow: 'GET, HEAD' }),
  );

  return app;
}
