// The event types a stream can ask for: the SCIM provisioning events Usher emits (RFC 9967 §2.4) and the SSF
// verification event (OpenID SSF 1.0 §8.1.4.1), and what a stream gets of those it requests (events_delivered).
import { SCIM_EVENT_URIS } from '../../scim/events/uris.js';

/** SSF 1.0 §8.1.4.1: sent on a stream when its receiver asks (POST /ssf/verify). */
export const VERIFICATION_EVENT = 'https://schemas.openid.net/secevent/ssf/event-type/verification';

/** RFC 9967 §2.4.1-§2.4.6: the provisioning events the change sites emit (src/scim/events/uris.ts). */
export const SCIM_PROVISIONING_EVENTS: readonly string[] = SCIM_EVENT_URIS;

/** events_supported of every stream. */
export const SUPPORTED_EVENTS: readonly string[] = [...SCIM_PROVISIONING_EVENTS, VERIFICATION_EVENT];

const byLowerCase = new Map(SUPPORTED_EVENTS.map((uri) => [uri.toLowerCase(), uri]));

/**
 * events_delivered: the requested types Usher supports, in the spelling of events_supported. Matched ignoring case,
 * because drafts of RFC 9967 and receivers built on them spell the URNs `urn:ietf:params:SCIM:event:...`.
 */
export function deliveredOf(requested: readonly string[]): string[] {
  const wanted = new Set(requested.map((uri) => byLowerCase.get(uri.toLowerCase())).filter((uri): uri is string => uri !== undefined));
  return SUPPORTED_EVENTS.filter((uri) => wanted.has(uri));
}
