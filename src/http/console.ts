// Serves the admin console: one HTML page for /admin and the pages behind mail links, and its built assets.
// The console is a client of /auth and /scim/v2 like any other: this module only hands it over.
import { readFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
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

// Source maps are built for debugging but not served: the bundle carries no sourceMappingURL.
const ASSET_NAME = /^[\w-]+\.(js|css|txt)$/;
const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

type Encoding = 'br' | 'gzip' | 'identity';

/** The best encoding the client accepts (RFC 9110 §12.5.3): brotli, then gzip; q=0 refuses one. */
export function chooseEncoding(acceptEncoding: string | undefined): Encoding {
  const accepted = new Map<string, number>();
  for (const part of (acceptEncoding ?? '').split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(token, q === undefined ? 1 : Number(q));
  }
  const weight = (name: string) => accepted.get(name) ?? accepted.get('*') ?? 0;
  if (weight('br') > 0) return 'br';
  if (weight('gzip') > 0) return 'gzip';
  return 'identity';
}

/** One asset in each encoding: the build's precompressed copies (name.br, name.gz), else compressed here once. */
interface Asset {
  readonly identity: Buffer;
  readonly br: Buffer;
  readonly gzip: Buffer;
}

function readAsset(dir: string, name: string): Asset {
  const path = join(dir, 'assets', name);
  const identity = readFileSync(path);
  const copy = (suffix: string, make: () => Buffer) => {
    try {
      return readFileSync(`${path}${suffix}`);
    } catch {
      return make();
    }
  };
  return {
    identity,
    br: copy('.br', () => brotliCompressSync(identity, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } })),
    gzip: copy('.gz', () => gzipSync(identity, { level: 9 })),
  };
}

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
  const assets = new Map<string, Asset>();

  const shell = (c: Context<AppEnv>) => {
    if (!html) return c.text('The admin console is not built: run npm run build.', 503);
    // The mail links carry their token in the query: it must not leave in a Referer or stay in a cache.
    return c.html(html, 200, { ...SECURITY_HEADERS, 'Cache-Control': 'no-store' });
  };

  app.get('/admin/assets/:name', (c) => {
    const name = c.req.param('name');
    const type = ASSET_NAME.exec(name)?.[1];
    if (!type || !options.dir) return c.text('Not found.', 404);
    let asset = assets.get(name);
    if (!asset) {
      try {
        asset = readAsset(options.dir, name);
      } catch {
        return c.text('Not found.', 404);
      }
      assets.set(name, asset);
    }
    const encoding = chooseEncoding(c.req.header('Accept-Encoding'));
    // Names carry a hash of their content: a new build has new names.
    return c.body(new Uint8Array(asset[encoding]), 200, {
      'Content-Type': CONTENT_TYPES[type]!,
      'Cache-Control': 'public, max-age=31536000, immutable',
      'X-Content-Type-Options': 'nosniff',
      Vary: 'Accept-Encoding',
      ...(encoding === 'identity' ? {} : { 'Content-Encoding': encoding }),
    });
  });
  app.get('/admin', shell);
  app.get('/admin/*', shell);
  app.get('/reset', shell);
  app.get('/welcome', shell);
  return app;
}
