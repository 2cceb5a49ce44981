// The subject of a SCIM event: the `sub_id` claim in the `scim` format (RFC 9967 §2.1, RFC 9493 §3).

export type ScimResourceType = 'User' | 'Group';

/** What names a resource: its type, id and, when the client gave one, its externalId. */
export interface ResourceRef {
  readonly resourceType: ScimResourceType;
  readonly id: string;
  readonly externalId?: string | null | undefined;
}

/** RFC 9967 §2.1: `uri` is the path below the SCIM base URI, always present; `externalId` when known. */
export interface ScimSubject {
  readonly format: 'scim';
  readonly uri: string;
  readonly externalId?: string;
}

const ENDPOINTS: Record<ScimResourceType, string> = { User: '/Users', Group: '/Groups' };

export function scimSubject(ref: ResourceRef): ScimSubject {
  const uri = `${ENDPOINTS[ref.resourceType]}/${ref.id}`;
  return typeof ref.externalId === 'string' && ref.externalId !== '' ? { format: 'scim', uri, externalId: ref.externalId } : { format: 'scim', uri };
}

/** The key events of one resource are ordered by (`User:<id>`): a receiver sees one resource's changes in order. */
export function subjectKeyOf(ref: ResourceRef): string {
  return `${ref.resourceType}:${ref.id.toLowerCase()}`;
}
