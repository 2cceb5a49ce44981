// The frame of every signed-in page: a skip link, the navigation bar, and the page; a crash shows a way out.
import type { ComponentChildren } from 'preact';
import { useErrorBoundary } from 'preact/hooks';
import type { Route } from '../router';
import type { Session } from '../session';
import { NavBar } from './NavBar';

function skipToContent(event: MouseEvent) {
  event.preventDefault();
  document.getElementById('page-title')?.focus();
}

export function Shell({ session, route, children }: { session: Session; route: Route; children: ComponentChildren }) {
  const [error, reset] = useErrorBoundary();
  return (
    <>
      <a href="#main" class="skip-link" onClick={skipToContent}>
        Skip to main content
      </a>
      <NavBar session={session} route={route} />
      {error ? (
        <main id="main" class="page">
          <h1 class="page__title" id="page-title" tabIndex={-1}>
            Something went wrong
          </h1>
          <p class="alert alert--error">The page ran into a problem it could not handle. Try again, or reload the page.</p>
          <button type="button" class="button button--primary" onClick={reset}>
            Try again
          </button>
        </main>
      ) : (
        children
      )}
    </>
  );
}
