// The /auth API: sign in and its further steps, passwords, mail links, the session's permissions, sign out.
import { ApiError, request } from './api';
import type { MfaProof } from './mfa';
import { SESSION_OVER, currentSession, setSession, type Session, type SessionUser } from './session';

/** What a sign-in or a password change answers: a fresh session. */
export interface Grant {
  readonly token: string;
  readonly expiresAt: string;
  readonly user: SessionUser;
}

interface SessionInfo {
  readonly user: SessionUser;
  readonly permissions: readonly string[];
  readonly expiresAt: string;
}

const TENANT_KEY = 'usher.tenant';

export const PASSWORD_RULES =
  'At least 12 characters, not a common or easily guessed password, not the one it replaces, and without your user name or e-mail address. A few unrelated words make a good one.';

/**
 * The organization (tenant slug) to sign in to: the link's (`/admin?org=acme`, as the mails carry it), else the one
 * last signed in to on this browser. Not a secret, so it may outlive the tab.
 */
export function rememberedTenant(): string {
  const fromLink = new URLSearchParams(window.location.search).get('org')?.trim();
  if (fromLink) return fromLink;
  try {
    return window.localStorage.getItem(TENANT_KEY) ?? '';
  } catch {
    return '';
  }
}

export function rememberTenant(tenant: string): void {
  try {
    window.localStorage.setItem(TENANT_KEY, tenant);
  } catch {
    // Private mode without storage: the tenant is typed again next time.
  }
}

/** Asks /auth/session who the token is and keeps the session; undefined when the token is no longer valid. */
export async function startSession(token: string): Promise<Session | undefined> {
  try {
    const info = await request<SessionInfo>('GET', '/auth/session', { token });
    const session: Session = { token, user: info.user, permissions: info.permissions, expiresAt: info.expiresAt };
    setSession(session);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      setSession(undefined);
      return undefined;
    }
    throw error;
  }
}

/**
 * What the server asks for before it grants a session, in the order it asks (a 403 of /auth/login, and of each later
 * step for the steps after it): the code of a second factor, a new password in place of a temporary one, and setting
 * up a second factor that the tenant requires.
 */
export type SignInStep =
  | { readonly kind: 'mfa'; readonly mfaToken: string }
  | { readonly kind: 'password'; readonly changeToken: string }
  | { readonly kind: 'enrol'; readonly mfaToken: string };

/** The next step a refused sign-in request asks for, or undefined when the error is a plain failure. */
export function signInStepOf(error: unknown): SignInStep | undefined {
  if (!(error instanceof ApiError) || error.status !== 403) return undefined;
  const { mfaToken, changeToken } = error.body;
  if (error.code === 'mfa_required' && typeof mfaToken === 'string') return { kind: 'mfa', mfaToken };
  if (error.code === 'mfa_enrolment_required' && typeof mfaToken === 'string') return { kind: 'enrol', mfaToken };
  if (typeof changeToken === 'string') return { kind: 'password', changeToken };
  return undefined;
}

/** Signs in; a further step comes back as an ApiError that signInStepOf() reads. */
export async function signIn(tenant: string, userName: string, password: string): Promise<Session | undefined> {
  rememberTenant(tenant);
  const grant = await request<Grant>('POST', '/auth/login', { body: { tenant, userName, password }, token: '' });
  return startSession(grant.token);
}

/** The second step of a sign-in: a code from the authenticator app, or a recovery code. */
export async function verifySecondFactor(mfaToken: string, proof: MfaProof): Promise<Session | undefined> {
  const grant = await request<Grant>('POST', '/auth/mfa/verify', { body: { mfaToken, ...proof }, token: '' });
  return startSession(grant.token);
}

export async function setPasswordWithChangeToken(changeToken: string, newPassword: string): Promise<Session | undefined> {
  const grant = await request<Grant>('POST', '/auth/password', { body: { changeToken, newPassword }, token: '' });
  return startSession(grant.token);
}

/** Changes the signed-in user's password; the answer is a fresh session, which replaces the current one. */
export async function changeOwnPassword(currentPassword: string, newPassword: string): Promise<Session | undefined> {
  const grant = await request<Grant>('POST', '/auth/password', { body: { currentPassword, newPassword } });
  return startSession(grant.token);
}

/**
 * The signed-in user's session is over: it expired or was signed out (invalid_session), or the server ended it after
 * too many wrong passwords or codes (session_ended). Returns the reason to show on the sign-in page, else undefined.
 */
export function sessionEnded(error: unknown): string | undefined {
  if (!(error instanceof ApiError) || error.status !== 401) return undefined;
  if (error.code === 'session_ended') return error.detail;
  if (error.code === 'invalid_session') return SESSION_OVER;
  return undefined;
}

/** Whether a /reset or /welcome link still works, without using it; its organization is remembered for the sign-in. */
export async function checkLink(token: string): Promise<{ purpose: 'reset' | 'welcome'; organization: string }> {
  const link = await request<{ purpose: 'reset' | 'welcome'; organization: string }>('POST', '/auth/link', { body: { token }, token: '' });
  if (link.organization) rememberTenant(link.organization);
  return link;
}

/** Completes a /reset or /welcome mail link. */
export async function completeLink(token: string, newPassword: string): Promise<void> {
  await request<undefined>('POST', '/auth/reset', { body: { token, newPassword }, token: '' });
}

export async function signOut(): Promise<void> {
  const session = currentSession();
  setSession(undefined);
  if (!session) return;
  try {
    await request<undefined>('POST', '/auth/logout', { token: session.token });
  } catch {
    // The session is forgotten here either way; it ends on the server when it expires.
  }
}
