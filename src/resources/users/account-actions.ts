// The portal's account actions on a user (RFC 7644 gives no verb for them): reset mail, temporary password, welcome mail,
// deactivation and reactivation.
import { randomBytes } from 'node:crypto';
import { generateRandomString, type RandomReader } from '@oslojs/crypto/random';
import { emailValuesOf, mailAddressOf, type MailRecipient } from '../../auth/account-mail.js';
import { ScimError } from '../../scim/errors.js';
import type { Queryable } from '../../store/index.js';
import { actorFields, type Deps, type RequestContext } from '../context.js';
import { historyForUserEvent, historyScope, recordHistory } from '../history/recorder.js';
import { eventScope, recordEvents } from '../../events/recorder.js';
import { changeEvents } from '../../scim/events/index.js';
import { userRef } from '../resource-events.js';
import { checkMayActOnUsers, checkNotOwnSignIn } from '../privilege.js';
import { deleteMfa } from '../../auth/mfa-queries.js';
import { checkScimPassword } from './password-check.js';
import { lockUser, selectUser, type UserRow } from './queries.js';
import { checkUserId, createUsersService, userNotFound } from './service.js';

export interface AccountActions {
  /** Mails the user a single-use reset link; older reset links stop working. */
  sendPasswordReset(ctx: RequestContext, id: string): Promise<void>;
  /**
   * Sets a temporary password, the given one or a generated one, which the user must replace at the next login;
   * the user's sessions end and its links stop working. Returns the generated password, undefined for a given one.
   */
  setTemporaryPassword(ctx: RequestContext, id: string, password: string | undefined): Promise<string | undefined>;
  /** Mails the welcome again with a new set-password link (the old link stops working); returns the link. */
  sendWelcome(ctx: RequestContext, id: string): Promise<string>;
  /**
   * Removes the user's second factor and recovery codes, so that a user who lost its authenticator can set it up
   * again (at the next sign-in, when the tenant requires it). Nothing to remove changes nothing.
   */
  resetMfa(ctx: RequestContext, id: string): Promise<void>;
  /** Deactivates the user (active false, lockReason `deactivated`): no lock, and an Unlock does not undo it. */
  deactivate(ctx: RequestContext, id: string): Promise<void>;
  /** Makes the user active again, whatever made it inactive. */
  reactivate(ctx: RequestContext, id: string): Promise<void>;
}

// Letters and digits that cannot be mistaken for one another when read out or copied from a screen.
const READABLE = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
const GENERATED_LENGTH = 20;

const random: RandomReader = { read: (bytes) => void bytes.set(randomBytes(bytes.length)) };

export function createAccountActions(deps: Deps): AccountActions {
  const { store, auth, accountMail, passwords } = deps;
  const users = createUsersService(deps);

  async function lockOrFail(tx: Queryable, tenantId: string, id: string): Promise<UserRow> {
    const row = await lockUser(tx, tenantId, id);
    if (!row) throw userNotFound(id);
    return row;
  }

  function recipientOf(row: UserRow, purpose: string): MailRecipient {
    const email = mailAddressOf(row.attributes);
    if (!email) throw ScimError.conflict(`User ${row.id} has no e-mail address to send the ${purpose} to; add one first.`);
    return { ...row, email };
  }

  /** Runs a mailing action in one transaction and has the mail go out once it commits. */
  async function mailing<T>(ctx: RequestContext, id: string, fn: (tx: Queryable, row: UserRow) => Promise<T>): Promise<T> {
    checkUserId(id);
    const result = await store.transaction(async (tx) => {
      const row = await lockOrFail(tx, ctx.tenantId, id);
      await checkMayActOnUsers(tx, ctx, [id]);
      return fn(tx, row);
    });
    accountMail.notify();
    return result;
  }

  const checkPolicy = (password: string, row: UserRow, quick = false) =>
    checkScimPassword(auth, password, { userName: row.user_name, emails: emailValuesOf(row.attributes) }, quick);

  /** A password the policy accepts for this user: 20 readable characters, about 115 bits. */
  function generatePassword(row: UserRow): string {
    for (;;) {
      const password = generateRandomString(random, READABLE, Math.max(GENERATED_LENGTH, auth.passwordPolicy.minLength));
      try {
        auth.checkPassword(password, { userName: row.user_name, emails: emailValuesOf(row.attributes) });
        return password;
      } catch {
        // It happened to contain the user's name: draw again.
      }
    }
  }

  return {
    deactivate: (ctx, id) => users.changeActivity(ctx, id, 'deactivate'),
    reactivate: (ctx, id) => users.changeActivity(ctx, id, 'reactivate'),

    sendPasswordReset(ctx, id) {
      checkNotOwnSignIn(ctx, id, 'passwordReset');
      return mailing(ctx, id, (tx, row) => accountMail.sendPasswordReset(tx, historyScope(ctx, deps), recipientOf(row, 'password reset link')));
    },

    sendWelcome(ctx, id) {
      return mailing(ctx, id, (tx, row) => accountMail.sendWelcome(tx, historyScope(ctx, deps), recipientOf(row, 'welcome mail')));
    },

    async resetMfa(ctx, id) {
      checkNotOwnSignIn(ctx, id, 'mfaReset');
      const removed = await mailing(ctx, id, async (tx, row) => {
        if (!(await deleteMfa(tx, ctx.tenantId, id))) return false;
        const scope = historyScope(ctx, deps);
        await recordHistory(tx, historyForUserEvent(scope, row, 'mfaRemoved', { attribute: 'mfaEnabled', oldValue: 'true', newValue: 'false' }));
        const email = mailAddressOf(row.attributes);
        if (email) await accountMail.sendMfaNotice(tx, scope, { ...row, email }, 'reset');
        return true;
      });
      if (removed) deps.securityLog.record('mfa.reset', { ...ctx.meta, requestId: ctx.requestId }, { tenant: ctx.tenantId, userId: id, ...actorFields(ctx.actor) });
    },

    async setTemporaryPassword(ctx, id, given) {
      checkUserId(id);
      checkNotOwnSignIn(ctx, id, 'temporaryPassword');
      // Checked and hashed before the transaction: Argon2id takes tens of milliseconds, and no lock need wait for it.
      const before = await selectUser(store, ctx.tenantId, id);
      if (!before) throw userNotFound(id);
      // Refused before the policy is checked or anything hashed; checked again in the transaction, which decides.
      await checkMayActOnUsers(store, ctx, [id]);
      const password = given ?? generatePassword(before);
      checkPolicy(password, before);
      const hash = await passwords.hash(password);
      // Not compared with the user's current password: the answer would tell an administrator whether a guess of it
      // is right. The user must replace the temporary one at the next sign-in, and may not keep it then.
      const mailed = await store.transaction(async (tx) => {
        const row = await lockOrFail(tx, ctx.tenantId, id);
        await checkMayActOnUsers(tx, ctx, [id]);
        // The user may have been renamed meanwhile: the rules are about its name now.
        if (row.user_name !== before.user_name || row.version !== before.version) checkPolicy(password, row, true);
        const scope = historyScope(ctx, deps);
        await auth.setTemporaryPassword(tx, ctx.tenantId, id, hash, scope.at);
        await recordHistory(tx, historyForUserEvent(scope, row, 'temporaryPasswordSet'));
        // A notice naming the password, never a value; no full form, as nothing a client reads changed.
        await recordEvents(tx, eventScope(scope, ctx.txn, deps.eventHints), changeEvents({ method: 'patch', resource: userRef(row), attributes: ['password'] }));
        const email = mailAddressOf(row.attributes);
        return email ? accountMail.sendPasswordNotice(tx, scope, { ...row, email }, 'temporary') : false;
      });
      if (mailed) accountMail.notify();
      deps.securityLog.record('password.temporarySet', { ...ctx.meta, requestId: ctx.requestId }, { tenant: ctx.tenantId, userId: id, ...actorFields(ctx.actor) });
      return given === undefined ? password : undefined;
    },
  };
}
