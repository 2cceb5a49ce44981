// The account mails a change causes (welcome, password reset, e-mail changed, password changed), queued in the change's own transaction,
// at most ACCOUNT_MAIL_LIMIT an hour to one user so that no one can be mail-bombed through Usher.
import {
  emailChangedMail,
  enqueueMail,
  isMailAddress,
  mfaChangedMail,
  passwordChangedMail,
  passwordResetMail,
  welcomeMail,
  type MailContent,
  type MailKind,
  type MfaNoticeKind,
  type PasswordNoticeKind,
} from '../mail/index.js';
import { historyForMail, historyForUserEvent, recordHistory, type HistoryEntry, type HistoryScope } from '../resources/history/recorder.js';
import type { Queryable } from '../store/index.js';
import { markWelcomeEmailSent, selectRecentAccountMails, selectTenantNaming } from './queries.js';
import type { AuthService } from './service.js';

/** The user a mail is about, as rows of users have it, with the address the mail goes to. */
export interface MailRecipient {
  readonly id: string;
  readonly user_name: string;
  readonly display_name: string | null;
  readonly email: string;
}

const HOUR_MS = 3_600_000;

/** The user has been sent as many account mails in the last hour as one user may get: 429, with Retry-After. */
export class AccountMailLimitError extends Error {
  override readonly name = 'AccountMailLimitError';
  constructor(
    readonly limit: number,
    readonly retryAfterSeconds: number,
  ) {
    super(`The per-user mail limit is reached: this user was sent ${limit} account mails in the last hour; retry after ${retryAfterSeconds} s.`);
  }
}

/**
 * Every method must run in a transaction that holds the user's row lock (lockUser, lockAccount) or has just
 * inserted the user: the count of a user's recent mails then cannot change before the mail it allows is queued.
 */
export interface AccountMailer {
  /**
   * Issues a new set-password link (older welcome links stop working), queues the welcome mail with it, notes
   * welcomeEmailSentAt and records the history. Returns the link, for the CLI to print. `newUser`: the user was
   * inserted in this transaction, with its welcomeEmailSentAt, and has no links yet; `history`: entries of the same
   * change, recorded before the mail's own in the same statement. Throws AccountMailLimitError when the user has had
   * its hourly account mails.
   */
  sendWelcome(tx: Queryable, scope: HistoryScope, user: MailRecipient, options?: { readonly newUser?: boolean; readonly history?: readonly HistoryEntry[] }): Promise<string>;
  /**
   * Issues a reset link (older reset links stop working), queues the reset mail and records the history. Throws
   * AccountMailLimitError when the user has had its hourly account mails.
   */
  sendPasswordReset(tx: Queryable, scope: HistoryScope, user: MailRecipient): Promise<void>;
  /**
   * Queues the notice to the old address that the account's e-mail address changed, and returns true; over the
   * hourly limit, records in the user's history that it was not sent and returns false: the change it tells of
   * must not fail for it.
   */
  sendEmailChanged(tx: Queryable, scope: HistoryScope, user: MailRecipient, newEmail: string): Promise<boolean>;
  /**
   * Queues the notice that the user's password was changed, reset or set temporarily, and returns true; over the
   * hourly limit, records in the user's history that it was not sent and returns false (as sendEmailChanged).
   */
  sendPasswordNotice(tx: Queryable, scope: HistoryScope, user: MailRecipient, kind: PasswordNoticeKind): Promise<boolean>;
  /** Queues the notice that the user's second factor was added, replaced or removed; as sendPasswordNotice otherwise. */
  sendMfaNotice(tx: Queryable, scope: HistoryScope, user: MailRecipient, kind: MfaNoticeKind): Promise<boolean>;
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
  /** Account mails one user may be sent in an hour, at least 1 (ACCOUNT_MAIL_LIMIT). */
  readonly limitPerHour: number;
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
  const { auth, newId, publicUrl, limitPerHour } = deps;
  if (!Number.isSafeInteger(limitPerHour) || limitPerHour < 1) throw new RangeError(`limitPerHour must be a whole number of at least 1, got ${limitPerHour}`);

  async function queue(tx: Queryable, scope: HistoryScope, kind: MailKind, user: MailRecipient, content: MailContent): Promise<void> {
    await enqueueMail(tx, { tenantId: scope.tenantId, id: newId(), kind, userId: user.id, to: user.email, ...content }, scope.at);
  }

  /**
   * Undefined while the user may be sent another account mail; else the seconds until it may: until the mail that
   * filled the limit is an hour old. Counted in the outbox, so the limit holds across restarts and instances.
   */
  async function waitBeforeMail(tx: Queryable, scope: HistoryScope, userId: string): Promise<number | undefined> {
    const now = scope.at.getTime();
    const recent = await selectRecentAccountMails(tx, scope.tenantId, userId, new Date(now - HOUR_MS), limitPerHour);
    if (recent.length < limitPerHour) return undefined;
    return Math.max(1, Math.ceil((recent[limitPerHour - 1]!.getTime() + HOUR_MS - now) / 1000));
  }

  async function checkLimit(tx: Queryable, scope: HistoryScope, userId: string): Promise<void> {
    const wait = await waitBeforeMail(tx, scope, userId);
    if (wait !== undefined) throw new AccountMailLimitError(limitPerHour, wait);
  }

  // Tenant names change rarely (and only by an operator): a minute's cache saves a query per mail in a Bulk of creates.
  // The slug goes into the links as `org=`, so that the sign-in page the link leads to knows the organization.
  const tenantNames = new Map<string, { name: string; slug: string; until: number }>();
  async function tenantOf(tx: Queryable, tenantId: string, now: Date): Promise<{ name: string; slug: string }> {
    const cached = tenantNames.get(tenantId);
    if (cached && cached.until > now.getTime()) return { name: cached.name, slug: cached.slug };
    const { name, slug } = (await selectTenantNaming(tx, tenantId)) ?? { name: 'Usher', slug: '' };
    if (tenantNames.size >= 10_000) tenantNames.clear();
    tenantNames.set(tenantId, { name, slug, until: now.getTime() + 60_000 });
    return { name, slug };
  }
  const orgQuery = (tenant: { slug: string }, first: '?' | '&') => (tenant.slug ? `${first}org=${encodeURIComponent(tenant.slug)}` : '');
  const signInLink = (tenant: { slug: string }) => `${publicUrl}/admin${orgQuery(tenant, '?')}`;

  /** A notice over the hourly limit is not sent, and the user's history says so: the change it tells of stands. */
  async function mayNotice(tx: Queryable, scope: HistoryScope, user: MailRecipient, attribute: string): Promise<boolean> {
    if ((await waitBeforeMail(tx, scope, user.id)) === undefined) return true;
    await recordHistory(tx, historyForUserEvent(scope, user, 'mailSkipped', { attribute, newValue: user.email }));
    return false;
  }

  const mailUser = (user: MailRecipient) => ({ userName: user.user_name, displayName: user.display_name });

  return {
    async sendWelcome(tx, scope, user, options = {}) {
      // A user inserted in this transaction has had no mail, and the limit is at least one: its welcome (counted
      // like any other) needs no count, which keeps a Bulk of creates a statement per user shorter.
      if (!options.newUser) await checkLimit(tx, scope, user.id);
      const { token } = await auth.issueLinkToken(tx, scope.tenantId, user.id, 'welcome', scope.at, { first: options.newUser === true });
      const tenant = await tenantOf(tx, scope.tenantId, scope.at);
      const link = `${publicUrl}/welcome?token=${encodeURIComponent(token)}${orgQuery(tenant, '&')}`;
      const content = welcomeMail({
        tenant,
        user: mailUser(user),
        link,
        expiresInDays: Math.max(1, Math.round(deps.welcomeLinkSeconds / 86_400)),
      });
      await queue(tx, scope, 'welcome', user, content);
      if (!options.newUser) await markWelcomeEmailSent(tx, scope.tenantId, user.id, scope.at);
      await recordHistory(tx, [...(options.history ?? []), ...historyForMail(scope, user, 'welcomeEmailSent', user.email)]);
      return link;
    },

    async sendPasswordReset(tx, scope, user) {
      await checkLimit(tx, scope, user.id);
      const { token } = await auth.issueLinkToken(tx, scope.tenantId, user.id, 'reset', scope.at);
      const tenant = await tenantOf(tx, scope.tenantId, scope.at);
      const content = passwordResetMail({
        tenant,
        user: mailUser(user),
        link: `${publicUrl}/reset?token=${encodeURIComponent(token)}${orgQuery(tenant, '&')}`,
        expiresInHours: Math.max(1, Math.round(deps.resetLinkSeconds / 3600)),
      });
      await queue(tx, scope, 'reset', user, content);
      await recordHistory(tx, historyForMail(scope, user, 'passwordResetSent', user.email));
    },

    async sendEmailChanged(tx, scope, user, newEmail) {
      if ((await waitBeforeMail(tx, scope, user.id)) !== undefined) {
        await recordHistory(tx, historyForUserEvent(scope, user, 'mailSkipped', { attribute: 'email', newValue: user.email }));
        return false;
      }
      // The link leads to the portal, where the owner can sign in or ask for a reset; it carries no secret.
      const tenant = await tenantOf(tx, scope.tenantId, scope.at);
      const content = emailChangedMail({ tenant, user: mailUser(user), newEmail, link: signInLink(tenant) });
      await queue(tx, scope, 'email-changed', user, content);
      return true;
    },

    async sendPasswordNotice(tx, scope, user, kind) {
      if (!(await mayNotice(tx, scope, user, 'password'))) return false;
      const tenant = await tenantOf(tx, scope.tenantId, scope.at);
      const content = passwordChangedMail({ tenant, user: mailUser(user), kind, link: signInLink(tenant) });
      await queue(tx, scope, 'password-changed', user, content);
      return true;
    },

    async sendMfaNotice(tx, scope, user, kind) {
      if (!(await mayNotice(tx, scope, user, 'mfaEnabled'))) return false;
      const tenant = await tenantOf(tx, scope.tenantId, scope.at);
      const content = mfaChangedMail({ tenant, user: mailUser(user), kind, link: signInLink(tenant) });
      await queue(tx, scope, 'mfa-changed', user, content);
      return true;
    },

    notify: deps.notify,
  };
}
