// Turns a groups row and its members into a SCIM Group resource (RFC 7643 §4.2, §3.1 meta).
import { GROUP_RESOURCE_TYPE } from '../../scim/schema/resource-types.js';
import { inSchemaOrder } from '../../scim/resource/order.js';
import { etagOf } from '../../scim/resource/version.js';
import { COMMON_ATTRIBUTES } from '../../scim/schema/common.js';
import type { GroupRow, MemberRow } from './queries.js';

const GROUP_ATTRIBUTES = [...COMMON_ATTRIBUTES, ...GROUP_RESOURCE_TYPE.schema.attributes];

export function groupLocation(scimBaseUrl: string, id: string): string {
  return `${scimBaseUrl}/Groups/${id}`;
}

/** members undefined: not asked for; the attribute is left out. An empty list is also left out (RFC 7643 §2.5). */
export function groupToResource(row: GroupRow, members: readonly MemberRow[] | undefined, scimBaseUrl: string): Record<string, unknown> {
  const extensions = GROUP_RESOURCE_TYPE.schemaExtensions.map((e) => e.schema.id).filter((id) => id in row.attributes);
  return {
    schemas: [GROUP_RESOURCE_TYPE.schema.id, ...extensions],
    id: row.id,
    ...inSchemaOrder(GROUP_ATTRIBUTES, row.attributes),
    ...(members && members.length > 0
      ? {
          members: members.map((m) => ({
            value: m.value,
            $ref: `${scimBaseUrl}/${m.type === 'User' ? 'Users' : 'Groups'}/${m.value}`,
            ...(m.display !== null ? { display: m.display } : {}),
            type: m.type,
          })),
        }
      : {}),
    meta: {
      resourceType: 'Group',
      created: row.created_at.toISOString(),
      lastModified: row.last_modified.toISOString(),
      location: groupLocation(scimBaseUrl, row.id),
      version: etagOf(row.version),
    },
  };
}
