// Turns a users row (and the groups it is in) into a SCIM User resource (RFC 7643 §4.1, §3.1 meta).
import { USER_RESOURCE_TYPE } from '../../scim/schema/resource-types.js';
import { compileSchemaOrder } from '../../scim/resource/order.js';
import { etagOf } from '../../scim/resource/version.js';
import { ACCOUNT_SCHEMA } from '../../scim/schema/account.js';
import { COMMON_ATTRIBUTES } from '../../scim/schema/common.js';
import type { UserGroupRow, UserRow } from './queries.js';

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const USER_ATTRIBUTES = [...COMMON_ATTRIBUTES, ...USER_RESOURCE_TYPE.schema.attributes];
/** Worked out once: every user rendered goes through it. */
const inUserOrder = compileSchemaOrder(USER_ATTRIBUTES);
const EXTENSION_IDS = USER_RESOURCE_TYPE.schemaExtensions.map((e) => e.schema.id);

export function userLocation(scimBaseUrl: string, id: string): string {
  return `${scimBaseUrl}/Users/${id}`;
}

/** The read-only sign-in state (Usher's account extension); unassigned values are left out (RFC 7643 §2.5). */
function accountOf(row: UserRow): Record<string, unknown> {
  const account: Record<string, unknown> = {};
  if (row.last_login) account.lastLogin = row.last_login.toISOString();
  if (row.lock_reason !== null && row.lock_reason !== undefined) account.lockReason = row.lock_reason;
  if (row.locked_until) account.lockedUntil = row.locked_until.toISOString();
  if (row.failed_logins !== undefined) account.failedLogins = row.failed_logins;
  if (row.password_change_required !== undefined) account.passwordChangeRequired = row.password_change_required;
  if (row.password_set_at) account.passwordSetAt = row.password_set_at.toISOString();
  if (row.welcome_email_sent_at) account.welcomeEmailSentAt = row.welcome_email_sent_at.toISOString();
  if (row.mfa_enabled !== undefined) account.mfaEnabled = row.mfa_enabled;
  return account;
}

/** The Enterprise manager.value a user's attributes hold, if any. */
export function managerValueOf(attributes: Record<string, unknown>): string | undefined {
  const manager = (attributes[ENTERPRISE_USER] as Record<string, unknown> | undefined)?.manager as Record<string, unknown> | undefined;
  return typeof manager?.value === 'string' ? manager.value : undefined;
}

export function userToResource(row: UserRow, groups: readonly UserGroupRow[] | undefined, scimBaseUrl: string): Record<string, unknown> {
  const attributes = inUserOrder(row.attributes);
  const extensions = EXTENSION_IDS.filter((id) => id in attributes || id === ACCOUNT_SCHEMA.id);
  const enterprise = attributes[ENTERPRISE_USER] as Record<string, unknown> | undefined;
  const manager = enterprise?.manager as Record<string, unknown> | undefined;
  if (enterprise && manager) {
    // The value as the client gave it; the name and the link only while it names a user of this tenant (read now).
    const { displayName: _stored, $ref: _given, ...rest } = manager;
    const resolved = row.manager_name !== null && typeof manager.value === 'string';
    attributes[ENTERPRISE_USER] = {
      ...enterprise,
      manager: resolved ? { ...rest, $ref: userLocation(scimBaseUrl, (manager.value as string).toLowerCase()), displayName: row.manager_name } : rest,
    };
  }
  return {
    schemas: [USER_RESOURCE_TYPE.schema.id, ...extensions],
    id: row.id,
    ...attributes,
    active: row.active,
    ...(groups && groups.length > 0
      ? {
          groups: groups.map((g) => ({
            value: g.group_id,
            $ref: `${scimBaseUrl}/Groups/${g.group_id}`,
            display: g.display_name,
            type: g.direct ? 'direct' : 'indirect',
          })),
        }
      : {}),
    [ACCOUNT_SCHEMA.id]: accountOf(row),
    meta: {
      resourceType: 'User',
      created: row.created_at.toISOString(),
      lastModified: row.last_modified.toISOString(),
      location: userLocation(scimBaseUrl, row.id),
      version: etagOf(row.version),
    },
  };
}
