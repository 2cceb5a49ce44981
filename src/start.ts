#!/usr/bin/env node
// Entry point of `npm start`: the built server, rebuilt first only when a source is newer than the last build.
// The server then runs in this same process (npm's script execs node), so a supervisor's SIGTERM reaches it.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildState, stampBuild } from './build-state.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** One JSON line on stdout, as the server writes its own. */
function log(level: 'info' | 'warn' | 'error', msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
}

function typescriptInstalled(): boolean {
  try {
    createRequire(join(ROOT, 'package.json')).resolve('typescript');
    return true;
  } catch {
    return false;
  }
}

/** Rebuilds when a source is newer than the stamp; false when a needed build failed. */
function buildIfStale(): boolean {
  if (buildState(ROOT) === 'current') return true;
  if (!typescriptInstalled()) {
    // A production install without devDependencies: run what was built, and say that it may be older than the sources.
    log('warn', 'the sources are newer than the build, and TypeScript is not installed to rebuild it: starting the build as it is');
    return true;
  }
  log('info', 'building: the sources changed since the last build');
  const started = performance.now();
  // The compiler's output goes to stderr: stdout carries JSON lines only.
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: ['ignore', 2, 2] });
  if (build.status !== 0) {
    log('error', 'the build failed; see the compiler output on stderr', { status: build.status, signal: build.signal });
    return false;
  }
  log('info', 'built', { ms: Math.round(performance.now() - started) });
  return true;
}

if (process.argv[2] === '--stamp') {
  stampBuild(ROOT, new Date());
} else if (buildIfStale()) {
  await import('./main.js');
} else {
  process.exitCode = 1;
}
