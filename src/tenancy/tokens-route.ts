// The console's API for the tenant's API tokens, mounted at /api/tokens: list, create (the secret answered once) and
// revoke. Only a signed-in person holding events:manage may: an API token never mints or revokes tokens.
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { ALL_PERMISSIONS, EVENTS_MANAGE, TOKEN_SCOPES } from '../auth/permissions.js';
import type { SecurityLog } from '../auth/security-log.js';
import type { AppEnv } from '../http/env.js';
import { readScimBody } from '../http/middleware/scim-body.js';
import { ScimError } from '../scim/errors.js';
import { TenancyError, type TenancyService, type TokenInfo } from './service.js';

export const TOKENS_PREFIX = '/api/tokens';
const MAX_LABEL = 200;

/** What the console shows of a token: never its secret nor its digest. */
function publicInfo(info: TokenInfo) {
  return {
    id: info.id,
    label: info.label,
    scopes: info.scopes,
    createdAt: info.createdAt,
    lastUsedAt: info.lastUsedAt,
    expiresAt: info.expiresAt,
    revokedAt: info.revokedAt,
  };
}

/** POST /api/tokens's body (also what /openapi.json describes). */
export const TOKEN_CREATE_BODY = z.strictObject({
  label: z.string().trim().min(1, 'A token needs a label: say who or what will use it.').max(MAX_LABEL, `A label has at most ${MAX_LABEL} characters.`),
  scopes: z.array(z.enum(TOKEN_SCOPES as [string, ...string[]])).min(1, 'Choose at least one scope, or leave scopes out for a token that may do everything.').optional(),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

/** Sessions only, and only a person whose personas grant events:manage. */
function checkActor(c: Context<AppEnv>): void {
  const actor = c.var.actor;
  if (actor.kind !== 'user') throw ScimError.forbidden('API tokens are managed by a signed-in person in the admin console (or with usher token); an API token cannot create or revoke tokens.');
  if (!actor.permissions.has(EVENTS_MANAGE)) throw ScimError.forbidden(`Managing API tokens needs the "${EVENTS_MANAGE}" permission, which none of your personas grants; ask an administrator.`);
}

export function tokenRoutes(tenancy: TenancyService, securityLog: SecurityLog, clock: () => Date) {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    checkActor(c);
    await next();
  });
  const record = (c: Context<AppEnv>, event: 'token.created' | 'token.revoked', info: TokenInfo) =>
    securityLog.record(event, { ...c.var.requestMeta, requestId: c.var.requestId }, { tenant: info.tenantId, tokenId: info.id, label: info.label, by: 'user', actorId: c.var.actor.id });

  app.get('/', async (c) => {
    const tokens = await tenancy.listTokens({ id: c.var.tenantId! });
    return c.json({ tokens: tokens.map(publicInfo) });
  });

  app.post('/', async (c) => {
    const parsed = TOKEN_CREATE_BODY.safeParse(await readScimBody(c));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw ScimError.invalidValue(issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message);
    }
    const { label, scopes, expiresAt } = parsed.data;
    // A token may do no more than the person who makes it (the privilege rule): one without scopes may do everything
    // in the tenant, so only a person who holds every permission (an administrator) may make one.
    const held = (c.var.actor as { permissions: ReadonlySet<string> }).permissions;
    if (scopes === undefined && !ALL_PERMISSIONS.every((p) => held.has(p))) {
      throw ScimError.forbidden('Only an administrator can create a token that may do everything; choose the scopes it needs among those your personas grant.');
    }
    const lacking = (scopes ?? []).find((scope) => !held.has(scope));
    if (lacking !== undefined) throw ScimError.forbidden(`You cannot give a token the "${lacking}" scope: none of your personas grants it.`);
    if (expiresAt !== undefined && Date.parse(expiresAt) <= clock().getTime()) throw ScimError.invalidValue('expiresAt: the expiry must be in the future.');
    try {
      const { token, info } = await tenancy.createToken({ id: c.var.tenantId! }, label, { ...(scopes ? { scopes } : {}), ...(expiresAt ? { expiresAt: new Date(expiresAt) } : {}) });
      record(c, 'token.created', info);
      // The only answer that ever holds the secret.
      return c.json({ ...publicInfo(info), token }, 201, { Location: `${TOKENS_PREFIX}/${info.id}` });
    } catch (error) {
      if (error instanceof TenancyError) throw ScimError.invalidValue(error.message);
      throw error;
    }
  });

  app.delete('/:id', async (c) => {
    const id = c.req.param('id');
    try {
      const info = await tenancy.revokeToken(id, c.var.tenantId!);
      record(c, 'token.revoked', info);
      return c.body(null, 204);
    } catch (error) {
      if (error instanceof TenancyError) throw ScimError.notFound(`${error.message} GET ${TOKENS_PREFIX} lists this account's tokens.`);
      throw error;
    }
  });
  return app;
}
