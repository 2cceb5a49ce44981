// Records history: entries built from a change (one line per call site) and written in the change's own transaction.
import { diffResource, type DiffOptions } from '../../scim/history/diff.js';
import { HISTORY_EVENT_LABELS, HISTORY_EVENTS, historyEventLabel, type HistoryActor, type HistoryEvent } from '../../scim/history/events.js';
import type { ResourceData } from '../../scim/resource/normalize.js';
import { PERSONA_SCHEMA } from '../../scim/schema/persona.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../scim/schema/resource-types.js';
import type { Queryable } from '../../store/index.js';
import type { Actor, RequestContext } from '../context.js';
import { insertHistory } from './queries.js';

export { HISTORY_EVENT_LABELS, HISTORY_EVENTS, historyEventLabel, type HistoryActor, type HistoryEvent };

export type HistoryResourceType = 'User' | 'Group';

/** One row of history. Values are display text, never a password or a token. */
export interface HistoryEntry {
  readonly tenantId: string;
  readonly id: string;
  readonly resourceType: HistoryResourceType;
  readonly resourceId: string;
  /** The user's userName or the group's displayName at the time: the history outlives the resource. */
  readonly resourceName: string;
  readonly event: HistoryEvent;
  readonly attribute: string | null;
  readonly oldValue: string | null;
  readonly newValue: string | null;
  /** Who did it: by type and id, and the name the portal shows (a user's display name, a token's label such as "Okta"). */
  readonly actor: HistoryActor;
  readonly requestId: string | null;
  readonly createdAt: Date;
}

/** What every entry of one request shares: tenant, who, when, which request, and where ids come from. */
export interface HistoryScope {
  readonly tenantId: string;
  readonly actor: HistoryActor;
  readonly requestId: string | null;
  readonly at: Date;
  readonly newId: () => string;
}

/** Why an account is locked (users.lock_reason), and how the history says it. */
export const LOCK_REASON_LABELS = {
  admin: 'Locked by an administrator',
  provisioning: 'Deactivated by the identity provider',
  failedLogins: 'Too many failed logins',
  deactivated: 'Deactivated by an administrator',
} as const;

export type LockReason = keyof typeof LOCK_REASON_LABELS;

/** Usher itself, for what the server does on its own (a lockout after failed logins). */
export const SERVER_ACTOR: HistoryActor = { type: 'system', value: 'usher', display: 'Usher' };

/** The command line (`usher admin create`): it acts with a token's power, but is no token. */
export const CLI_ACTOR: HistoryActor = { type: 'system', value: 'cli', display: 'Usher CLI' };

/** The actor as the history names it: by its id, which no request can choose, and by its label for display. */
export function historyActor(actor: Actor): HistoryActor {
  return { type: actor.kind, value: actor.id, display: actor.label };
}

/** The scope of one request's entries; `at` defaults to the clock now, pass the change's own time when it has one. */
export function historyScope(ctx: RequestContext, deps: { readonly clock: () => Date; readonly newId: () => string }, at?: Date): HistoryScope {
  return {
    tenantId: ctx.tenantId,
    actor: ctx.historyActor ?? historyActor(ctx.actor),
    requestId: ctx.requestId,
    at: at ?? deps.clock(),
    newId: deps.newId,
  };
}

/** The resource an entry is about, as rows of users and groups have it. */
export interface UserRef {
  readonly id: string;
  readonly user_name: string;
}

export interface GroupRef {
  readonly id: string;
  readonly display_name: string;
}

export interface UserSnapshot extends UserRef {
  readonly attributes: ResourceData;
}

export interface GroupSnapshot extends GroupRef {
  readonly attributes: ResourceData;
}

/** A member added to or removed from a group, with the name to show (userName, or a nested group's displayName). */
export interface MemberRef {
  readonly type: HistoryResourceType;
  readonly id: string;
  readonly name: string;
}

export interface HistoryDetail {
  readonly attribute?: string | null;
  readonly oldValue?: string | null;
  readonly newValue?: string | null;
}

interface Subject {
  readonly type: HistoryResourceType;
  readonly id: string;
  readonly name: string;
}

function entry(scope: HistoryScope, subject: Subject, event: HistoryEvent, detail: HistoryDetail = {}): HistoryEntry {
  return {
    tenantId: scope.tenantId,
    id: scope.newId(),
    resourceType: subject.type,
    resourceId: subject.id,
    resourceName: subject.name,
    event,
    attribute: detail.attribute ?? null,
    oldValue: detail.oldValue ?? null,
    newValue: detail.newValue ?? null,
    actor: scope.actor,
    requestId: scope.requestId,
    createdAt: scope.at,
  };
}

const userSubject = (user: UserRef): Subject => ({ type: 'User', id: user.id, name: user.user_name });
const groupSubject = (group: GroupRef): Subject => ({ type: 'Group', id: group.id, name: group.display_name });

/** Writes the entries in one statement, in the caller's transaction. Nothing else in Usher writes history. */
export async function recordHistory(tx: Queryable, entries: readonly HistoryEntry[]): Promise<void> {
  await insertHistory(
    tx,
    entries.map((e) => ({
      tenant_id: e.tenantId,
      id: e.id,
      resource_type: e.resourceType,
      resource_id: e.resourceId,
      resource_name: e.resourceName,
      event: e.event,
      attribute: e.attribute,
      old_value: e.oldValue,
      new_value: e.newValue,
      actor: e.actor.display,
      actor_type: e.actor.type,
      actor_id: e.actor.value,
      request_id: e.requestId,
      created_at: e.createdAt.toISOString(),
    })),
  );
}

export function historyForUserCreated(scope: HistoryScope, user: UserRef): HistoryEntry[] {
  return [entry(scope, userSubject(user), 'created')];
}

/**
 * A deleted user: 'deleted' on the user, and memberRemoved on each group it was a direct member of (the delete
 * cascades to the memberships), so that no group's history loses the member without a word.
 */
export function historyForUserDeleted(scope: HistoryScope, user: UserRef, groups: readonly GroupRef[] = []): HistoryEntry[] {
  return [
    ...groups.map((group) => entry(scope, groupSubject(group), 'memberRemoved', { attribute: 'members', oldValue: user.user_name })),
    entry(scope, userSubject(user), 'deleted'),
  ];
}

/** One entry per changed attribute (see diffResource), named by the user's new userName; none when nothing changed. */
export function historyForUserChange(scope: HistoryScope, before: UserSnapshot, after: UserSnapshot, options: DiffOptions = {}): HistoryEntry[] {
  const subject = userSubject(after);
  return diffResource(USER_RESOURCE_TYPE, before.attributes, after.attributes, options).map((change) => entry(scope, subject, change.event, change));
}

export function historyForGroupCreated(scope: HistoryScope, group: GroupRef): HistoryEntry[] {
  return [entry(scope, groupSubject(group), 'created')];
}

export function historyForGroupDeleted(scope: HistoryScope, group: GroupRef): HistoryEntry[] {
  return [entry(scope, groupSubject(group), 'deleted')];
}

/** Changed group attributes (displayName, externalId, persona description and permissions); members are not in documents. */
export function historyForGroupChange(scope: HistoryScope, before: GroupSnapshot, after: GroupSnapshot): HistoryEntry[] {
  const subject = groupSubject(after);
  return diffResource(GROUP_RESOURCE_TYPE, before.attributes, after.attributes).map((change) => entry(scope, subject, change.event, change));
}

/**
 * Membership changes, on both sides: memberAdded / memberRemoved on the group (attribute `members`, the member's
 * name as the value), and for each user member personaAdded / personaRemoved (attribute `persona`) when the group is
 * a persona, groupAdded / groupRemoved (attribute `groups`) otherwise, with the group's name, so the user's own
 * history shows it. Pass only the members that really changed.
 */
export function historyForMembers(
  scope: HistoryScope,
  group: GroupSnapshot,
  added: readonly MemberRef[],
  removed: readonly MemberRef[],
): HistoryEntry[] {
  const subject = groupSubject(group);
  const persona = PERSONA_SCHEMA.id in group.attributes;
  const onGroup = [
    ...added.map((m) => entry(scope, subject, 'memberAdded', { attribute: 'members', newValue: m.name })),
    ...removed.map((m) => entry(scope, subject, 'memberRemoved', { attribute: 'members', oldValue: m.name })),
  ];
  const userSide = (m: MemberRef) => ({ type: 'User' as const, id: m.id, name: m.name });
  const onUsers = [
    ...added
      .filter((m) => m.type === 'User')
      .map((m) =>
        entry(scope, userSide(m), persona ? 'personaAdded' : 'groupAdded', { attribute: persona ? 'persona' : 'groups', newValue: group.display_name }),
      ),
    ...removed
      .filter((m) => m.type === 'User')
      .map((m) =>
        entry(scope, userSide(m), persona ? 'personaRemoved' : 'groupRemoved', { attribute: persona ? 'persona' : 'groups', oldValue: group.display_name }),
      ),
  ];
  return [...onGroup, ...onUsers];
}

/** Locked by an administrator or the identity provider, or after failed logins: attribute `lockReason`, the reason in words. */
export function historyForLock(scope: HistoryScope, user: UserRef, reason: LockReason): HistoryEntry[] {
  return [entry(scope, userSubject(user), 'locked', { attribute: 'lockReason', newValue: LOCK_REASON_LABELS[reason] })];
}

/** Unlocked; the reason it was locked for, if known, as the old value. */
export function historyForUnlock(scope: HistoryScope, user: UserRef, previousReason: LockReason | null): HistoryEntry[] {
  return [entry(scope, userSubject(user), 'unlocked', { attribute: 'lockReason', oldValue: previousReason ? LOCK_REASON_LABELS[previousReason] : null })];
}

/** Locked out after too many failed logins, until the given time. */
export function historyForLockout(scope: HistoryScope, user: UserRef, until: Date): HistoryEntry[] {
  return [entry(scope, userSubject(user), 'lockedOut', { attribute: 'lockedUntil', newValue: until.toISOString() })];
}

/** A welcome or password reset mail queued, to this address (an address is not a secret; the link in it is). */
export function historyForMail(scope: HistoryScope, user: UserRef, event: 'welcomeEmailSent' | 'passwordResetSent', recipient: string): HistoryEntry[] {
  return [entry(scope, userSubject(user), event, { attribute: 'email', newValue: recipient })];
}

/**
 * Any other event of a user: passwordChanged and temporaryPasswordSet (attribute `password`, no values),
 * emailChanged (attribute `email`, old and new address), and so on.
 */
export function historyForUserEvent(scope: HistoryScope, user: UserRef, event: HistoryEvent, detail: HistoryDetail = {}): HistoryEntry[] {
  // A password event never carries a value, whatever the caller passes.
  const secret = event === 'passwordChanged' || event === 'temporaryPasswordSet';
  return [entry(scope, userSubject(user), event, secret ? { attribute: detail.attribute ?? 'password' } : detail)];
}
