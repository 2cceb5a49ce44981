// The memory figures of `npm run bench`: the real server (dist/main.js, as `npm start` runs it) in a process of its
// own on the bench's database, its resident size (/proc/<pid>/status) after start, under lookups, and while a
// client reads the largest group whole (P5).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCIM_PREFIX } from '../http/app.js';
import { allStaffId } from './group-patch.js';
import { statsOf, type LoadGenerator, type PlannedRequest } from './load.js';

export const GROUP_READ_TARGET_MB = 64;
const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));
/** Variables of the bench's own environment that would configure the server otherwise than asked. */
const OWN = ['HOST', 'PORT', 'DATA_DIR', 'DATABASE_URL', 'PUBLIC_URL', 'LOG_LEVEL', 'USHER_BOOTSTRAP_TENANT', 'USHER_BOOTSTRAP_TOKEN', 'SMTP_URL', 'MAIL_DIR'];

export interface ServerMemory {
  /** MiB, VmRSS a second after the server said it listens. */
  readonly afterStart: number;
  /** Highest VmRSS seen while the lookups ran, and VmRSS once they ended. */
  readonly underLoad: number;
  readonly afterLoad: number;
  readonly lookupsPerSecond: number;
  /** P5: the highest VmRSS during the reads of the group over VmRSS before the first, or why there is none. */
  readonly groupRead: { readonly growth: number; readonly members: number; readonly bytes: number; readonly reads: number } | string;
  /** VmHWM at the end: the peak of the server's whole life. */
  readonly peak: number;
}

export interface MemoryTarget {
  /** DATABASE_URL, or the PGlite DATA_DIR (which no other process may hold). */
  readonly databaseUrl?: string;
  readonly dataDir?: string;
  readonly lookups: { readonly token: string; readonly requests: readonly PlannedRequest[] };
  readonly group: { readonly token: string };
  readonly concurrency: number;
  readonly durationMs: number;
}

function statusOf(pid: number): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) / 1024;
  return { rss: mib('VmRSS'), hwm: mib('VmHWM') };
}

/** Samples the process's VmRSS every `everyMs` until the returned function is called, which gives the highest seen. */
function sampling(pid: number, everyMs: number): () => number {
  let highest = statusOf(pid).rss;
  const timer = setInterval(() => (highest = Math.max(highest, statusOf(pid).rss)), everyMs);
  return () => {
    clearInterval(timer);
    return Math.max(highest, statusOf(pid).rss);
  };
}

async function startChild(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let partial = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 120 s: ${stderr}`)), 120_000);
    // Its log is read to the end (every request has a line), so that a full pipe never holds it up.
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      for (const line of lines) {
        if (!line.includes('"listening"')) continue;
        clearTimeout(timer);
        resolve(String((JSON.parse(line) as { url: string }).url));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it listened: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
  return { child, url };
}

/**
 * Starts the server, measures, stops it. Linux only (/proc); elsewhere a reason. The lookups run from `load` (a
 * thread of the bench's process), so none of the client's work counts in the server's memory.
 */
export async function measureServerMemory(load: LoadGenerator, target: MemoryTarget, log: (line: string) => void): Promise<ServerMemory | string> {
  if (!existsSync('/proc/self/status')) return 'no /proc here to read a process resident size from';
  if (!existsSync(MAIN)) return `no ${MAIN}: run npm run build`;
  const scratch = mkdtempSync(join(tmpdir(), 'usher-bench-server-'));
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of OWN) delete env[key];
  Object.assign(env, {
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    ...(target.databaseUrl ? { DATABASE_URL: target.databaseUrl, DATA_DIR: scratch } : { DATA_DIR: target.dataDir, MAIL_DIR: join(scratch, 'mail') }),
  });
  const { child, url } = await startChild(env);
  const port = Number(new URL(url).port);
  const pid = child.pid!;
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const afterStart = statusOf(pid).rss;
    log(`  server pid ${pid} on ${url}: ${afterStart.toFixed(0)} MiB resident after start`);
    const stopLoad = sampling(pid, 100);
    const result = await load.run({
      name: 'userName eq against the server process',
      port,
      headers: { Authorization: `Bearer ${target.lookups.token}` },
      mode: 'duration',
      requests: target.lookups.requests,
      concurrency: target.concurrency,
      warmupMs: 0,
      durationMs: target.durationMs,
      maxRequests: 5_000_000,
      expectStatus: 200,
    });
    const underLoad = stopLoad();
    if (result.errors > 0) throw new Error(`lookups against the server: ${result.errors} failed, first: ${result.firstError}`);
    const afterLoad = statusOf(pid).rss;
    const lookupsPerSecond = statsOf(result).perSecond;
    log(`  under ${target.concurrency} clients of lookups (${lookupsPerSecond.toFixed(0)}/s): ${underLoad.toFixed(0)} MiB at most, ${afterLoad.toFixed(0)} MiB after`);
    const groupRead = await readGroup(port, pid, target.group.token, log);
    return { afterStart, underLoad, afterLoad, lookupsPerSecond, groupRead, peak: statusOf(pid).hwm };
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** P5: GET /Groups/{id} of "All Staff", whole, three times, read as a client reads it (the body to its end). */
async function readGroup(port: number, pid: number, token: string, log: (line: string) => void): Promise<ServerMemory['groupRead']> {
  const id = await allStaffId(port, token);
  if (!id) return 'no "All Staff" group in the large tenant';
  const before = statusOf(pid).rss;
  const stop = sampling(pid, 20);
  let members = 0;
  let bytes = 0;
  const reads = 3;
  for (let i = 0; i < reads; i++) {
    const response = await fetch(`http://127.0.0.1:${port}${SCIM_PREFIX}/Groups/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`GET /Groups/${id} -> ${response.status} ${text.slice(0, 200)}`);
    bytes = text.length;
    members = ((JSON.parse(text) as { members?: unknown[] }).members ?? []).length;
  }
  const highest = stop();
  log(`  GET /Groups/{All Staff} x${reads}: ${members} members, ${(bytes / 2 ** 20).toFixed(1)} MiB each; resident ${before.toFixed(0)} MiB before, ${highest.toFixed(0)} MiB at most`);
  return { growth: highest - before, members, bytes, reads };
}
