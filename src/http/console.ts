// Serves the admin console: one HTML page for /admin and the pages behind mail links, and its built assets.
// The console is a client of /auth and /scim/v2 like any other: this module only hands it over.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Hono, type Context } from 'hono';
import type { AppEnv } from './env.js';

/** Where `npm run build` put the console: dist/console, holding manifest.json and assets/. */
export interface ConsoleOptions {
  /** Undefined where no console is served (the benchmark): its pages answer 503. */
  readonly dir: string | undefined;
}

interface Manifest {
  readonly script: string;
  readonly stylesheet: string;
}

const ASSET_NAME = /^[\w-]+\.(js|css|map|txt)$/;
const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  map: 'application/json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

// Everything the page loads comes from here; no inline script or style, no frames, no other origin.
const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
} as const;

function page(manifest: Manifest): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>User Management</title>
<link rel="stylesheet" href="/admin/assets/${manifest.stylesheet}">
<script type="module" src="/admin/assets/${manifest.script}"></script>
</head>
<body>
<div id="app"><noscript>The User Management console needs JavaScript.</noscript></div>
</body>
</html>
`;
}

function readManifest(dir: string): Manifest | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
}

export function consoleRoutes(options: ConsoleOptions) {
  const app = new Hono<AppEnv>();
  const manifest = options.dir ? readManifest(options.dir) : undefined;
  const html = manifest ? page(manifest) : undefined;
  const assets = new Map<string, Buffer>();

  const shell = (c: Context<AppEnv>) => {
    if (!html) return c.text('The admin console is not built: run npm run build.', 503);
    // The mail links carry their token in the query: it must not leave in a Referer or stay in a cache.
    return c.html(html, 200, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' });
  };

  app.get('/admin/assets/:name', (c) => {
    const name = c.req.param('name');
    const type = ASSET_NAME.exec(name)?.[1];
    if (!type || !options.dir) return c.text('Not found.', 404);
    let body = assets.get(name);
    if (!body) {
      try {
        body = readFileSync(join(options.dir, 'assets', name));
      } catch {
        return c.text('Not found.', 404);
      }
      assets.set(name, body);
    }
    // Names carry a hash of their content: a new build has new names.
    return c.body(new Uint8Array(body), 200, {
      'Content-Type': CONTENT_TYPES[type]!,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
    });
  });
  app.get('/admin', shell);
  app.get('/admin/*', shell);
  app.get('/reset', shell);
  app.get('/welcome', shell);
  return app;
}
