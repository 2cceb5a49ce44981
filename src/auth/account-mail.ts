// The account mails a change causes (welcome, password reset, e-mail changed), queued in the change's own transaction.
import { emailChangedMail, enqueueMail, isMailAddress, passwordResetMail, welcomeMail, type MailContent, type MailKind } from '../mail/index.js';
import { historyForMail, recordHistory, type HistoryScope } from '../resources/history/recorder.js';
import type { Queryable } from '../store/index.js';
import { markWelcomeEmailSent, selectTenantName } from './queries.js';
import type { AuthService } from './service.js';

/** The user a mail is about, as rows of users have it, with the address the mail goes to. */
export interface MailRecipient {
  readonly id: string;
  readonly user_name: string;
  readonly display_name: string | null;
  readonly email: string;
}

export interface AccountMailer {
  /**
   * Issues a new set-password link (older welcome links stop working), queues the welcome mail with it, notes
   * welcomeEmailSentAt and records the history. Returns the link, for the CLI to print. `newUser`: the user was
   * inserted in this transaction, with its welcomeEmailSentAt, and has no links yet.
   */
  sendWelcome(tx: Queryable, scope: HistoryScope, user: MailRecipient, options?: { readonly newUser?: boolean }): Promise<string>;
  /** Issues a reset link (older reset links stop working), queues the reset mail and records the history. */
  sendPasswordReset(tx: Queryable, scope: HistoryScope, user: MailRecipient): Promise<void>;
  /** Queues the notice to the old address that the account's e-mail address changed. */
  sendEmailChanged(tx: Queryable, scope: HistoryScope, user: MailRecipient, newEmail: string): Promise<void>;
  /** Call once the transaction that queued mail has committed: the worker sends it at once rather than at its next poll. */
  notify(): void;
}

export interface AccountMailerDeps {
  readonly auth: Pick<AuthService, 'issueLinkToken'>;
  readonly newId: () => string;
  /** Where the portal is, e.g. https://portal.example.com: links are `${publicUrl}/reset?token=...`. */
  readonly publicUrl: string;
  readonly resetLinkSeconds: number;
  readonly welcomeLinkSeconds: number;
  /** The mail worker's notify(); a no-op when nothing delivers mail in this process. */
  readonly notify: () => void;
}

/** Every e-mail value of a user's attributes, as given (the password policy keeps passwords clear of them). */
export function emailValuesOf(attributes: Readonly<Record<string, unknown>>): string[] {
  const emails = Array.isArray(attributes.emails) ? (attributes.emails as Record<string, unknown>[]) : [];
  return emails.map((e) => e.value).filter((v): v is string => typeof v === 'string');
}

/**
 * The address account mail goes to: the primary e-mail, else the first other one mail can be sent to; undefined
 * when there is none (identity providers send what they have, and not every value is an address).
 */
export function mailAddressOf(attributes: Readonly<Record<string, unknown>>): string | undefined {
  const emails = Array.isArray(attributes.emails) ? (attributes.emails as Record<string, unknown>[]) : [];
  const ordered = [...emails.filter((e) => e.primary === true), ...emails.filter((e) => e.primary !== true)];
  return ordered.map((e) => e.value).find((value): value is string => typeof value === 'string' && isMailAddress(value));
}

export function createAccountMailer(deps: AccountMailerDeps): AccountMailer {
  const { auth, newId, publicUrl } = deps;

  async function queue(tx: Queryable, scope: HistoryScope, kind: MailKind, to: string, content: MailContent): Promise<void> {
    await enqueueMail(tx, { tenantId: scope.tenantId, id: newId(), kind, to, ...content }, scope.at);
  }

  // Tenant names change rarely (and only by an operator): a minute's cache saves a query per mail in a Bulk of creates.
  const tenantNames = new Map<string, { name: string; until: number }>();
  async function tenantOf(tx: Queryable, tenantId: string, now: Date): Promise<{ name: string }> {
    const cached = tenantNames.get(tenantId);
    if (cached && cached.until > now.getTime()) return { name: cached.name };
    const name = (await selectTenantName(tx, tenantId)) ?? 'Usher';
    if (tenantNames.size >= 10_000) tenantNames.clear();
    tenantNames.set(tenantId, { name, until: now.getTime() + 60_000 });
    return { name };
  }

  const mailUser = (user: MailRecipient) => ({ userName: user.user_name, displayName: user.display_name });

  return {
    async sendWelcome(tx, scope, user, options = {}) {
      const { token } = await auth.issueLinkToken(tx, scope.tenantId, user.id, 'welcome', scope.at, { first: options.newUser === true });
      const link = `${publicUrl}/welcome?token=${encodeURIComponent(token)}`;
      const content = welcomeMail({
        tenant: await tenantOf(tx, scope.tenantId, scope.at),
        user: mailUser(user),
        link,
        expiresInDays: Math.max(1, Math.round(deps.welcomeLinkSeconds / 86_400)),
      });
      await queue(tx, scope, 'welcome', user.email, content);
      if (!options.newUser) await markWelcomeEmailSent(tx, scope.tenantId, user.id, scope.at);
      await recordHistory(tx, historyForMail(scope, user, 'welcomeEmailSent', user.email));
      return link;
    },

    async sendPasswordReset(tx, scope, user) {
      const { token } = await auth.issueLinkToken(tx, scope.tenantId, user.id, 'reset', scope.at);
      const content = passwordResetMail({
        tenant: await tenantOf(tx, scope.tenantId, scope.at),
        user: mailUser(user),
        link: `${publicUrl}/reset?token=${encodeURIComponent(token)}`,
        expiresInHours: Math.max(1, Math.round(deps.resetLinkSeconds / 3600)),
      });
      await queue(tx, scope, 'reset', user.email, content);
      await recordHistory(tx, historyForMail(scope, user, 'passwordResetSent', user.email));
    },

    async sendEmailChanged(tx, scope, user, newEmail) {
      // The link leads to the portal, where the owner can sign in or ask for a reset; it carries no secret.
      const content = emailChangedMail({ tenant: await tenantOf(tx, scope.tenantId, scope.at), user: mailUser(user), newEmail, link: `${publicUrl}/admin` });
      await queue(tx, scope, 'email-changed', user.email, content);
    },

    notify: deps.notify,
  };
}
