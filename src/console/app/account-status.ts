// A user's account status in the portal's words (Active, Locked, Deactivated), who locked it and until when, the
// list's filters for each, and the Deactivate / Reactivate actions (POST /Users/{id}/deactivate, /reactivate).
import { scim } from './api';
import { formatDateTime } from './format';
import type { HistoryEntry, ListResponse, User } from './scim-types';
import { LOCK_REASON_WORDS } from './words';

export const ACCOUNT_SCHEMA = 'urn:usher:params:scim:schemas:extension:account:2.0:User';

export type AccountState = 'active' | 'locked' | 'deactivated';

/** SCIM filters for the list's status filter: Active, Locked (by an administrator, or after failed sign-ins), Deactivated. */
export const STATUS_FILTERS: Record<AccountState, string> = {
  active: 'active eq true',
  locked: `${ACCOUNT_SCHEMA}:lockReason eq "admin" or ${ACCOUNT_SCHEMA}:lockReason eq "failedLogins"`,
  deactivated: `${ACCOUNT_SCHEMA}:lockReason eq "deactivated" or ${ACCOUNT_SCHEMA}:lockReason eq "provisioning"`,
};

interface AccountExtension {
  readonly lockReason?: string;
  readonly lockedUntil?: string;
}

function accountOf(user: User): AccountExtension {
  return ((user as unknown as Record<string, unknown>)[ACCOUNT_SCHEMA] as AccountExtension | undefined) ?? {};
}

/** What the list's Status column and the user page say: the state, its words, and until when a lockout lasts. */
export function accountStatus(user: User): { state: AccountState; label: string; until?: string } {
  if (user.active !== false) return { state: 'active', label: 'Active' };
  const { lockReason, lockedUntil } = accountOf(user);
  const state: AccountState = lockReason === 'deactivated' || lockReason === 'provisioning' ? 'deactivated' : 'locked';
  const label = LOCK_REASON_WORDS[lockReason ?? 'admin'] ?? 'Locked';
  return lockedUntil ? { state, label, until: formatDateTime(lockedUntil) } : { state, label };
}

/** Who locked or deactivated the user last (the history's actor), or undefined when the history does not say. */
export async function lockedBy(userId: string): Promise<string | undefined> {
  const page = await scim<ListResponse<HistoryEntry>>('GET', `/Users/${encodeURIComponent(userId)}/History`, {
    query: { filter: 'event eq "locked" or event eq "lockedOut"', count: 1 },
  });
  const entry = page.Resources?.[0];
  return entry?.updatedBy ?? entry?.actor?.display;
}

export function deactivateUser(userId: string): Promise<void> {
  return scim<void>('POST', `/Users/${encodeURIComponent(userId)}/deactivate`);
}

export function reactivateUser(userId: string): Promise<void> {
  return scim<void>('POST', `/Users/${encodeURIComponent(userId)}/reactivate`);
}
