// The vocabulary of history entries (Usher's HistoryEntry schema): what can happen to a User or a Group, and how the portal says it.

/**
 * Every event a history entry can record, with the label the portal's "Event Description" column shows.
 * The keys are stored in the history table: add new ones freely, never rename one.
 */
export const HISTORY_EVENT_LABELS = {
  created: 'Created',
  deleted: 'Deleted',
  attributeChanged: 'Attribute changed',
  passwordChanged: 'Password changed',
  temporaryPasswordSet: 'Temporary password set',
  passwordNotSet: 'Password not set: it does not meet the password policy',
  emailChanged: 'Email changed',
  personaAdded: 'Persona added',
  personaRemoved: 'Persona removed',
  groupAdded: 'Group added',
  groupRemoved: 'Group removed',
  memberAdded: 'Member added',
  memberRemoved: 'Member removed',
  locked: 'Locked',
  unlocked: 'Unlocked',
  lockedOut: 'Locked out after failed logins',
  passwordResetSent: 'Password reset email sent',
  welcomeEmailSent: 'Welcome email sent',
  mfaAdded: 'Two-step verification turned on',
  mfaReplaced: 'Authenticator app replaced',
  mfaRemoved: 'Two-step verification turned off',
  mailSkipped: 'Email not sent: hourly mail limit reached',
} as const;

export type HistoryEvent = keyof typeof HISTORY_EVENT_LABELS;

export const HISTORY_EVENTS = Object.keys(HISTORY_EVENT_LABELS) as HistoryEvent[];

export function isHistoryEvent(value: string): value is HistoryEvent {
  return Object.hasOwn(HISTORY_EVENT_LABELS, value);
}

/** The label of an event; an event this build does not know (written by a newer one) shows as stored. */
export function historyEventLabel(event: string): string {
  return isHistoryEvent(event) ? HISTORY_EVENT_LABELS[event] : event;
}

/** What kind of actor made a change: a portal user, an API token (a provisioning client), or Usher itself. */
export const HISTORY_ACTOR_TYPES = ['user', 'token', 'system'] as const;
export type HistoryActorType = (typeof HISTORY_ACTOR_TYPES)[number];

/**
 * Who made a change. `type` and `value` (a user id, an API token id, or for the system `usher` or `cli`) say who it
 * was and cannot be chosen by anyone; `display` is the name shown ("Updated By"), which a user or a token's creator
 * can choose and so proves nothing.
 */
export interface HistoryActor {
  readonly type: HistoryActorType;
  readonly value: string;
  readonly display: string;
}
