// The administrative commands the CLI offers, runnable in the CLI's own process or inside the running server.
import { z } from 'zod';
import type { AppDeps } from '../http/app.js';
import type { Store } from '../store/index.js';
import { migrate } from '../store/migrate.js';
import { MFA_REQUIRED_WITH } from '../auth/service.js';
import type { Tenant } from '../tenancy/service.js';
import { createAdministrator } from './create-admin.js';

export const adminRequestSchema = z.discriminatedUnion('command', [
  z.object({ command: z.literal('migrate') }),
  z.object({ command: z.literal('tenant.create'), slug: z.string(), name: z.string().optional() }),
  z.object({ command: z.literal('tenant.list') }),
  z.object({
    command: z.literal('tenant.update'),
    slug: z.string(),
    name: z.string().optional(),
    welcomeMail: z.boolean().optional(),
    mfaRequired: z.boolean().optional(),
  }),
  z.object({
    command: z.literal('token.create'),
    tenant: z.string(),
    label: z.string(),
    scopes: z.array(z.string()).optional(),
    /** Seconds from now until the token stops working. */
    expiresIn: z.number().int().positive().optional(),
  }),
  z.object({ command: z.literal('token.list'), tenant: z.string() }),
  z.object({ command: z.literal('token.revoke'), id: z.string() }),
  z.object({ command: z.literal('keys.rotate') }),
  z.object({ command: z.literal('keys.list') }),
  z.object({
    command: z.literal('admin.create'),
    tenant: z.string(),
    userName: z.string(),
    email: z.string(),
    givenName: z.string().optional(),
    familyName: z.string().optional(),
  }),
]);

export type AdminRequest = z.infer<typeof adminRequestSchema>;

/** What a command prints: lines for people; the last line is the value scripts want (an id, a token). */
export interface AdminResult {
  readonly lines: string[];
}

/** A token's scope and expiry, as `token create` and `token list` print them. */
function describeLimits(info: { scopes: readonly string[] | null; expiresAt: string | null }): string {
  return `scope ${info.scopes ? info.scopes.join(',') : 'all'}  expires ${info.expiresAt ?? 'never'}`;
}

/** A tenant's settings, as `tenant list` and `tenant update` print them. */
function describeSettings(tenant: Pick<Tenant, 'welcomeMail' | 'mfaRequired'>): string {
  return `welcome-mail ${tenant.welcomeMail ? 'on' : 'off'}  require-mfa ${tenant.mfaRequired ? `on (${MFA_REQUIRED_WITH})` : 'off'}`;
}

/** What the commands need: the app's own dependencies, so that what they do is what the API would do. */
export type AdminDeps = AppDeps;

/** `usher migrate`, which needs nothing but the database. */
export async function runMigrations(store: Store): Promise<AdminResult> {
  const applied = await migrate(store);
  return { lines: applied.length > 0 ? applied.map((name) => `applied ${name}`) : ['database is up to date'] };
}

export async function runAdminCommand(deps: AdminDeps, request: AdminRequest): Promise<AdminResult> {
  const { tenancy } = deps;
  switch (request.command) {
    case 'migrate':
      return runMigrations(deps.store);
    case 'tenant.create': {
      const { tenant, created } = await tenancy.createTenant(request.slug, request.name);
      return { lines: [`${created ? 'created' : 'exists:'} tenant ${tenant.slug} (${tenant.name})`, tenant.id] };
    }
    case 'tenant.list': {
      const tenants = await tenancy.listTenants();
      return { lines: tenants.length > 0 ? tenants.map((t) => `${t.id}  ${t.slug}  ${t.name}  ${describeSettings(t)}`) : ['no tenants'] };
    }
    case 'tenant.update': {
      const { command: _command, slug, ...settings } = request;
      const tenant = await tenancy.updateTenant(slug, settings);
      return { lines: [`updated tenant ${tenant.slug} (${tenant.name}): ${describeSettings(tenant)}`] };
    }
    case 'token.create': {
      const expiresAt = request.expiresIn === undefined ? undefined : new Date(deps.clock().getTime() + request.expiresIn * 1000);
      const { token, info } = await tenancy.createToken(request.tenant, request.label, {
        ...(request.scopes ? { scopes: request.scopes } : {}),
        ...(expiresAt ? { expiresAt } : {}),
      });
      deps.securityLog.record('token.created', {}, { tenant: info.tenantId, tokenId: info.id, label: info.label, by: 'cli' });
      return {
        lines: [
          `created token ${info.id} "${info.label}" for tenant ${request.tenant} (${describeLimits(info)}); it is shown once, keep it secret:`,
          token,
        ],
      };
    }
    case 'token.list': {
      const tokens = await tenancy.listTokens(request.tenant);
      if (tokens.length === 0) return { lines: ['no tokens'] };
      return {
        lines: tokens.map(
          (t) =>
            `${t.id}  ${t.label}  created ${t.createdAt}  last used ${t.lastUsedAt ?? 'never'}  ${describeLimits(t)}` +
            `${t.expiresAt && Date.parse(t.expiresAt) <= deps.clock().getTime() ? '  EXPIRED' : ''}${t.revokedAt ? `  REVOKED ${t.revokedAt}` : ''}`,
        ),
      };
    }
    case 'token.revoke': {
      const info = await tenancy.revokeToken(request.id);
      deps.securityLog.record('token.revoked', {}, { tenant: info.tenantId, tokenId: info.id, label: info.label, by: 'cli' });
      return { lines: [`revoked token ${info.id} "${info.label}"`] };
    }
    case 'keys.rotate': {
      const { kid, retired, removed } = await deps.signingKeys.rotate();
      deps.securityLog.record('signingKey.rotated', {}, { kid, retired: retired.join(','), removed: removed.join(','), by: 'cli' });
      return {
        lines: [
          ...retired.map((old) => `retired ${old}: still published at /.well-known/jwks.json for a day, for tokens signed before now`),
          ...removed.map((old) => `removed ${old}: retired over a day ago`),
          `new signing key ${kid}: every server on this database signs with it within 30 s`,
          kid,
        ],
      };
    }
    case 'keys.list': {
      const keys = await deps.signingKeys.list();
      if (keys.length === 0) return { lines: ['no signing keys yet: the first event signed, or usher keys rotate, makes one'] };
      return {
        lines: keys.map(
          (k) =>
            `${k.kid}  ${k.alg}  created ${k.createdAt.toISOString()}  ` +
            (k.retiredAt ? `retired ${k.retiredAt.toISOString()}  published until ${k.publishedUntil!.toISOString()}` : 'current'),
        ),
      };
    }
    case 'admin.create': {
      const { command: _command, ...input } = request;
      const { id, link } = await createAdministrator(deps, input);
      return {
        lines: [
          `created administrator ${request.userName} (${id}) in tenant ${request.tenant}`,
          `a welcome mail to ${request.email} is queued; the same link, valid once, sets the password:`,
          link,
        ],
      };
    }
  }
}
