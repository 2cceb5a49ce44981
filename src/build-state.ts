// Whether the build in dist/ is older than the sources it was built from: `npm start` rebuilds only then.
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Written by `npm run build` as its last step: when the build finished. */
export const BUILD_STAMP = join('dist', '.build-stamp');
/** What the build compiles: a change to any of these makes the build stale. sql/ is read at run time, not built. */
export const BUILD_SOURCES = ['src', 'conformance', 'tsconfig.json', 'tsconfig.build.json', 'package.json'] as const;

/** The latest modification time under a file or directory, in ms; 0 when it does not exist. */
function newestUnder(path: string): number {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestUnder(join(path, name))), stat.mtimeMs);
}

/** 'current' when the stamp is at least as new as every source under `root`; 'stale' otherwise, or without a stamp. */
export function buildState(root: string): 'current' | 'stale' {
  const builtAt = newestUnder(join(root, BUILD_STAMP));
  if (builtAt === 0) return 'stale';
  const changedAt = Math.max(...BUILD_SOURCES.map((source) => newestUnder(join(root, source))));
  return changedAt <= builtAt ? 'current' : 'stale';
}

export function stampBuild(root: string, now: Date): void {
  writeFileSync(join(root, BUILD_STAMP), `${now.toISOString()}\n`);
}
