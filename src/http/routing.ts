// How a request finds its route: SCIM endpoint names in any case with one trailing slash tolerated, and the methods a
// known path allows (RFC 9110 §15.5.6: 405 with Allow, not 404), both read from the routes the app registered.
import type { RouterRoute } from 'hono/types';
import { TrieRouter } from 'hono/router/trie-router';

/** The order methods are listed in an Allow header. */
const METHOD_ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

const isParameter = (segment: string) => segment.startsWith(':') || segment.includes('*');

/**
 * Rewrites a path under `prefix` to the spelling of the routes: each segment that names an endpoint (`users`,
 * `SERVICEPROVIDERCONFIG`, `.Search`) takes the case of the route segment at the same place, and one trailing slash
 * goes. Ids and other parameters are left as sent. Everything outside `prefix` is left as sent.
 *
 * Clients differ here (Microsoft's SCIM guidance reads endpoint names ignoring case; many clients add a slash), and
 * one rewrite before routing spares every route its variants; the answers Usher builds (Location, meta.location) come
 * from the configured base URL, never from the request path, so they stay canonical.
 */
export function canonicalPaths(prefix: string, routes: () => readonly RouterRoute[]): (path: string) => string {
  let names: Map<string, string>[] | undefined;
  const namesByPlace = () => {
    const places: Map<string, string>[] = [];
    for (const route of routes()) {
      if (!route.path.startsWith(`${prefix}/`)) continue;
      route.path
        .slice(prefix.length + 1)
        .split('/')
        .forEach((segment, place) => {
          if (segment === '' || isParameter(segment)) return;
          (places[place] ??= new Map()).set(segment.toLowerCase(), segment);
        });
    }
    return places;
  };
  return (path) => {
    if (path !== prefix && !path.startsWith(`${prefix}/`)) return path;
    names ??= namesByPlace();
    let rest = path.slice(prefix.length + 1);
    if (rest.endsWith('/')) rest = rest.slice(0, -1);
    if (rest === '') return prefix;
    const segments = rest.split('/').map((segment, place) => names![place]?.get(segment.toLowerCase()) ?? segment);
    return `${prefix}/${segments.join('/')}`;
  };
}

/**
 * The methods the registered routes serve for a path, in Allow order; empty for a path no route serves. HEAD comes
 * with GET, as Hono answers it. Routes for every method (`use`, `all`) are middleware or refusals, not methods served.
 */
export function allowedMethods(routes: () => readonly RouterRoute[]): (path: string) => string[] {
  let router: TrieRouter<string> | undefined;
  const build = () => {
    const built = new TrieRouter<string>();
    for (const route of routes()) if (route.method !== 'ALL') built.add('ALL', route.path, route.method);
    return built;
  };
  return (path) => {
    router ??= build();
    const [matches] = router.match('GET', path);
    const methods = new Set(matches.map(([method]) => method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort((a, b) => rank(a) - rank(b));
  };
}

function rank(method: string): number {
  const at = METHOD_ORDER.indexOf(method);
  return at === -1 ? METHOD_ORDER.length : at;
}
