// Turns a users row (and the groups it is in) into a SCIM User resource (RFC 7643 §4.1, §3.1 meta).
import { USER_RESOURCE_TYPE } from '../../scim/schema/resource-types.js';
import { inSchemaOrder } from '../../scim/resource/order.js';
import { etagOf } from '../../scim/resource/version.js';
import { ACCOUNT_SCHEMA } from '../../scim/schema/account.js';
import { COMMON_ATTRIBUTES } from '../../scim/schema/common.js';
import type { UserGroupRow, UserRow } from './queries.js';

export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const USER_ATTRIBUTES = [...COMMON_ATTRIBUTES, ...USER_RESOURCE_TYPE.schema.attributes];

export function userLocation(scimBaseUrl: string, id: string): string {
  return `${scimBaseUrl}/Users/${id}`;
}

/** The read-only sign-in state (Usher's account extension); unassigned values are left out (RFC 7643 §2.5). */
function accountOf(row: UserRow): Record<string, unknown> {
  const iso = (date: Date | null) => (date ? date.toISOString() : undefined);
  const account: Record<string, unknown> = {
    lastLogin: iso(row.last_login),
    lockReason: row.lock_reason ?? undefined,
    lockedUntil: iso(row.locked_until),
    failedLogins: row.failed_logins,
    passwordChangeRequired: row.password_change_required,
    passwordSetAt: iso(row.password_set_at),
    welcomeEmailSentAt: iso(row.welcome_email_sent_at),
    mfaEnabled: row.mfa_enabled,
  };
  return Object.fromEntries(Object.entries(account).filter(([, value]) => value !== undefined));
}

/** The Enterprise manager.value a user's attributes hold, if any. */
export function managerValueOf(attributes: Record<string, unknown>): string | undefined {
  const manager = (attributes[ENTERPRISE_USER] as Record<string, unknown> | undefined)?.manager as Record<string, unknown> | undefined;
  return typeof manager?.value === 'string' ? manager.value : undefined;
}

export function userToResource(row: UserRow, groups: readonly UserGroupRow[] | undefined, scimBaseUrl: string): Record<string, unknown> {
  const attributes = inSchemaOrder(USER_ATTRIBUTES, row.attributes);
  const extensions = USER_RESOURCE_TYPE.schemaExtensions.map((e) => e.schema.id).filter((id) => id in attributes || id === ACCOUNT_SCHEMA.id);
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
