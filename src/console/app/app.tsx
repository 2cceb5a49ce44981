// The console: restores the session, picks the page for the address, and keeps signed-out people at sign-in.
import { useEffect, useState } from 'preact/hooks';
import { onSessionOver } from './api';
import { startSession } from './auth';
import { Link } from './components/Link';
import { Shell } from './components/Shell';
import { HistoryPage } from './pages/HistoryPage';
import { IntegrationsPage } from './pages/IntegrationsPage';
import { PersonasPage } from './pages/PersonasPage';
import { LinkPasswordPage } from './pages/LinkPasswordPage';
import { ProfilePage } from './pages/ProfilePage';
import { SignInPage } from './pages/SignInPage';
import { UserPage } from './pages/UserPage';
import { UsersPage } from './pages/UsersPage';
import { navigate, routeOf, useLocation, type Route } from './router';
import { EVENTS_MANAGE, USERS_READ, USERS_WRITE, can, currentSession, endSession, setSession, storedToken, useSession, type Session } from './session';

// The longest a browser timer may wait (about 24.8 days).
const MAX_TIMER = 2 ** 31 - 1;

function homeOf(session: Session): string {
  return can(session, USERS_READ) ? '/admin/users' : '/admin/profile';
}

function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function NotFoundPage() {
  return (
    <main id="main" class="page">
      <h1 class="page__title" id="page-title" tabIndex={-1}>
        Page not found
      </h1>
      <p>There is no page at this address.</p>
      <p>
        <Link href="/admin">Back to the console home</Link>
      </p>
    </main>
  );
}

function Page({ route, session }: { route: Route; session: Session }) {
  const readsUsers = can(session, USERS_READ);
  switch (route.page) {
    case 'users':
      return readsUsers ? <UsersPage canWrite={can(session, USERS_WRITE)} adding={route.adding} /> : <Redirect to="/admin/profile" />;
    case 'user':
      return readsUsers ? <UserPage key={route.id} userId={route.id} canWrite={can(session, USERS_WRITE)} /> : <Redirect to="/admin/profile" />;
    case 'history':
      return readsUsers ? <HistoryPage key={route.userId ?? ''} userId={route.userId} /> : <Redirect to="/admin/profile" />;
    case 'profile':
      return <ProfilePage />;
    case 'personas':
      return can(session, USERS_WRITE) ? <PersonasPage /> : <Redirect to="/admin/profile" />;
    case 'integrations':
      return can(session, EVENTS_MANAGE) ? <IntegrationsPage /> : <Redirect to="/admin/profile" />;
    default:
      return <NotFoundPage />;
  }
}

/** Until /auth/session has answered for a token kept from before the reload. */
function useRestoredSession(): boolean {
  const [restoring, setRestoring] = useState(() => !currentSession() && storedToken() !== undefined);
  useEffect(() => {
    onSessionOver(endSession);
    const token = storedToken();
    if (!restoring || !token) return;
    startSession(token)
      .catch(() => setSession(undefined))
      .finally(() => setRestoring(false));
  }, []);
  return restoring;
}

/** Ends the session in the browser when the server says it expires, rather than at the next failed request. */
function useExpiry(session: Session | undefined): void {
  useEffect(() => {
    if (!session) return;
    const left = Date.parse(session.expiresAt) - Date.now();
    if (!(left < MAX_TIMER)) return;
    const timer = window.setTimeout(endSession, Math.max(left, 0));
    return () => window.clearTimeout(timer);
  }, [session]);
}

export function App() {
  const location = useLocation();
  const session = useSession();
  const restoring = useRestoredSession();
  useExpiry(session);
  const route = routeOf(location.pathname);

  if (route.page === 'link') return <LinkPasswordPage key={route.kind} kind={route.kind} token={location.search.get('token') ?? ''} />;
  if (restoring) return <p class="boot muted">Loading…</p>;
  if (!session) return <SignInPage />;
  if (route.page === 'home' || route.page === 'signIn') return <Redirect to={homeOf(session)} />;
  return (
    <Shell session={session} route={route}>
      <Page route={route} session={session} />
    </Shell>
  );
}

