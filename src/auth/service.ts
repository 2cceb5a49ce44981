// Portal sign-in: login with throttling and lockout (ASVS 2.2.1), sessions, forced and voluntary password changes,
// and reset/welcome links; every decision goes to the security log.
import type { Queryable, Store } from '../store/index.js';
import { emailValuesOf } from './account-mail.js';
import { DEFAULT_PASSWORD_POLICY, passwordProblem, quickPasswordProblem, type PasswordOwner, type PasswordPolicy } from './password-policy.js';
import type { PasswordHasher } from './passwords.js';
import {
  clearThrottle,
  endSession,
  endSessionsOfUser,
  forgetOldThrottles,
  insertAuthToken,
  insertSession,
  lockAccount,
  lockAuthToken,
  recordFailedLogin,
  recordSuccessfulLogin,
  recordThrottledFailure,
  recordWrongCurrentPassword,
  selectAccount,
  selectAuthToken,
  selectTenantNaming,
  selectSignInTarget,
  selectThrottle,
  selectLiveSession,
  selectPermissions,
  setPassword,
  touchSession,
  voidAuthTokens,
  ALL_TOKEN_PURPOSES,
  NO_TENANT,
  type AccountRow,
  type AuthTokenPurpose,
  type AuthTokenRow,
  type ThrottleKey,
} from './queries.js';
import { silentSecurityLog, type RequestMeta, type SecurityLog } from './security-log.js';
import { digestsEqual, generateToken, hashToken, routeToken } from './tokens.js';

export const SESSION_TOKEN_PREFIX = 'usess';
/** The permission whose holders a tenant may require a second factor of (they manage other users). */
export const MFA_REQUIRED_WITH = 'users:write';
const LINK_TOKEN_PREFIX = 'ulink';

export interface AuthSettings {
  readonly sessionIdleSeconds: number;
  readonly sessionAbsoluteSeconds: number;
  /** Failed sign-ins into one account, from any addresses, within lockoutWindowSeconds that lock it for everyone. */
  readonly lockoutThreshold: number;
  /** 0: a lockout lasts until an administrator unlocks the account. */
  readonly lockoutSeconds: number;
  /** A count of failed sign-ins whose first is older than this starts again. */
  readonly lockoutWindowSeconds: number;
  /** Failed sign-ins from one address into one account before that address is held back (LOGIN_THROTTLE_THRESHOLD). */
  readonly throttleThreshold: number;
  /** The first hold-back; each further failure doubles it (LOGIN_THROTTLE_SECONDS)... */
  readonly throttleSeconds: number;
  /** ...up to this (LOGIN_THROTTLE_MAX_MINUTES). */
  readonly throttleMaxSeconds: number;
  /** Wrong current passwords on /auth/password that end the session (CURRENT_PASSWORD_ATTEMPTS). */
  readonly currentPasswordAttempts: number;
  readonly resetLinkSeconds: number;
  readonly welcomeLinkSeconds: number;
  readonly changeTokenSeconds: number;
  /** How long a temporary password signs in (TEMP_PASSWORD_HOURS); after that it answers as a wrong password. */
  readonly temporaryPasswordSeconds: number;
  readonly passwordPolicy: PasswordPolicy;
  /** Password hashes and verifications that may wait for a free slot (HASH_QUEUE_MAX); past that, 503 at once. */
  readonly hashQueueMax: number;
  /** Account mails (welcome, reset, e-mail changed) one user may be sent in an hour (ACCOUNT_MAIL_LIMIT). */
  readonly accountMailLimit: number;
}

export const DEFAULT_AUTH_SETTINGS: AuthSettings = {
  sessionIdleSeconds: 30 * 60,
  sessionAbsoluteSeconds: 12 * 60 * 60,
  lockoutThreshold: 50,
  lockoutSeconds: 15 * 60,
  lockoutWindowSeconds: 60 * 60,
  throttleThreshold: 5,
  throttleSeconds: 60,
  throttleMaxSeconds: 15 * 60,
  currentPasswordAttempts: 3,
  resetLinkSeconds: 60 * 60,
  welcomeLinkSeconds: 7 * 24 * 60 * 60,
  changeTokenSeconds: 10 * 60,
  temporaryPasswordSeconds: 72 * 60 * 60,
  passwordPolicy: DEFAULT_PASSWORD_POLICY,
  hashQueueMax: 32,
  accountMailLimit: 5,
};

/** Why a sign-in request failed, as the /auth API reports it. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
  constructor(
    readonly status: 400 | 401 | 403 | 409 | 429 | 503,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** How long the token of the second step of a sign-in lasts: a code is typed within a few minutes... */
export const MFA_TOKEN_SECONDS = 5 * 60;
/** ...setting up an authenticator app takes longer. */
export const MFA_ENROL_TOKEN_SECONDS = 15 * 60;

/**
 * What follows a step of a sign-in, in this order: a code when the user has a second factor, a new password when the
 * password is temporary, setting up a second factor when the tenant requires one the user lacks, and then a session.
 */
export type SignInStep =
  | { readonly grant: SessionGrant }
  | { readonly next: 'mfa' | 'mfa_enrol' | 'change'; readonly token: string; readonly expiresAt: Date };

/** What a wrong current password is logged as: a failed password change, or a failed check before a second-factor change. */
export type CurrentPasswordFailure = 'password.changeFailed' | 'mfa.passwordCheckFailed';

/** The step a sign-in has just completed: each later step is one of those that follow it. */
export type CompletedStep = 'password' | 'mfa' | 'change' | 'mfa_enrol';

export interface SessionGrant {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: { readonly id: string; readonly userName: string; readonly displayName: string };
}

export interface SessionPrincipal {
  readonly sessionId: string;
  readonly tenantId: string;
  readonly userId: string;
  readonly userName: string;
  readonly label: string;
  readonly permissions: ReadonlySet<string>;
  /** The absolute end of the session; idle time may end it sooner. */
  readonly expiresAt: Date;
}

/** What a sign-in event means for the account's history; the caller records it in the same transaction. */
export interface AccountEvents {
  lockedOut(tx: Queryable, account: AccountRow, now: Date, requestId: string | null): Promise<void>;
  /** Records the change and queues the notice to the user; returns whether mail was queued. */
  passwordChanged(tx: Queryable, account: AccountRow, how: 'change' | 'reset' | 'welcome', now: Date, requestId: string | null): Promise<boolean>;
  /** Once the transaction that queued mail has committed: the worker sends it at once. */
  mailQueued(): void;
}

export interface AuthService {
  readonly passwordPolicy: PasswordPolicy;
  /**
   * `meta.requestId` goes into the history of what the request does to the account (a lockout, a new password);
   * `meta.addressKey` is what the throttle counts the client by; all of it goes into the security log.
   */
  login(input: { tenant: string; userName: string; password: string }, meta?: RequestMeta): Promise<SessionGrant>;
  /** With a change token (forced change) or, for a signed-in user, the current password. */
  changePassword(
    input: { changeToken?: string; session?: SessionPrincipal; currentPassword?: string; newPassword: string },
    meta?: RequestMeta,
  ): Promise<SessionGrant>;
  completeLink(input: { token: string; newPassword: string }, meta?: RequestMeta): Promise<void>;
  /**
   * Whether a reset or welcome link still works, without using it: its purpose and the organization (tenant slug) it
   * belongs to, so the page can show the form, or say at once that the link is spent and how to get a new one.
   */
  checkLink(token: string, meta?: RequestMeta): Promise<{ purpose: 'reset' | 'welcome'; organization: string }>;
  logout(session: SessionPrincipal, meta?: RequestMeta): Promise<void>;
  authenticate(token: string): Promise<SessionPrincipal | undefined>;
  /**
   * Issues a single-use link token for a user, voiding older ones of the same purpose (`first`: the user was
   * created in this transaction and has none).
   */
  issueLinkToken(
    tx: Queryable,
    tenantId: string,
    userId: string,
    purpose: 'reset' | 'welcome',
    now: Date,
    options?: { readonly first?: boolean },
  ): Promise<{ token: string; expiresAt: Date }>;
  /**
   * Within a sign-in, once `done` has succeeded on the locked account: issues the token of the next step, or starts
   * the session. The caller turns the result into its answer with signInAnswer, after the transaction.
   */
  continueSignIn(tx: Queryable, account: AccountRow, done: CompletedStep, now: Date): Promise<SignInStep>;
  /** The session grant, or the 403 that asks for the next step (logged as login.<step>Required). */
  signInAnswer(step: SignInStep, meta: RequestMeta, who: { tenant: string; userId: string }): SessionGrant;
  /**
   * Checks a signed-in user's current password before a sensitive change. A wrong one counts as a failed sign-in,
   * and a session that gives several ends (401 session_ended); otherwise 401 invalid_credentials.
   */
  verifyCurrentPassword(session: SessionPrincipal, currentPassword: string, meta: RequestMeta, failure: CurrentPasswordFailure): Promise<AccountRow>;
  /** The throttle and lockout of login, for the step after the password (a code). */
  readonly guard: SignInGuard;
  /** Throws AuthError weak_password with the first rule of the policy the password breaks. */
  checkPassword(password: string, user: PasswordOwner): void;
  /** The rules of checkPassword that are cheap (length, names): again inside a transaction, after checkPassword. */
  checkPasswordQuick(password: string, user: PasswordOwner): void;
  /**
   * Sets an administrator's temporary password (already checked and hashed): the user must choose another at the
   * next login. Ends the user's sessions and voids its links.
   */
  setTemporaryPassword(tx: Queryable, tenantId: string, userId: string, passwordHash: string, now: Date): Promise<void>;
}

/** Login's throttling and lockout (ASVS 2.2.1), for a later step of a sign-in that checks a secret too. */
export interface SignInGuard {
  /** What the throttle counts this account's failures from this address under: the key login uses. */
  key(account: Pick<AccountRow, 'tenant_id' | 'id'>, meta: RequestMeta): ThrottleKey;
  /** Throws 429 too_many_attempts while the key is held back. */
  checkThrottle(key: ThrottleKey, meta: RequestMeta, who: SecurityWho): Promise<void>;
  /** Counts a failure against the address (outside any transaction: a rolled-back failure must still count). */
  countFailure(key: ThrottleKey, now: Date): Promise<void>;
  /** Counts a failure against the account (on its locked row); returns whether this failure locked it. */
  countAccountFailure(tx: Queryable, account: AccountRow, now: Date, meta: RequestMeta): Promise<boolean>;
  /** The sign-in succeeded: the account's count and the address's throttle start again, lastLogin is now. */
  succeeded(tx: Queryable, account: AccountRow, key: ThrottleKey, now: Date): Promise<void>;
  /** Writes a lockout that countAccountFailure reported to the security log, once its transaction has committed. */
  logLockout(meta: RequestMeta, who: SecurityWho): void;
  /**
   * Counts a wrong current password or code given with a session; at currentPasswordAttempts the session ends (a
   * stolen session must not keep guessing). Returns the session's count.
   */
  countSessionFailure(tx: Queryable, session: SessionPrincipal, now: Date): Promise<number>;
  /** Once countSessionFailure's transaction has committed: when that count ended the session, logs it and throws 401 session_ended. */
  throwIfSessionEnded(attempts: number, meta: RequestMeta, who: SecurityWho, reason: 'wrongCurrentPassword' | 'wrongCode'): void;
}

/** Whom a security event is about: ids, null where unknown (a name that is no account). */
type SecurityWho = { readonly tenant: string | null; readonly userId: string | null };

export interface AuthDeps {
  readonly store: Store;
  readonly clock: () => Date;
  readonly newId: () => string;
  readonly passwords: PasswordHasher;
  readonly settings: AuthSettings;
  readonly events: AccountEvents;
  readonly securityLog?: SecurityLog;
}

const INVALID_CREDENTIALS = () => new AuthError(401, 'invalid_credentials', 'The user name or password is wrong, or the account is locked.');
/**
 * The right password for an account an administrator (or the identity provider) made inactive: the one who knows the
 * password may learn why it cannot sign in. Nothing else answers so: a wrong password answers as for any account.
 */
const ACCOUNT_DISABLED = (reason: string | null) =>
  new AuthError(
    403,
    reason === 'admin' ? 'account_locked' : 'account_deactivated',
    reason === 'admin'
      ? 'Your account is locked. Contact your administrator to unlock it.'
      : 'Your account is deactivated. Contact your administrator if you need access again.',
  );
const INVALID_LINK = () => new AuthError(400, 'invalid_token', 'This link is not valid any more; ask for a new one.');

const INVALID_CHANGE_TOKEN = () => new AuthError(401, 'invalid_token', 'The change token is not valid any more; sign in again.');
const WRONG_CURRENT_PASSWORD = () => new AuthError(401, 'invalid_credentials', 'The current password is wrong.');
const SESSION_ENDED = (attempts: number, reason: 'wrongCurrentPassword' | 'wrongCode') =>
  new AuthError(
    401,
    'session_ended',
    `${reason === 'wrongCode' ? 'A wrong password or code was given' : 'The current password was wrong'} ${attempts} times: the session has ended. Sign in again.`,
  );

/** The answer to a held-back sign-in, the same whether or not the account exists. */
export function tooManyAttempts(retryAfter: number): AuthError {
  const minutes = Math.ceil(retryAfter / 60);
  return new AuthError(429, 'too_many_attempts', `Too many attempts; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, { retryAfter });
}

/**
 * What a sign-in's throttle counts: the account and the client address, or, for a name that is no account, the
 * tenant and name as typed with the address, so that an unknown name is held back exactly as a known one is. Kept
 * with the tenant's rows (a tenant that does not exist: NO_TENANT).
 */
function throttleKey(
  tenant: string,
  userName: string,
  tenantId: string | undefined,
  account: Pick<AccountRow, 'tenant_id' | 'id'> | undefined,
  addressKey: string | undefined,
): ThrottleKey {
  const who = account ? ['account', account.tenant_id, account.id] : ['name', tenant.toLowerCase(), userName.toLowerCase()];
  return { tenantId: account?.tenant_id ?? tenantId ?? NO_TENANT, hash: hashToken(JSON.stringify([...who, addressKey ?? 'unknown'])) };
}

const SAME_AS_TEMPORARY = () => new AuthError(400, 'weak_password', 'The new password must differ from the temporary password you were given.');
const SAME_AS_CURRENT = () => new AuthError(400, 'weak_password', 'The new password must differ from the current password.');

/** Inactive (an administrator's or the identity provider's word), or within a lockout after failed sign-ins. */
export function isLocked(account: AccountRow, now: Date): boolean {
  return !account.active || (account.locked_until !== null && account.locked_until.getTime() > now.getTime());
}

/** Whether a token row is an unused, unexpired token of one of the purposes. */
export function isLive<P extends AuthTokenPurpose>(
  row: AuthTokenRow | undefined,
  purposes: readonly P[],
  now: Date,
): row is AuthTokenRow & { purpose: P } {
  return row !== undefined && (purposes as readonly string[]).includes(row.purpose) && row.used_at === null && row.expires_at.getTime() > now.getTime();
}

export function createAuthService(deps: AuthDeps): AuthService {
  const { store, clock, newId, passwords, settings, events } = deps;
  const securityLog = deps.securityLog ?? silentSecurityLog;
  const throttle = { threshold: settings.throttleThreshold, seconds: settings.throttleSeconds, maxSeconds: settings.throttleMaxSeconds };
  const lockoutPolicy = (now: Date) => ({
    threshold: settings.lockoutThreshold,
    windowSeconds: settings.lockoutWindowSeconds,
    lockUntil: settings.lockoutSeconds > 0 ? new Date(now.getTime() + settings.lockoutSeconds * 1000) : null,
  });
  // Verifying against this when there is no user makes an unknown user cost the same time as a wrong password, and
  // go through the same bounded queue. Hashed once; again if the queue was full when it was first asked for.
  let decoy: Promise<string> | undefined;
  const decoyHash = (): Promise<string> =>
    (decoy ??= passwords.hash(`decoy-${newId()}`).catch((error: unknown) => {
      decoy = undefined;
      throw error;
    }));
  decoyHash().catch(() => {});

  async function startSession(tx: Queryable, account: AccountRow, now: Date): Promise<SessionGrant> {
    const token = generateToken(SESSION_TOKEN_PREFIX, account.tenant_id);
    const expiresAt = new Date(now.getTime() + settings.sessionAbsoluteSeconds * 1000);
    await insertSession(tx, { tenantId: account.tenant_id, id: newId(), userId: account.id, tokenHash: hashToken(token), now, expiresAt });
    return {
      token,
      expiresAt: expiresAt.toISOString(),
      user: { id: account.id, userName: account.user_name, displayName: account.display_name ?? account.user_name },
    };
  }

  function checkPassword(password: string, user: PasswordOwner): void {
    const problem = passwordProblem(settings.passwordPolicy, password, user);
    if (problem) throw new AuthError(400, 'weak_password', problem);
  }

  function checkPasswordQuick(password: string, user: PasswordOwner): void {
    const problem = quickPasswordProblem(settings.passwordPolicy, password, user);
    if (problem) throw new AuthError(400, 'weak_password', problem);
  }

  /** A temporary password older than TEMP_PASSWORD_HOURS signs in no more. */
  function temporaryExpired(account: AccountRow, now: Date): boolean {
    if (!account.password_change_required) return false;
    const setAt = account.password_set_at?.getTime() ?? 0;
    return now.getTime() - setAt >= settings.temporaryPasswordSeconds * 1000;
  }

  /** Sets the new password, ends every session and voids every link of the user, and starts a fresh session. */
  async function replacePassword(tx: Queryable, account: AccountRow, hash: string, how: 'change' | 'reset' | 'welcome', now: Date, requestId: string | null) {
    await setPassword(tx, account.tenant_id, account.id, hash, false, now);
    await endSessionsOfUser(tx, account.tenant_id, account.id, now);
    await voidAuthTokens(tx, account.tenant_id, account.id, ALL_TOKEN_PURPOSES, now);
    return events.passwordChanged(tx, account, how, now, requestId);
  }

  /** Whether the tenant requires a second factor of this user (it holds users:write) and the user has none yet. */
  async function mustEnrol(tx: Queryable, account: AccountRow): Promise<boolean> {
    if (account.mfa_enabled || !account.tenant_requires_mfa) return false;
    return (await selectPermissions(tx, account.tenant_id, account.id)).includes(MFA_REQUIRED_WITH);
  }

  /** A single-use token for the next step of a sign-in; the user's older ones of that step stop working. */
  async function issueStepToken(tx: Queryable, account: AccountRow, purpose: 'mfa' | 'mfa_enrol' | 'change', now: Date) {
    const token = generateToken(LINK_TOKEN_PREFIX, account.tenant_id);
    const seconds = { mfa: MFA_TOKEN_SECONDS, mfa_enrol: MFA_ENROL_TOKEN_SECONDS, change: settings.changeTokenSeconds }[purpose];
    const expiresAt = new Date(now.getTime() + seconds * 1000);
    await voidAuthTokens(tx, account.tenant_id, account.id, [purpose], now);
    await insertAuthToken(tx, { tenantId: account.tenant_id, id: newId(), userId: account.id, purpose, tokenHash: hashToken(token), now, expiresAt });
    return { next: purpose, token, expiresAt };
  }

  const STEP_ORDER: readonly CompletedStep[] = ['password', 'mfa', 'change', 'mfa_enrol'];

  async function continueSignIn(tx: Queryable, account: AccountRow, done: CompletedStep, now: Date): Promise<SignInStep> {
    const pending = (step: CompletedStep) => STEP_ORDER.indexOf(step) > STEP_ORDER.indexOf(done);
    if (pending('mfa') && account.mfa_enabled) return issueStepToken(tx, account, 'mfa', now);
    if (pending('change') && account.password_change_required) return issueStepToken(tx, account, 'change', now);
    if (pending('mfa_enrol') && (await mustEnrol(tx, account))) return issueStepToken(tx, account, 'mfa_enrol', now);
    return { grant: await startSession(tx, account, now) };
  }

  function signInAnswer(step: SignInStep, meta: RequestMeta, who: { tenant: string; userId: string }): SessionGrant {
    if ('grant' in step) return step.grant;
    switch (step.next) {
      case 'change':
        securityLog.record('login.passwordChangeRequired', meta, who);
        throw new AuthError(403, 'password_change_required', 'The password is temporary: choose a new one.', { changeToken: step.token });
      case 'mfa':
        securityLog.record('login.mfaRequired', meta, who);
        throw new AuthError(403, 'mfa_required', 'Enter the code from your authenticator app, or one of your recovery codes.', {
          mfaToken: step.token,
          expiresAt: step.expiresAt.toISOString(),
        });
      case 'mfa_enrol':
        securityLog.record('login.mfaEnrolmentRequired', meta, who);
        throw new AuthError(
          403,
          'mfa_enrolment_required',
          'Your organisation requires two-step verification for accounts that manage users: set up an authenticator app to continue.',
          { mfaToken: step.token, expiresAt: step.expiresAt.toISOString() },
        );
    }
  }

  async function verifyCurrentPassword(session: SessionPrincipal, currentPassword: string, meta: RequestMeta, failure: CurrentPasswordFailure): Promise<AccountRow> {
    const now = clock();
    const who = { tenant: session.tenantId, userId: session.userId };
    const before = await selectAccount(store, session.tenantId, session.userId);
    if (before?.password_hash && (await passwords.verify(before.password_hash, currentPassword))) return before;
    // A wrong current password is a guess like a wrong sign-in: it counts against the account, and a session that
    // keeps guessing (a stolen one, perhaps) ends.
    const { attempts, locked } = await store.transaction(async (tx) => {
      const account = await lockAccount(tx, session.tenantId, session.userId);
      let locked = false;
      if (account && !isLocked(account, now)) locked = await guard.countAccountFailure(tx, account, now, meta);
      return { attempts: await guard.countSessionFailure(tx, session, now), locked };
    });
    securityLog.record(failure, meta, { ...who, reason: 'wrongCurrentPassword' });
    if (locked) guard.logLockout(meta, who);
    guard.throwIfSessionEnded(attempts, meta, who, 'wrongCurrentPassword');
    throw WRONG_CURRENT_PASSWORD();
  }

  const guard: SignInGuard = {
    key: (account, meta) => throttleKey('', '', account.tenant_id, account, meta.addressKey),
    async checkThrottle(key, meta, who) {
      // Held back before any secret is checked: the answer must not tell a right one from a wrong one.
      const blockedUntil = await selectThrottle(store, key, clock());
      if (!blockedUntil) return;
      const retryAfter = Math.max(1, Math.ceil((blockedUntil.getTime() - clock().getTime()) / 1000));
      securityLog.record('login.throttled', meta, { ...who, retryAfter });
      throw tooManyAttempts(retryAfter);
    },
    async countFailure(key, now) {
      await recordThrottledFailure(store, key, throttle, now);
      await forgetOldThrottles(store, key.tenantId, now);
    },
    async countAccountFailure(tx, account, now, meta) {
      const locked = await recordFailedLogin(tx, account.tenant_id, account.id, lockoutPolicy(now), now);
      if (locked) await events.lockedOut(tx, account, now, meta.requestId ?? null);
      return locked;
    },
    async succeeded(tx, account, key, now) {
      await recordSuccessfulLogin(tx, account.tenant_id, account.id, now);
      await clearThrottle(tx, key);
    },
    logLockout(meta, who) {
      securityLog.record('account.lockedOut', meta, { ...who, failures: settings.lockoutThreshold, lockedForSeconds: settings.lockoutSeconds });
    },
    async countSessionFailure(tx, session, now) {
      const attempts = await recordWrongCurrentPassword(tx, session.tenantId, session.sessionId);
      if (attempts >= settings.currentPasswordAttempts) await endSession(tx, session.tenantId, session.sessionId, now);
      return attempts;
    },
    throwIfSessionEnded(attempts, meta, who, reason) {
      if (attempts < settings.currentPasswordAttempts) return;
      securityLog.record('session.ended', meta, { ...who, reason });
      throw SESSION_ENDED(attempts, reason);
    },
  };

  /** Runs a transaction that may queue mail; once it has committed, has the mail go out. */
  async function mailing<T>(fn: (tx: Queryable) => Promise<{ value: T; mailed: boolean }>): Promise<T> {
    const { value, mailed } = await store.transaction(fn);
    if (mailed) events.mailQueued();
    return value;
  }

  return {
    passwordPolicy: settings.passwordPolicy,
    checkPassword,
    checkPasswordQuick,
    continueSignIn,
    signInAnswer,
    verifyCurrentPassword: (session, currentPassword, meta, failure) => passwords.admit(() => verifyCurrentPassword(session, currentPassword, meta, failure)),
    guard,

    login: ({ tenant, userName, password }, meta = {}) => passwords.admit(async () => {
      const { tenantId, account } = await selectSignInTarget(store, tenant, userName);
      const who = { tenant: tenantId ?? null, userId: account?.id ?? null };
      const key = throttleKey(tenant, userName, tenantId, account, meta.addressKey);
      await guard.checkThrottle(key, meta, who);
      /** Every refusal counts against the address, whatever its reason, so that all refusals look alike. */
      const refuse = async (reason: string, now: Date) => {
        await guard.countFailure(key, now);
        securityLog.record('login.failed', meta, { ...who, reason });
        return INVALID_CREDENTIALS();
      };
      if (!account?.password_hash) {
        await passwords.verify(await decoyHash(), password);
        throw await refuse(!tenantId ? 'unknownTenant' : !account ? 'unknownUser' : 'noPassword', clock());
      }
      const now = clock();
      const valid = await passwords.verify(account.password_hash, password);
      type Outcome = { failed: string; locked?: boolean; disabled?: string | null } | { step: SignInStep };
      const outcome = await store.transaction(async (tx): Promise<Outcome> => {
        const current = await lockAccount(tx, account.tenant_id, account.id);
        if (!current) return { failed: 'unknownUser' };
        // A locked account answers as a wrong password does, and its failures do not extend the lock.
        if (!current.active) {
          // A lockout after failed logins never says so to a right password: that would tell a guesser it guessed right.
          const right =
            valid && current.password_hash === account.password_hash && current.lock_reason !== 'failedLogins' && !isLocked({ ...current, active: true }, now);
          return { failed: 'accountInactive', ...(right ? { disabled: current.lock_reason } : {}) };
        }
        if (isLocked(current, now)) return { failed: 'accountLocked' };
        // An expired temporary password answers as a wrong password does (but is no failed guess: it was right).
        if (valid && current.password_hash === account.password_hash && temporaryExpired(current, now)) return { failed: 'temporaryPasswordExpired' };
        if (!valid || current.password_hash !== account.password_hash) {
          const locked = await guard.countAccountFailure(tx, current, now, meta);
          // Commit the count, then refuse: the throw must come after the transaction, not inside it.
          return { failed: 'wrongPassword', locked };
        }
        // With a second factor, the sign-in succeeds (and the failures are forgotten) only once the code is right.
        if (!current.mfa_enabled) await guard.succeeded(tx, current, key, now);
        return { step: await continueSignIn(tx, current, 'password', now) };
      });
      if ('failed' in outcome) {
        if (outcome.locked) guard.logLockout(meta, who);
        const refusal = await refuse(outcome.failed, now);
        throw outcome.disabled !== undefined ? ACCOUNT_DISABLED(outcome.disabled) : refusal;
      }
      const grant = signInAnswer(outcome.step, meta, { tenant: account.tenant_id, userId: account.id });
      securityLog.record('login.succeeded', meta, who);
      return grant;
    }),

    // Argon2id (tens of milliseconds) never runs inside a transaction, where it would hold row locks and, on PGlite,
    // the one connection every other request needs: each path below reads and checks what it needs, verifies and
    // hashes, and then, in a short transaction, locks the rows and checks that what it decided on still holds.
    changePassword: ({ changeToken, session, currentPassword, newPassword }, meta = {}) => passwords.admit(async () => {
      const now = clock();
      const requestId = meta.requestId;
      if (changeToken !== undefined) {
        const route = routeToken(changeToken);
        const seen = await selectAuthToken(store, route);
        if (!isLive(seen, ['change'], now)) {
          securityLog.record('password.changeFailed', meta, { tenant: seen?.tenant_id ?? null, userId: seen?.user_id ?? null, reason: 'invalidChangeToken' });
          throw INVALID_CHANGE_TOKEN();
        }
        const before = await selectAccount(store, seen.tenant_id, seen.user_id);
        if (!before || isLocked(before, now) || temporaryExpired(before, now)) throw INVALID_CREDENTIALS();
        checkPassword(newPassword, { userName: before.user_name, emails: emailValuesOf(before.attributes) });
        // Whoever set the temporary password knows it: it cannot become the user's own. Compared by verifying
        // against the stored hash, the only form it is kept in.
        if (before.password_hash && (await passwords.verify(before.password_hash, newPassword))) throw SAME_AS_TEMPORARY();
        const hash = await passwords.hash(newPassword);
        return mailing(async (tx) => {
          // Used meanwhile (single use), or its account locked or renamed: decided again on the locked rows.
          const token = await lockAuthToken(tx, seen.tenant_id, route.digest);
          if (!isLive(token, ['change'], now)) throw INVALID_CHANGE_TOKEN();
          const account = await lockAccount(tx, token.tenant_id, token.user_id);
          if (!account || isLocked(account, now)) throw INVALID_CREDENTIALS();
          // A password set meanwhile voids the change token; this is the temporary password verified above.
          if (account.password_hash !== before.password_hash) throw INVALID_CHANGE_TOKEN();
          checkPasswordQuick(newPassword, { userName: account.user_name, emails: emailValuesOf(account.attributes) });
          const mailed = await replacePassword(tx, account, hash, 'change', now, requestId ?? null);
          const changed = { ...account, password_hash: hash, password_change_required: false };
          return { value: await continueSignIn(tx, changed, 'change', now), mailed };
        }).then((step) => {
          const who = { tenant: seen.tenant_id, userId: seen.user_id };
          securityLog.record('password.changed', meta, { ...who, how: 'forcedChange' });
          const grant = signInAnswer(step, meta, who);
          securityLog.record('login.succeeded', meta, who);
          return grant;
        });
      }
      if (!session || currentPassword === undefined) {
        throw new AuthError(400, 'invalid_request', 'Send a changeToken, or sign in and send currentPassword.');
      }
      const who = { tenant: session.tenantId, userId: session.userId };
      const before = await verifyCurrentPassword(session, currentPassword, meta, 'password.changeFailed');
      checkPassword(newPassword, { userName: before.user_name, emails: emailValuesOf(before.attributes) });
      // currentPassword verified: the new one is the current one exactly when the two strings are equal.
      if (newPassword === currentPassword) throw SAME_AS_CURRENT();
      const hash = await passwords.hash(newPassword);
      return mailing(async (tx) => {
        const account = await lockAccount(tx, session.tenantId, session.userId);
        // currentPassword was verified against the hash read before: a password changed since must be proven again.
        if (!account?.password_hash || account.password_hash !== before.password_hash) throw WRONG_CURRENT_PASSWORD();
        checkPasswordQuick(newPassword, { userName: account.user_name, emails: emailValuesOf(account.attributes) });
        const mailed = await replacePassword(tx, account, hash, 'change', now, requestId ?? null);
        return { value: await startSession(tx, account, now), mailed };
      }).then((grant) => {
        securityLog.record('password.changed', meta, { ...who, how: 'change' });
        return grant;
      });
    }),

    async checkLink(token, meta = {}) {
      const seen = await selectAuthToken(store, routeToken(token));
      const now = clock();
      const account = isLive(seen, ['reset', 'welcome'], now) ? await selectAccount(store, seen.tenant_id, seen.user_id) : undefined;
      const naming = account && seen ? await selectTenantNaming(store, seen.tenant_id) : undefined;
      if (!seen || !naming || !isLive(seen, ['reset', 'welcome'], now)) {
        securityLog.record('password.resetFailed', meta, { tenant: seen?.tenant_id ?? null, userId: seen?.user_id ?? null, reason: 'invalidLink' });
        throw INVALID_LINK();
      }
      return { purpose: seen.purpose, organization: naming.slug };
    },

    completeLink: ({ token, newPassword }, meta = {}) => passwords.admit(async () => {
      const now = clock();
      const requestId = meta.requestId;
      const route = routeToken(token);
      const seen = await selectAuthToken(store, route);
      if (!isLive(seen, ['reset', 'welcome'], now)) {
        securityLog.record('password.resetFailed', meta, { tenant: seen?.tenant_id ?? null, userId: seen?.user_id ?? null, reason: 'invalidLink' });
        throw INVALID_LINK();
      }
      const before = await selectAccount(store, seen.tenant_id, seen.user_id);
      if (!before) throw INVALID_LINK();
      checkPassword(newPassword, { userName: before.user_name, emails: emailValuesOf(before.attributes) });
      // A "new" password that is the current one (or the temporary one) changes nothing, and is refused. The answer
      // tells the link's holder no more than it could take: the link lets it set any password.
      if (before.password_hash && (await passwords.verify(before.password_hash, newPassword))) {
        throw before.password_change_required ? SAME_AS_TEMPORARY() : SAME_AS_CURRENT();
      }
      const hash = await passwords.hash(newPassword);
      await mailing(async (tx) => {
        // A link used (or voided by a newer one, or by a password set since) meanwhile works no more: it is single use.
        const row = await lockAuthToken(tx, seen.tenant_id, route.digest);
        if (!isLive(row, ['reset', 'welcome'], now)) throw INVALID_LINK();
        const account = await lockAccount(tx, row.tenant_id, row.user_id);
        if (!account || account.password_hash !== before.password_hash) throw INVALID_LINK();
        checkPasswordQuick(newPassword, { userName: account.user_name, emails: emailValuesOf(account.attributes) });
        return { value: undefined, mailed: await replacePassword(tx, account, hash, row.purpose, now, requestId ?? null) };
      });
      securityLog.record('password.reset', meta, { tenant: seen.tenant_id, userId: seen.user_id, how: seen.purpose });
    }),

    async logout(session, meta = {}) {
      await endSession(store, session.tenantId, session.sessionId, clock());
      securityLog.record('session.ended', meta, { tenant: session.tenantId, userId: session.userId, reason: 'logout' });
    },

    async authenticate(token) {
      const route = routeToken(token);
      const now = clock();
      const row = await selectLiveSession(store, route, now, settings.sessionIdleSeconds);
      if (!row || !digestsEqual(row.token_hash, route.digest)) return undefined;
      // The idle clock needs only minute precision: write at most once a minute per session.
      if (now.getTime() - row.last_seen_at.getTime() > 60_000) await touchSession(store, row.tenant_id, row.id, now);
      const permissions = await selectPermissions(store, row.tenant_id, row.user_id);
      return {
        sessionId: row.id,
        tenantId: row.tenant_id,
        userId: row.user_id,
        userName: row.user_name,
        label: row.display_name ?? row.user_name,
        permissions: new Set(permissions),
        expiresAt: row.expires_at,
      };
    },

    async setTemporaryPassword(tx, tenantId, userId, passwordHash, now) {
      await setPassword(tx, tenantId, userId, passwordHash, true, now);
      await endSessionsOfUser(tx, tenantId, userId, now);
      await voidAuthTokens(tx, tenantId, userId, ALL_TOKEN_PURPOSES, now);
    },

    async issueLinkToken(tx, tenantId, userId, purpose, now, options = {}) {
      const token = generateToken(LINK_TOKEN_PREFIX, tenantId);
      const seconds = purpose === 'reset' ? settings.resetLinkSeconds : settings.welcomeLinkSeconds;
      const expiresAt = new Date(now.getTime() + seconds * 1000);
      if (!options.first) await voidAuthTokens(tx, tenantId, userId, [purpose], now);
      await insertAuthToken(tx, { tenantId, id: newId(), userId, purpose, tokenHash: hashToken(token), now, expiresAt });
      return { token, expiresAt };
    },
  };
}

export type { AuthTokenPurpose };
