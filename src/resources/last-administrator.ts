// The last administrator stays: no session's request may leave a tenant without an active user who holds every
// permission, and a session may not lock, deactivate, delete or demote its own account.
import { ALL_PERMISSIONS } from '../auth/permissions.js';
import { countAdministrators, lockAdministrators, selectPermissions } from '../auth/queries.js';
import { ScimError } from '../scim/errors.js';
import type { Queryable } from '../store/index.js';
import type { Deps, RequestContext } from './context.js';

const ASK = 'ask another administrator to do it';

const holdsAll = (permissions: Iterable<string>): boolean => {
  const held = new Set(permissions);
  return ALL_PERMISSIONS.every((permission) => held.has(permission));
};

/**
 * A 409 without scimType: RFC 7644 §3.12 gives "uniqueness" to 409 for a clashing unique value and "mutability" to
 * 400 for a read-only attribute; this is neither, but a conflict with the tenant's state, which the detail names.
 */
function conflict(detail: string): ScimError {
  return ScimError.conflict(detail);
}

/**
 * Sessions are refused; an API token is the identity provider, the source of truth, so its change goes through and
 * is logged for the people who will have to restore an administrator.
 */
function refuse(deps: Pick<Deps, 'securityLog'>, ctx: RequestContext, detail: string, fields: Record<string, string>): void {
  if (ctx.actor.kind === 'user') throw conflict(detail);
  deps.securityLog.record('tenant.lastAdministratorRemoved', { ...ctx.meta, requestId: ctx.requestId }, { tenant: ctx.tenantId, tokenId: ctx.actor.id, ...fields });
}

/**
 * Before a user is deleted or made inactive: refuses a session's attempt on its own account, and any that would
 * remove the tenant's last administrator. `current` is the user as it is, locked in the transaction.
 */
export async function checkUserRemoval(
  tx: Queryable,
  deps: Pick<Deps, 'securityLog'>,
  ctx: RequestContext,
  current: { readonly id: string; readonly active: boolean },
  action: 'delete' | 'deactivate',
): Promise<void> {
  if (ctx.actor.kind === 'user' && ctx.actor.id === current.id) {
    throw conflict(`You cannot ${action === 'delete' ? 'delete' : 'lock or deactivate'} your own account; ${ASK}.`);
  }
  if (!current.active) return;
  await lockAdministrators(tx, ctx.tenantId);
  if (!holdsAll(await selectPermissions(tx, ctx.tenantId, current.id))) return;
  if ((await countAdministrators(tx, ctx.tenantId, ALL_PERMISSIONS, [current.id])) > 0) return;
  refuse(deps, ctx, `This is the last active administrator of the tenant; make another user an administrator first, or ${ASK}.`, {
    userId: current.id,
    action,
  });
}

/**
 * Before a change to a group whose members are granted `carried` (its members, its permissions, its deletion):
 * returns the check to run after it, which refuses a session that demoted itself from administrator, or any change
 * that left the tenant without an administrator when it had one. Groups that grant nothing cost nothing.
 */
export async function guardGroupChange(
  tx: Queryable,
  deps: Pick<Deps, 'securityLog'>,
  ctx: RequestContext,
  groupId: string,
  carried: readonly string[],
): Promise<() => Promise<void>> {
  if (carried.length === 0) return async () => {};
  await lockAdministrators(tx, ctx.tenantId);
  const actor = ctx.actor;
  const selfAdministrator = actor.kind === 'user' && holdsAll(actor.permissions);
  const hadAdministrator = (await countAdministrators(tx, ctx.tenantId, ALL_PERMISSIONS)) > 0;
  return async () => {
    if (selfAdministrator && !holdsAll(await selectPermissions(tx, ctx.tenantId, actor.id))) {
      throw conflict(`You cannot take away your own administrator rights; ${ASK}.`);
    }
    if (hadAdministrator && (await countAdministrators(tx, ctx.tenantId, ALL_PERMISSIONS)) === 0) {
      refuse(deps, ctx, `This change would leave the tenant without an active administrator; make another user an administrator first, or ${ASK}.`, {
        groupId,
      });
    }
  };
}
