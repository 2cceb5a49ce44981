// Finds the module a worker thread runs: the compiled .js beside the caller, or its TypeScript source when Usher runs from src/ (vitest).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Load hooks for a worker started from the TypeScript sources. vitest compiles TypeScript in its own thread
 * only, and Node 20 cannot run it, so the worker compiles each .ts file it loads with esbuild (a dev
 * dependency: it is used only when there is no compiled .js, which never happens in dist/), and finds the .ts
 * file behind a `./x.js` import as tsc's NodeNext resolution does.
 */
function hooks(esbuild: string): string {
  return `
import { readFile } from 'node:fs/promises';
import { transform } from ${JSON.stringify(esbuild)};
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    if (!specifier.endsWith('.js') || !context.parentURL?.endsWith('.ts')) throw error;
    return next(specifier.slice(0, -3) + '.ts', context);
  }
}
export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const source = await readFile(new URL(url), 'utf8');
  const { code } = await transform(source, { loader: 'ts', format: 'esm', target: 'node20', sourcemap: 'inline', sourcefile: url });
  return { format: 'module', source: code, shortCircuit: true };
}`;
}

const dataUrl = (code: string) => new URL(`data:text/javascript,${encodeURIComponent(code)}`);

/** The URL to give `new Worker()` for the module `name` (without extension) beside `base` (the caller's import.meta.url). */
export function workerModule(name: string, base: string): URL {
  const compiled = new URL(`./${name}.js`, base);
  if (existsSync(compiled)) return compiled;
  const source = new URL(`./${name}.ts`, base);
  if (!existsSync(source)) throw new Error(`The worker module ${name} is missing beside ${base}.`);
  const esbuild = pathToFileURL(createRequire(base).resolve('esbuild')).href;
  // The hooks must be registered before the worker's own module is imported, so a tiny entry does both.
  return dataUrl(`
import { register } from 'node:module';
register(${JSON.stringify(dataUrl(hooks(esbuild)).href)});
await import(${JSON.stringify(source.href)});`);
}
