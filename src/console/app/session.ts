// Who is signed in: the session token (sessionStorage only, never logged) and what /auth/session says it may do.
import { useEffect, useState } from 'preact/hooks';

export interface SessionUser {
  readonly id: string;
  readonly userName: string;
  readonly displayName: string;
}

export interface Session {
  readonly token: string;
  readonly user: SessionUser;
  readonly permissions: readonly string[];
  readonly expiresAt: string;
}

export const USERS_READ = 'users:read';
export const USERS_WRITE = 'users:write';
export const EVENTS_MANAGE = 'events:manage';

const TOKEN_KEY = 'usher.session';
let current: Session | undefined;
// Why the last session ended, shown once on the sign-in page.
let farewell: string | undefined;
const listeners = new Set<() => void>();

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** The token kept from an earlier page load of this tab, to restore the session with. */
export function storedToken(): string | undefined {
  return storage()?.getItem(TOKEN_KEY) ?? undefined;
}

export function currentToken(): string | undefined {
  return current?.token ?? storedToken();
}

export function currentSession(): Session | undefined {
  return current;
}

export function setSession(session: Session | undefined, reason?: string): void {
  current = session;
  if (session) storage()?.setItem(TOKEN_KEY, session.token);
  else storage()?.removeItem(TOKEN_KEY);
  if (!session && reason) farewell = reason;
  if (session) farewell = undefined;
  for (const listener of listeners) listener();
}

/** The message on why the previous session ended, handed out once. */
export function takeFarewell(): string | undefined {
  const message = farewell;
  farewell = undefined;
  return message;
}

export const SESSION_OVER = 'Your session has ended. Please sign in again.';

/**
 * The session ended on the server's side (expired, signed out elsewhere, or ended after too many wrong passwords,
 * which `reason` says): back to the sign-in page.
 */
export function endSession(reason?: string): void {
  if (current || storedToken()) setSession(undefined, reason ?? SESSION_OVER);
}

export function can(session: Session | undefined, permission: string): boolean {
  return session?.permissions.includes(permission) ?? false;
}

export function useSession(): Session | undefined {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return current;
}
