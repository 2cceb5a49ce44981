// Client-side routing with the History API: the current location as state, navigate(), and the console's routes.
import { useEffect, useState } from 'preact/hooks';

export interface Location {
  readonly pathname: string;
  readonly search: URLSearchParams;
}

const listeners = new Set<() => void>();

function read(): Location {
  return { pathname: window.location.pathname.replace(/\/+$/, '') || '/', search: new URLSearchParams(window.location.search) };
}

let location = read();

function changed(): void {
  location = read();
  for (const listener of listeners) listener();
}

window.addEventListener('popstate', () => {
  // Back with unsaved changes that the person keeps: stay on the address they were at.
  if (read().pathname !== location.pathname && !mayLeave()) {
    window.history.pushState(window.history.state, '', location.pathname + (location.search.size ? `?${location.search}` : ''));
    return;
  }
  changed();
});

export interface NavigateOptions {
  readonly replace?: boolean;
  /** Marks the entry as opened from within the app, so closing it can go back instead of forward. */
  readonly opened?: boolean;
}

/**
 * A page with unsaved changes: asked before the app moves to another address (in-app links, Back) and by the browser
 * before the page unloads. Returns true to let the move go on.
 */
let leaveGuard: (() => boolean) | undefined;

export function setLeaveGuard(guard: (() => boolean) | undefined): void {
  leaveGuard = guard;
}

function mayLeave(): boolean {
  return !leaveGuard || leaveGuard();
}

export function navigate(to: string, options: NavigateOptions = {}): void {
  if (!mayLeave()) return;
  const state = options.opened ? { opened: true } : null;
  if (options.replace) window.history.replaceState(state, '', to);
  else window.history.pushState(state, '', to);
  changed();
}

/** Leaves an entry opened with `opened`: back where the app came from, or to `fallback` after a reload. */
export function leave(fallback: string): void {
  const state = window.history.state as { opened?: boolean } | null;
  if (state?.opened) window.history.back();
  else navigate(fallback, { replace: true });
}

export function useLocation(): Location {
  const [, setVersion] = useState(0);
  useEffect(() => {
    const listener = () => setVersion((v) => v + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return location;
}

export type Route =
  | { readonly page: 'home' }
  | { readonly page: 'signIn' }
  | { readonly page: 'link'; readonly kind: 'reset' | 'welcome' }
  | { readonly page: 'users'; readonly adding?: boolean }
  | { readonly page: 'user'; readonly id: string }
  | { readonly page: 'history'; readonly userId?: string }
  | { readonly page: 'profile' }
  | { readonly page: 'personas' }
  | { readonly page: 'integrations' }
  | { readonly page: 'notFound' };

export function routeOf(pathname: string): Route {
  if (pathname === '/reset' || pathname === '/welcome') return { page: 'link', kind: pathname === '/reset' ? 'reset' : 'welcome' };
  if (pathname === '/admin') return { page: 'home' };
  if (pathname === '/admin/sign-in') return { page: 'signIn' };
  if (pathname === '/admin/users') return { page: 'users' };
  if (pathname === '/admin/users/new') return { page: 'users', adding: true };
  if (pathname === '/admin/history') return { page: 'history' };
  if (pathname === '/admin/profile') return { page: 'profile' };
  if (pathname === '/admin/personas') return { page: 'personas' };
  if (pathname === '/admin/integrations') return { page: 'integrations' };
  const user = /^\/admin\/users\/([^/]+)(\/history)?$/.exec(pathname);
  if (user?.[1]) {
    const id = decodeURIComponent(user[1]);
    return user[2] ? { page: 'history', userId: id } : { page: 'user', id };
  }
  return { page: 'notFound' };
}

export const userPath = (id: string) => `/admin/users/${encodeURIComponent(id)}`;
export const userHistoryPath = (id: string) => `${userPath(id)}/history`;
