// SCIM provisioning events (RFC 9967 §2.4) as drafts: type, subject and members, built from what changed. The
// full forms' `data` is filled in by whoever holds the resource, and only for a stream that asked for them.
import type { ResourceData } from '../resource/normalize.js';
import { scimSubject, subjectKeyOf, type ResourceRef, type ScimSubject } from './subject.js';
import { CHANGE_EVENTS, SCIM_EVENT, type ChangeMethod, type ScimEventUri } from './uris.js';

/** One event: its URI, the resource it is about, and its members (the object under the URI in the `events` claim). */
export interface EventDraft {
  readonly type: ScimEventUri;
  readonly subjectKey: string;
  readonly subject: ScimSubject;
  readonly members: Readonly<Record<string, unknown>>;
  /** A full form, whose members lack `data` until withData gives it. */
  readonly needsData: boolean;
}

export interface ResourceChange {
  readonly method: ChangeMethod;
  readonly resource: ResourceRef;
  /** The names of what changed (see changedAttributeNames); none: nothing changed, and no event says otherwise. */
  readonly attributes: readonly string[];
  /** The resource's ETag after the change (RFC 9967 §2.2 `version`), when the change gave it one. */
  readonly version?: string | undefined;
}

/** Write-only attributes: a full form shows the resource as a client reads it, and no client reads these. */
const SECRET = new Set(['password']);

function draft(type: ScimEventUri, resource: ResourceRef, members: Record<string, unknown>, needsData = false): EventDraft {
  return { type, subjectKey: subjectKeyOf(resource), subject: scimSubject(resource), members, needsData };
}

/**
 * The events of a create, replace or modify (RFC 9967 §2.4.1-§2.4.3): the notice form naming what changed, and the
 * full form when something a client can read changed. A change of the password alone has nothing to replicate: its
 * full form would carry the resource as it was. No event for a change that changed nothing.
 */
export function changeEvents(change: ResourceChange): EventDraft[] {
  if (change.attributes.length === 0) return [];
  const { full, notice } = CHANGE_EVENTS[change.method];
  const version = change.version === undefined ? {} : { version: change.version };
  const events = [draft(notice, change.resource, { ...version, attributes: [...change.attributes] })];
  if (change.attributes.some((name) => !SECRET.has(name.toLowerCase()))) events.push(draft(full, change.resource, version, true));
  return events;
}

/**
 * RFC 9967 §2.4.5-§2.4.6: a User that becomes able to sign in (activate) or is disabled (deactivate). Only for a
 * transition: a user created active was never inactive.
 */
export function activationEvents(resource: ResourceRef, before: boolean, after: boolean): EventDraft[] {
  if (before === after) return [];
  return [draft(after ? SCIM_EVENT.activate : SCIM_EVENT.deactivate, resource, {})];
}

/** RFC 9967 §2.4.4: no members, no full or notice form. */
export function deleteEvent(resource: ResourceRef): EventDraft {
  return draft(SCIM_EVENT.delete, resource, {});
}

/**
 * A full form with its `data`: the resource as a client would read it (RFC 9967 §2.4, "the final representation
 * of the resource"), never a write-only value, whatever the caller passes.
 */
export function withData(event: EventDraft, data: ResourceData): EventDraft {
  if (!event.needsData) return event;
  const clean = Object.fromEntries(Object.entries(data).filter(([key]) => !SECRET.has(key.toLowerCase())));
  return { ...event, members: { ...event.members, data: clean }, needsData: false };
}

/** The SET's `events` claim for one event (RFC 8417 §2.2): the URI and its members. */
export function eventsClaim(event: EventDraft): Record<string, Record<string, unknown>> {
  return { [event.type]: { ...event.members } };
}
