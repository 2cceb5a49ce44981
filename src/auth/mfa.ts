// The second factor (ASVS V2.8, RFC 6238): a user sets up an authenticator app, confirms it with a code and gets
// recovery codes; sign-in then asks for a code; the user can replace the app, renew the codes or turn it off.
import { historyForUserEvent, recordHistory, type HistoryScope } from '../resources/history/recorder.js';
import type { Queryable, Store } from '../store/index.js';
import { serverSecret } from '../store/secrets.js';
import { mailAddressOf, type AccountMailer } from './account-mail.js';
import {
  confirmPendingSecret,
  countUnusedRecoveryCodes,
  deleteMfa,
  lockMfa,
  markStepUsed,
  recordWrongCode,
  replaceRecoveryCodes,
  savePendingSecret,
  selectMfa,
  selectTenantRequiresMfa,
  selectUnusedRecoveryCodes,
  useRecoveryCode,
  type MfaRow,
} from './mfa-queries.js';
import {
  endOtherSessionsOfUser,
  lockAccount,
  lockAuthToken,
  selectAccount,
  selectAuthToken,
  selectTenantName,
  voidAuthTokens,
  type AccountRow,
} from './queries.js';
import { findRecoveryCode, generateRecoveryCode, hashRecoveryCode, RECOVERY_CODE_COUNT } from './recovery-codes.js';
import { createSecretBox, type SecretBox } from './secret-box.js';
import { silentSecurityLog, type RequestMeta, type SecurityLog } from './security-log.js';
import { AuthError, isLive, isLocked, MFA_ENROL_TOKEN_SECONDS, MFA_REQUIRED_WITH, type AuthService, type SessionGrant, type SessionPrincipal } from './service.js';
import { routeToken } from './tokens.js';
import { generateTotpSecret, matchTotpStep, TOTP_DIGITS, TOTP_PERIOD_SECONDS, totpSecretText, totpUri } from './totp.js';

/** Wrong codes one sign-in token takes before it stops working and the user must sign in again. */
export const CODES_PER_TOKEN = 5;

/** What setting up an authenticator app needs: the key to type, or the otpauth:// URI a QR code carries. */
export interface Enrolment {
  readonly secret: string;
  readonly uri: string;
  readonly digits: number;
  readonly period: number;
  /** The key must be confirmed with a code before this. */
  readonly expiresAt: string;
}

/** Who asks: a signed-in user, or a sign-in that the tenant's requirement stopped at "set up a second factor". */
export type Enroller = { readonly session: SessionPrincipal } | { readonly mfaToken: string };

/** A proof of the second factor: a code of the app, or a recovery code. */
export interface Proof {
  readonly code?: string;
  readonly recoveryCode?: string;
}

export interface MfaStatus {
  readonly enabled: boolean;
  /** The tenant requires a second factor of this user (it holds users:write): it cannot be turned off. */
  readonly required: boolean;
  readonly recoveryCodesLeft: number;
}

export interface MfaService {
  /** The second step of a sign-in: a code, or a recovery code, with the token login answered. */
  verify(input: { mfaToken: string } & Proof, meta?: RequestMeta): Promise<SessionGrant>;
  /** A new key waiting for its first code; a factor already on keeps working until the new one is confirmed. */
  enrol(who: Enroller, currentPassword: string | undefined, meta?: RequestMeta): Promise<Enrolment>;
  /** Confirms the waiting key with a code: it becomes the factor, with ten new recovery codes (shown this once). */
  confirm(who: Enroller, code: string, meta?: RequestMeta): Promise<{ recoveryCodes: string[]; session?: SessionGrant }>;
  renewRecoveryCodes(session: SessionPrincipal, currentPassword: string, proof: Proof, meta?: RequestMeta): Promise<string[]>;
  disable(session: SessionPrincipal, currentPassword: string, proof: Proof, meta?: RequestMeta): Promise<void>;
  status(session: SessionPrincipal): Promise<MfaStatus>;
}

export interface MfaDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly auth: AuthService;
  /** A function, as the mailer is built after the auth service. */
  readonly mailer: () => Pick<AccountMailer, 'sendMfaNotice' | 'notify'>;
  readonly securityLog?: SecurityLog;
}

const INVALID_MFA_TOKEN = () => new AuthError(401, 'invalid_token', 'This sign-in has expired; sign in again.');
const INVALID_CODE = () => new AuthError(401, 'invalid_code', 'That code is not right; codes change every 30 seconds.');
const INVALID_RECOVERY_CODE = () => new AuthError(401, 'invalid_code', 'That recovery code is not right, or it has been used already.');
const wrongProof = (proof: Proof) => (proof.code !== undefined ? INVALID_CODE() : INVALID_RECOVERY_CODE());
const NO_PROOF = () => new AuthError(400, 'invalid_request', 'Send the code from your authenticator app (code) or one of your recovery codes (recoveryCode).');

/** What a sealed secret is bound to: it opens for this user of this tenant only. */
const sealContext = (tenantId: string, userId: string) => `usher.totp.${tenantId}.${userId}`;

export function createMfaService(deps: MfaDeps): MfaService {
  const { store, clock, newId, auth } = deps;
  const securityLog = deps.securityLog ?? silentSecurityLog;
  // The sealing key lives with the other server secrets; asked for once, again if that first read failed.
  let box: Promise<SecretBox> | undefined;
  const secretBox = (): Promise<SecretBox> =>
    (box ??= serverSecret(store, 'mfa-secret-key').then(createSecretBox, (error: unknown) => {
      box = undefined;
      throw error;
    }));

  const scopeOf = (account: AccountRow, now: Date, meta: RequestMeta): HistoryScope => ({
    tenantId: account.tenant_id,
    actor: { type: 'user', value: account.id, display: account.display_name ?? account.user_name },
    requestId: meta.requestId ?? null,
    at: now,
    newId,
  });

  async function openSecret(sealed: string | null, account: { tenant_id: string; id: string }): Promise<Uint8Array | undefined> {
    if (sealed === null) return undefined;
    const secret = (await secretBox()).open(sealed, sealContext(account.tenant_id, account.id));
    // A secret that does not open was moved or tampered with, or the key was replaced: it proves nothing.
    return secret;
  }

  /** Checks a proof on the locked rows; a code's step or a recovery code is used up when it matches. */
  async function checkProof(tx: Queryable, account: AccountRow, mfa: MfaRow, proof: Proof, now: Date): Promise<'code' | 'recoveryCode' | undefined> {
    if (proof.code !== undefined) {
      const secret = await openSecret(mfa.secret, account);
      const step = secret && matchTotpStep(secret, proof.code, now, Number(mfa.last_step));
      if (step === undefined || !secret) return undefined;
      await markStepUsed(tx, account.tenant_id, account.id, step);
      return 'code';
    }
    if (proof.recoveryCode !== undefined) {
      const found = findRecoveryCode(await selectUnusedRecoveryCodes(tx, account.tenant_id, account.id), proof.recoveryCode);
      if (!found || !(await useRecoveryCode(tx, account.tenant_id, account.id, found.id, now))) return undefined;
      return 'recoveryCode';
    }
    throw NO_PROOF();
  }

  /** Ten new recovery codes in place of the old ones: the codes to show, and only their hashes kept. */
  async function newRecoveryCodes(tx: Queryable, account: AccountRow, now: Date): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, generateRecoveryCode);
    await replaceRecoveryCodes(tx, account.tenant_id, account.id, codes.map((code) => ({ id: newId(), ...hashRecoveryCode(code) })), now);
    return codes;
  }

  async function notice(tx: Queryable, account: AccountRow, scope: HistoryScope, kind: 'added' | 'replaced' | 'removed'): Promise<boolean> {
    const email = mailAddressOf(account.attributes);
    return email ? deps.mailer().sendMfaNotice(tx, scope, { ...account, email }, kind) : false;
  }

  async function requiredOf(tenantId: string, permissions: ReadonlySet<string>): Promise<boolean> {
    return permissions.has(MFA_REQUIRED_WITH) && (await selectTenantRequiresMfa(store, tenantId));
  }

  /** The account a request to set up a factor is about: the session's, or the sign-in token's (left unused). */
  async function enrollingAccount(who: Enroller, currentPassword: string | undefined, meta: RequestMeta, now: Date): Promise<AccountRow> {
    if ('session' in who) {
      if (currentPassword === undefined) throw new AuthError(400, 'invalid_request', 'Send your current password (currentPassword) to set up two-step verification.');
      return auth.verifyCurrentPassword(who.session, currentPassword, meta, 'mfa.passwordCheckFailed');
    }
    const token = await selectAuthToken(store, routeToken(who.mfaToken));
    if (!isLive(token, ['mfa_enrol'], now)) {
      securityLog.record('mfa.failed', meta, { tenant: token?.tenant_id ?? null, userId: token?.user_id ?? null, reason: 'invalidToken' });
      throw INVALID_MFA_TOKEN();
    }
    const account = await selectAccount(store, token.tenant_id, token.user_id);
    if (!account || isLocked(account, now)) throw INVALID_MFA_TOKEN();
    return account;
  }

  /**
   * A wrong code or recovery code given with a session counts as a wrong current password does: a session that
   * keeps guessing ends.
   */
  async function wrongProofWithSession(session: SessionPrincipal, proof: Proof, meta: RequestMeta, now: Date): Promise<never> {
    const attempts = await store.transaction((tx) => auth.guard.countSessionFailure(tx, session, now));
    const who = { tenant: session.tenantId, userId: session.userId };
    securityLog.record('mfa.failed', meta, { ...who, reason: 'wrongCode' });
    auth.guard.throwIfSessionEnded(attempts, meta, who, 'wrongCode');
    throw wrongProof(proof);
  }

  /** Checks the current password and a proof of the factor on, for a change to it made with a session. */
  async function proveFactor<T>(
    session: SessionPrincipal,
    currentPassword: string,
    proof: Proof,
    meta: RequestMeta,
    change: (tx: Queryable, account: AccountRow, now: Date) => Promise<T>,
  ): Promise<T> {
    if (proof.code === undefined && proof.recoveryCode === undefined) throw NO_PROOF();
    await auth.verifyCurrentPassword(session, currentPassword, meta, 'mfa.passwordCheckFailed');
    const now = clock();
    type Outcome = { value: T } | { wrong: true };
    const outcome = await store.transaction(async (tx): Promise<Outcome> => {
      const account = await lockAccount(tx, session.tenantId, session.userId);
      const mfa = await lockMfa(tx, session.tenantId, session.userId);
      if (!account || !mfa?.secret) {
        throw new AuthError(409, 'mfa_not_enabled', 'Two-step verification is not on for this account.');
      }
      if (!(await checkProof(tx, account, mfa, proof, now))) return { wrong: true };
      return { value: await change(tx, account, now) };
    });
    if ('wrong' in outcome) return wrongProofWithSession(session, proof, meta, now);
    return outcome.value;
  }

  return {
    async verify({ mfaToken, code, recoveryCode }, meta = {}) {
      if (code === undefined && recoveryCode === undefined) throw NO_PROOF();
      const now = clock();
      const route = routeToken(mfaToken);
      const seen = await selectAuthToken(store, route);
      if (!isLive(seen, ['mfa'], now)) {
        securityLog.record('mfa.failed', meta, { tenant: seen?.tenant_id ?? null, userId: seen?.user_id ?? null, reason: 'invalidToken' });
        throw INVALID_MFA_TOKEN();
      }
      const who = { tenant: seen.tenant_id, userId: seen.user_id };
      const key = auth.guard.key({ tenant_id: seen.tenant_id, id: seen.user_id }, meta);
      // Codes are guessed as passwords are: the same throttle per account and address, the same lockout.
      await auth.guard.checkThrottle(key, meta, who);
      type Outcome = { step: Awaited<ReturnType<AuthService['continueSignIn']>>; how: string } | { failed: string; locked?: boolean; spent?: boolean };
      const outcome = await store.transaction(async (tx): Promise<Outcome> => {
        const token = await lockAuthToken(tx, seen.tenant_id, route.digest);
        if (!isLive(token, ['mfa'], now)) return { failed: 'invalidToken', spent: true };
        const account = await lockAccount(tx, token.tenant_id, token.user_id);
        if (!account || isLocked(account, now)) return { failed: 'accountLocked', spent: true };
        const mfa = await lockMfa(tx, token.tenant_id, token.user_id);
        // The factor was reset since the password was checked: that sign-in must start again.
        if (!mfa?.secret || !account.mfa_enabled) return { failed: 'mfaReset', spent: true };
        const how = await checkProof(tx, account, mfa, { code, recoveryCode }, now);
        if (!how) {
          const attempts = await recordWrongCode(tx, token.tenant_id, token.id);
          if (attempts >= CODES_PER_TOKEN) await voidAuthTokens(tx, token.tenant_id, token.user_id, ['mfa'], now);
          const locked = await auth.guard.countAccountFailure(tx, account, now, meta);
          return { failed: code !== undefined ? 'wrongCode' : 'wrongRecoveryCode', locked, spent: attempts >= CODES_PER_TOKEN };
        }
        await voidAuthTokens(tx, token.tenant_id, token.user_id, ['mfa'], now);
        await auth.guard.succeeded(tx, account, key, now);
        return { step: await auth.continueSignIn(tx, account, 'mfa', now), how };
      });
      if ('failed' in outcome) {
        await auth.guard.countFailure(key, now);
        securityLog.record('mfa.failed', meta, { ...who, reason: outcome.failed });
        if (outcome.locked) auth.guard.logLockout(meta, who);
        if (outcome.spent) throw INVALID_MFA_TOKEN();
        throw wrongProof({ code, recoveryCode });
      }
      securityLog.record(outcome.how === 'recoveryCode' ? 'mfa.recoveryCodeUsed' : 'mfa.verified', meta, who);
      const grant = auth.signInAnswer(outcome.step, meta, who);
      securityLog.record('login.succeeded', meta, who);
      return grant;
    },

    async enrol(who, currentPassword, meta = {}) {
      const now = clock();
      const account = await enrollingAccount(who, currentPassword, meta, now);
      const secret = generateTotpSecret();
      const sealed = (await secretBox()).seal(secret, sealContext(account.tenant_id, account.id));
      const expiresAt = new Date(now.getTime() + MFA_ENROL_TOKEN_SECONDS * 1000);
      await savePendingSecret(store, account.tenant_id, account.id, sealed, expiresAt);
      const issuer = (await selectTenantName(store, account.tenant_id)) ?? 'Usher';
      securityLog.record('mfa.enrolmentStarted', meta, { tenant: account.tenant_id, userId: account.id });
      return {
        secret: totpSecretText(secret),
        uri: totpUri(issuer, account.user_name, secret),
        digits: TOTP_DIGITS,
        period: TOTP_PERIOD_SECONDS,
        expiresAt: expiresAt.toISOString(),
      };
    },

    async confirm(who, code, meta = {}) {
      const now = clock();
      const route = 'mfaToken' in who ? routeToken(who.mfaToken) : undefined;
      // The token's tenant, to lock its row on: named by the token, or (a token that names none) found by its digest.
      const tokenTenant = route && (route.tenantId ?? (await selectAuthToken(store, route))?.tenant_id);
      if (route && tokenTenant === undefined) throw INVALID_MFA_TOKEN();
      type Outcome =
        | { recoveryCodes: string[]; account: AccountRow; replaced: boolean; mailed: boolean; step?: Awaited<ReturnType<AuthService['continueSignIn']>> }
        | { wrong: true };
      const outcome = await store.transaction(async (tx): Promise<Outcome> => {
        let account: AccountRow | undefined;
        if (route !== undefined && tokenTenant !== undefined) {
          const token = await lockAuthToken(tx, tokenTenant, route.digest);
          if (!isLive(token, ['mfa_enrol'], now)) throw INVALID_MFA_TOKEN();
          account = await lockAccount(tx, token.tenant_id, token.user_id);
          if (!account || isLocked(account, now)) throw INVALID_MFA_TOKEN();
        } else if ('session' in who) {
          account = await lockAccount(tx, who.session.tenantId, who.session.userId);
        }
        if (!account) throw INVALID_MFA_TOKEN();
        const mfa = await lockMfa(tx, account.tenant_id, account.id);
        if (!mfa?.pending_secret || !mfa.pending_expires_at || mfa.pending_expires_at.getTime() <= now.getTime()) {
          throw new AuthError(409, 'no_pending_enrolment', 'There is no authenticator app waiting to be confirmed, or it waited too long; start the set-up again.');
        }
        const pending = await openSecret(mfa.pending_secret, account);
        // The new key has had no code accepted: any step near now will do.
        const step = pending && matchTotpStep(pending, code, now, 0);
        if (step === undefined || !pending) return { wrong: true };
        const replaced = mfa.secret !== null;
        await confirmPendingSecret(tx, account.tenant_id, account.id, step, now);
        const recoveryCodes = await newRecoveryCodes(tx, account, now);
        const scope = scopeOf(account, now, meta);
        await recordHistory(
          tx,
          historyForUserEvent(scope, account, replaced ? 'mfaReplaced' : 'mfaAdded', { attribute: 'mfaEnabled', oldValue: String(replaced), newValue: 'true' }),
        );
        // Sessions opened without this factor end; the one that set it up goes on.
        const keep = 'session' in who ? who.session.sessionId : null;
        await endOtherSessionsOfUser(tx, account.tenant_id, account.id, keep, now);
        const mailed = await notice(tx, account, scope, replaced ? 'replaced' : 'added');
        if (route === undefined) return { recoveryCodes, account, replaced, mailed };
        await voidAuthTokens(tx, account.tenant_id, account.id, ['mfa_enrol'], now);
        const step2 = await auth.continueSignIn(tx, { ...account, mfa_enabled: true }, 'mfa_enrol', now);
        return { recoveryCodes, account, replaced, mailed, step: step2 };
      });
      if ('wrong' in outcome) {
        const ids = 'session' in who ? { tenant: who.session.tenantId, userId: who.session.userId } : {};
        securityLog.record('mfa.failed', meta, { ...ids, reason: 'wrongConfirmationCode' });
        throw INVALID_CODE();
      }
      if (outcome.mailed) deps.mailer().notify();
      const whoIds = { tenant: outcome.account.tenant_id, userId: outcome.account.id };
      securityLog.record(outcome.replaced ? 'mfa.replaced' : 'mfa.enabled', meta, whoIds);
      if (!outcome.step) return { recoveryCodes: outcome.recoveryCodes };
      const session = auth.signInAnswer(outcome.step, meta, whoIds);
      securityLog.record('login.succeeded', meta, whoIds);
      return { recoveryCodes: outcome.recoveryCodes, session };
    },

    async renewRecoveryCodes(session, currentPassword, proof, meta = {}) {
      const codes = await proveFactor(session, currentPassword, proof, meta, (tx, account, now) => newRecoveryCodes(tx, account, now));
      securityLog.record('mfa.recoveryCodesRenewed', meta, { tenant: session.tenantId, userId: session.userId });
      return codes;
    },

    async disable(session, currentPassword, proof, meta = {}) {
      if (await requiredOf(session.tenantId, session.permissions)) {
        throw new AuthError(
          403,
          'mfa_mandatory',
          'Your organisation requires two-step verification for accounts that manage users: it cannot be turned off. You can replace your authenticator app instead.',
        );
      }
      const mailed = await proveFactor(session, currentPassword, proof, meta, async (tx, account, now) => {
        await deleteMfa(tx, account.tenant_id, account.id);
        const scope = scopeOf(account, now, meta);
        await recordHistory(tx, historyForUserEvent(scope, account, 'mfaRemoved', { attribute: 'mfaEnabled', oldValue: 'true', newValue: 'false' }));
        return notice(tx, account, scope, 'removed');
      });
      if (mailed) deps.mailer().notify();
      securityLog.record('mfa.disabled', meta, { tenant: session.tenantId, userId: session.userId, by: 'user' });
    },

    async status(session) {
      const mfa = await selectMfa(store, session.tenantId, session.userId);
      const enabled = mfa?.secret != null;
      return {
        enabled,
        required: await requiredOf(session.tenantId, session.permissions),
        recoveryCodesLeft: enabled ? await countUnusedRecoveryCodes(store, session.tenantId, session.userId) : 0,
      };
    },
  };
}
