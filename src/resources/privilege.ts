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
