// Records what sign-in does to an account (lockouts, password changes) in its history and as SCIM events (RFC 9967),
// and queues the notice of a new password to the user, in the same transaction.
import { eventScope, recordEvents, type FullFormHints } from '../events/recorder.js';
import { activationEvents, changeEvents, type ResourceRef } from '../scim/events/index.js';
import type { ResourceData } from '../scim/resource/normalize.js';
import type { Queryable } from '../store/index.js';
import { historyForLockout, historyForUserEvent, recordHistory, SERVER_ACTOR, type HistoryScope } from '../resources/history/recorder.js';
import { mailAddressOf, type AccountMailer } from './account-mail.js';
import type { AccountEvents } from './service.js';

export interface AccountHistoryEventsDeps {
  readonly newId: () => string;
  readonly lockoutSeconds: number;
  /**
   * The mailer of password notices; a function, as the mailer is built after the auth service it needs. Left out,
   * no notice is sent.
   */
  readonly mailer?: () => Pick<AccountMailer, 'sendPasswordNotice' | 'notify'>;
  /** The user as SCIM GET answers it, for the full form of an event; left out, only notice forms are written. */
  readonly userData?: (q: Queryable, tenantId: string, id: string) => Promise<ResourceData>;
  /** Which full forms each tenant's streams were last seen to want (see recordEvents). */
  readonly eventHints?: FullFormHints;
}

function subjectOf(account: { id: string; attributes: Record<string, unknown> }): ResourceRef {
  const externalId = account.attributes.externalId;
  return { resourceType: 'User', id: account.id, externalId: typeof externalId === 'string' ? externalId : undefined };
}

/** The account itself acts on sign-in: history names the user as the one who did it. */
export function accountHistoryEvents(deps: AccountHistoryEventsDeps): AccountEvents {
  const scope = (account: { tenant_id: string; id: string; user_name: string; display_name: string | null }, at: Date, requestId: string | null): HistoryScope => ({
    tenantId: account.tenant_id,
    actor: { type: 'user', value: account.id, display: account.display_name ?? account.user_name },
    requestId,
    at,
    newId: deps.newId,
  });
  return {
    async lockedOut(tx, account, now, requestId) {
      // The server locks the account, not the person who typed the wrong passwords.
      const server = { ...scope(account, now, requestId), actor: SERVER_ACTOR };
      const entries =
        deps.lockoutSeconds > 0
          ? historyForLockout(server, account, new Date(now.getTime() + deps.lockoutSeconds * 1000))
          : historyForUserEvent(server, account, 'lockedOut', { attribute: 'active', oldValue: 'true', newValue: 'false' });
      await recordHistory(tx, entries);
      // A lock until an administrator unlocks: the user is deactivated (SCIM `active` false). A timed lockout ends by
      // itself, with no change to mark its end: a deactivation then would never be followed by its activation.
      if (deps.lockoutSeconds > 0) return;
      const subject = subjectOf(account);
      const loader = deps.userData;
      const changed = changeEvents({ method: 'patch', resource: subject, attributes: ['active'] })
        .filter((event) => !event.needsData || loader)
        .map((event) => (event.needsData ? { ...event, data: () => loader!(tx, account.tenant_id, account.id) } : event));
      await recordEvents(tx, eventScope(server, undefined, deps.eventHints), [...activationEvents(subject, true, false), ...changed]);
    },
    // A password event carries no values, not even how it was changed: who and when say enough.
    async passwordChanged(tx, account, how, now, requestId) {
      const at = scope(account, now, requestId);
      await recordHistory(tx, historyForUserEvent(at, account, 'passwordChanged'));
      // The password alone changed: a notice naming it (never a value), with no full form (nothing a client reads changed).
      await recordEvents(tx, eventScope(at, undefined, deps.eventHints), changeEvents({ method: 'patch', resource: subjectOf(account), attributes: ['password'] }));
      // A first password chosen through the welcome link replaces none: there is nothing to warn the owner of.
      const email = mailAddressOf(account.attributes);
      const mailer = deps.mailer?.();
      if (how === 'welcome' || !email || !mailer) return false;
      return mailer.sendPasswordNotice(tx, at, { ...account, email }, how === 'reset' ? 'reset' : 'changed');
    },
    mailQueued() {
      deps.mailer?.().notify();
    },
  };
}
