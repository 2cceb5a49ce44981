// Builds the admin console: bundles src/console/app (Preact) and its stylesheet into dist/console/assets with
// content-hashed names, and writes the manifest the server reads. Runs in `npm run build`, so `npm install` and
// `npm start` produce it; nothing is fetched at run time.
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

/** What the server needs to know of a build: the asset file names, relative to the assets directory. */
export interface ConsoleManifest {
  readonly script: string;
  readonly stylesheet: string;
}

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const source = join(root, 'src', 'console', 'app');
const out = join(here, 'assets');

async function main(): Promise<void> {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await build({
    entryPoints: { app: join(source, 'main.tsx'), styles: join(source, 'styles.css') },
    bundle: true,
    format: 'esm',
    target: ['es2022'],
    minify: true,
    // The map is kept beside the bundle for debugging, but the bundle does not point at it: the server does not serve it.
    sourcemap: 'external',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: '[name]-[hash]',
    outdir: out,
    metafile: true,
    legalComments: 'linked',
    logLevel: 'warning',
  });
  // A warning is a mistake that would ship (an unbalanced brace drops the rules after it): the build fails on it.
  if (result.warnings.length > 0) throw new Error(`console build: ${result.warnings.length} warning(s), shown above; fix them`);
  const outputs = Object.keys(result.metafile.outputs).map((path) => basename(path));
  const script = outputs.find((name) => /^app-.*\.js$/.test(name));
  const stylesheet = outputs.find((name) => /^styles-.*\.css$/.test(name));
  if (!script || !stylesheet) throw new Error(`console build: missing outputs in ${outputs.join(', ')}`);
  const manifest: ConsoleManifest = { script, stylesheet };
  writeFileSync(join(here, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  precompress();
}

/** Brotli and gzip copies of every served asset (name.br, name.gz), made once here at the highest levels. */
function precompress(): void {
  for (const name of readdirSync(out)) {
    if (!/\.(js|css|txt)$/.test(name)) continue;
    const body = readFileSync(join(out, name));
    writeFileSync(join(out, `${name}.br`), brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
    writeFileSync(join(out, `${name}.gz`), gzipSync(body, { level: 9 }));
  }
}

await main();
