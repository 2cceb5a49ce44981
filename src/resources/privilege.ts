// The privilege rule: a portal session acts on a user only when it holds every permission that user holds, and
// changes a persona (its members, its permissions, the persona itself) only when it holds every permission it carries.
import { selectCarriedPermissions, selectMissingPermission } from '../auth/queries.js';
import { ScimError } from '../scim/errors.js';
import type { Queryable } from '../store/index.js';
import type { Actor, RequestContext } from './context.js';

/** The permissions a session holds; undefined for an API token, which keeps full power over its tenant (it is the IdP). */
function heldBy(actor: Actor): ReadonlySet<string> | undefined {
  return actor.kind === 'user' ? actor.permissions : undefined;
}

function missing(permission: string, what: string): ScimError {
  return ScimError.forbidden(
    `You cannot ${what}: it needs the "${permission}" permission, which none of your personas grants. Ask an administrator who holds it.`,
  );
}

/**
 * Refuses (403) a session's change to these users, or to the users in these groups, when one of them holds a
 * permission the session does not: changing a password, e-mail, persona, lock state or profile, deleting, mailing.
 */
export async function checkMayActOnUsers(q: Queryable, ctx: RequestContext, userIds: readonly string[], groupIds: readonly string[] = []): Promise<void> {
  const held = heldBy(ctx.actor);
  if (!held || (userIds.length === 0 && groupIds.length === 0)) return;
  const permission = await selectMissingPermission(q, ctx.tenantId, userIds, groupIds, [...held]);
  if (permission !== undefined) throw missing(permission, userIds.length === 1 && groupIds.length === 0 ? 'change this user' : 'change these members');
}

/** Refuses (403) a session's grant of these permissions (a persona's, or ones added to it) unless it holds each. */
export function checkMayGrant(ctx: RequestContext, permissions: Iterable<string>): void {
  const held = heldBy(ctx.actor);
  if (!held) return;
  const lacking = [...permissions].filter((permission) => !held.has(permission)).sort()[0];
  if (lacking !== undefined) throw missing(lacking, 'change a persona that grants it');
}

/** What a member of the group is granted (its permissions and those of the groups it is nested in). */
export function carriedPermissions(q: Queryable, ctx: RequestContext, groupId: string): Promise<string[]> {
  return selectCarriedPermissions(q, ctx.tenantId, groupId);
}

/**
 * What a session may not do to its own account through SCIM, and where it does it instead, with proof that it is the
 * owner (ASVS 2.1.6, 3.7.1): a stolen session alone must not be able to change how the account signs in.
 */
const OWN_ACCOUNT_PATHS = {
  password: 'set your own password here: change it with POST /auth/password (the portal\'s "Change password"), which asks for your current password',
  passwordReset: 'send yourself a password reset link: change your password with POST /auth/password, which asks for your current one',
  temporaryPassword: 'set a temporary password on your own account: change your password with POST /auth/password, which asks for your current one',
  mfaReset: 'reset your own two-step verification: turn it off or replace your authenticator app from your profile (POST /auth/mfa/disable or /auth/mfa/enrol), which asks for your password and a code',
} as const;

/** Refuses (403) a session's change to how its own account signs in, naming the /auth route that makes it. */
export function checkNotOwnSignIn(ctx: RequestContext, userId: string, what: keyof typeof OWN_ACCOUNT_PATHS): void {
  if (ctx.actor.kind === 'user' && ctx.actor.id === userId) throw ScimError.forbidden(`You cannot ${OWN_ACCOUNT_PATHS[what]}.`);
}
