// The SCIM event URIs of RFC 9967 §2.4 (provisioning) this server issues, and the ones it never does (§2.3, §2.5).

/** RFC 9967 §2.4.1-§2.4.6. `full` forms carry the resource (`data`), `notice` forms the names of what changed. */
export const SCIM_EVENT = {
  createFull: 'urn:ietf:params:scim:event:prov:create:full',
  createNotice: 'urn:ietf:params:scim:event:prov:create:notice',
  putFull: 'urn:ietf:params:scim:event:prov:put:full',
  putNotice: 'urn:ietf:params:scim:event:prov:put:notice',
  patchFull: 'urn:ietf:params:scim:event:prov:patch:full',
  patchNotice: 'urn:ietf:params:scim:event:prov:patch:notice',
  delete: 'urn:ietf:params:scim:event:prov:delete',
  activate: 'urn:ietf:params:scim:event:prov:activate',
  deactivate: 'urn:ietf:params:scim:event:prov:deactivate',
} as const;

export type ScimEventUri = (typeof SCIM_EVENT)[keyof typeof SCIM_EVENT];

/**
 * Every event URI this server can issue, for discovery (ServiceProviderConfig `securityEvents.eventUris`, RFC 9967
 * §4; SSF `events_supported`). Not the feed events (§2.3: a stream here carries every resource of its tenant, nothing
 * joins or leaves it) nor misc:asyncresp (§2.5.1: requests are answered synchronously, `Prefer: respond-async` is
 * not offered).
 */
export const SCIM_EVENT_URIS: readonly ScimEventUri[] = Object.values(SCIM_EVENT);

export function isScimEventUri(value: string): value is ScimEventUri {
  return (SCIM_EVENT_URIS as readonly string[]).includes(value);
}

/** The three kinds of change that have a full and a notice form (RFC 9967 §2.4.1-§2.4.3). */
export type ChangeMethod = 'create' | 'put' | 'patch';

export const CHANGE_EVENTS: Record<ChangeMethod, { readonly full: ScimEventUri; readonly notice: ScimEventUri }> = {
  create: { full: SCIM_EVENT.createFull, notice: SCIM_EVENT.createNotice },
  put: { full: SCIM_EVENT.putFull, notice: SCIM_EVENT.putNotice },
  patch: { full: SCIM_EVENT.patchFull, notice: SCIM_EVENT.patchNotice },
};
