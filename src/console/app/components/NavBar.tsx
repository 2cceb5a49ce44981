// The bar over every signed-in page: the console's pages, who is signed in, their profile, and signing out.
import { signOut } from '../auth';
import { navigate, type Route } from '../router';
import { EVENTS_MANAGE, USERS_READ, USERS_WRITE, can, type Session } from '../session';
import { LogoMark } from './Icons';
import { Link } from './Link';

function current(route: Route, page: 'users' | 'history' | 'profile' | 'personas' | 'integrations'): 'page' | undefined {
  if (page === 'history') return route.page === 'history' && !route.userId ? 'page' : undefined;
  if (page === 'users') return route.page === 'users' || route.page === 'user' || (route.page === 'history' && route.userId) ? 'page' : undefined;
  return route.page === page ? 'page' : undefined;
}

export function NavBar({ session, route }: { session: Session; route: Route }) {
  const readsUsers = can(session, USERS_READ);
  const leave = () => {
    // signOut forgets the session at once; the request to end it on the server may finish after the page moved on.
    const done = signOut();
    navigate('/admin/sign-in');
    return done;
  };
  return (
    <header class="topbar">
      <div class="topbar__inner">
        <Link href="/admin" class="brand">
          <LogoMark />
          <span>Usher</span>
        </Link>
        <nav class="topbar__nav" aria-label="Main">
          {readsUsers && (
            <>
              <Link href="/admin/users" class="nav-link" aria-current={current(route, 'users')}>
                Users
              </Link>
              <Link href="/admin/history" class="nav-link" aria-current={current(route, 'history')}>
                User History
              </Link>
            </>
          )}
          {can(session, USERS_WRITE) && (
            <Link href="/admin/personas" class="nav-link" aria-current={current(route, 'personas')}>
              Personas
            </Link>
          )}
          {can(session, EVENTS_MANAGE) && (
            <Link href="/admin/integrations" class="nav-link" aria-current={current(route, 'integrations')}>
              Integrations
            </Link>
          )}
        </nav>
        <div class="topbar__account">
          <span class="topbar__user" title={session.user.userName}>
            {session.user.displayName || session.user.userName}
          </span>
          <Link href="/admin/profile" class="nav-link" aria-current={current(route, 'profile')}>
            My profile
          </Link>
          <button type="button" class="button button--ghost" onClick={leave}>
            Sign out
          </button>
        </div>
      </div>
    </header>
  );
}
