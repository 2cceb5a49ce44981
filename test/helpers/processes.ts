// Runs the built server (dist/main.js) and CLI (dist/cli.js) as child processes, for tests of process-level behaviour.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const MAIN = join(ROOT, 'dist', 'main.js');
export const CLI = join(ROOT, 'dist', 'cli.js');

/** Variables the tests set themselves; the rest of the environment is passed on as it is. */
const OWN = ['HOST', 'PORT', 'DATA_DIR', 'DATABASE_URL', 'PUBLIC_URL', 'LOG_LEVEL', 'USHER_BOOTSTRAP_TENANT', 'USHER_BOOTSTRAP_TOKEN', 'SMTP_URL', 'SHUTDOWN_TIMEOUT_MS'];

export function childEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of OWN) delete env[key];
  return { ...env, PORT: '0', ...vars };
}

/** A fresh data directory under the system temp directory; remove it with removeDir. */
export function tempDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'usher-test-'));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Fresh data directories for one test file: `dir()` makes one, `cleanUp()` (for afterAll) kills whatever process a
 * test left running and removes them all.
 */
export function tempDirs(): { dir: () => string; cleanUp: () => void } {
  const made: string[] = [];
  return {
    dir: () => {
      const dir = tempDataDir();
      made.push(dir);
      return dir;
    },
    cleanUp: () => {
      killAll();
      for (const dir of made.splice(0)) removeDir(dir);
    },
  };
}

const spawned = new Set<ChildProcess>();

/** Kills whatever a test left running, even when it failed half-way: call from afterAll/afterEach. */
export function killAll(): void {
  for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  spawned.clear();
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface ServerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly url: string;
  /** stdout so far, one entry per line. */
  readonly lines: string[];
  readonly stderr: () => string;
  /** The stdout lines that parse as JSON. */
  logs(): Array<Record<string, unknown>>;
  /** Resolves when a log line with this msg appears. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<Exit>;
  /** Sends the signal and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<Exit>;
}

/** Call right after spawn. 'close' comes after 'exit' and after stdout and stderr have ended, so no output is lost. */
function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

/**
 * Starts dist/main.js and resolves once it logs "listening" (rejects with its output if it exits first). `wrap` is
 * a command to run it under, e.g. ['unshare', '--pid', '--fork', '--mount-proc'].
 */
export async function startServer(
  vars: Record<string, string>,
  timeoutMs = 45_000,
  wrap: readonly string[] = [],
  /** The command that starts the server: dist/main.js by default, or e.g. `npm start --silent` (run in the repository). */
  entry: readonly [string, ...string[]] = [process.execPath, MAIN],
): Promise<ServerProcess> {
  const [command, ...args] = [...wrap, ...entry];
  const child = spawn(command!, args, { cwd: ROOT, env: childEnv(vars), stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.add(child);
  const lines: string[] = [];
  let partial = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = exitOf(child);

  const parsed = () =>
    lines.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  const waitForLog = async (msg: string, waitMs = timeoutMs) => {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const found = parsed().find((entry) => entry.msg === msg);
      if (found) return found;
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the server exited (${child.exitCode ?? child.signalCode}) before logging "${msg}":\n${lines.join('\n')}\n${stderr}`);
      }
      if (Date.now() > deadline) throw new Error(`no "${msg}" log line within ${waitMs} ms:\n${lines.join('\n')}\n${stderr}`);
      await Promise.race([
        new Promise<void>((resolve) => waiters.push(resolve)),
        exited,
        new Promise((resolve) => setTimeout(resolve, 200)),
      ]);
    }
  };

  let listening;
  try {
    listening = await waitForLog('listening');
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    child,
    pid: child.pid!,
    url: String(listening.url),
    lines,
    stderr: () => stderr,
    logs: parsed,
    waitForLog,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

export interface RunResult extends Exit {
  readonly stdout: string;
  readonly stderr: string;
  /** The last non-empty line of stdout: the value scripts take (an id, a token). */
  readonly last: string;
}

/** Runs a program to its end with the given variables. */
export async function run(script: string, args: string[], vars: Record<string, string>, timeoutMs = 45_000): Promise<RunResult> {
  const child = spawn(process.execPath, [script, ...args], { env: childEnv(vars), stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await exitOf(child);
  clearTimeout(timer);
  spawned.delete(child);
  const last = stdout.trimEnd().split('\n').at(-1) ?? '';
  return { ...exit, stdout, stderr, last };
}

export const cli = (args: string[], vars: Record<string, string>) => run(CLI, args, vars);
