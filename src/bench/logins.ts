// Sign-in under load for `npm run bench`: POST /auth/login against passwords.verify's own rate, the event loop meanwhile,
// and the latency of a userName lookup while logins fill the CPU.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { PasswordHasher } from '../auth/passwords.js';
import { SCIM_PREFIX } from '../http/app.js';
import type { Store } from '../store/index.js';
import type { TenancyService } from '../tenancy/service.js';
import { mergeResults, statsOf, type LoadGenerator, type LoadResult, type LoadSpec, type LoadStats, type PlannedRequest } from './load.js';
import { deleteTenant } from './queries.js';
import { benchUnderLoad, checked, type Phases, type ProbeLoad, type UnderLoadResult } from './under-load.js';

export type { Phases } from './under-load.js';

/**
 * The tenant the sign-in users live in. Not a seeded tenant: those must hold exactly the users their size says,
 * or the next run seeds them again, and their samples must be the seeded users the lookups are checked against.
 */
export const LOGIN_TENANT = 'bench-login';
/** Shared by every sign-in user, so not a secret; the password policy would accept it (12+ characters, no name in it). */
const PASSWORD = 'correct horse battery staple';
/** The target: a lookup's p99 while logins fill the CPU is at most this many times its idle p99. */
export const UNDER_LOGINS_TARGET = 3;

export interface LoginUsers {
  readonly tenant: string;
  readonly userNames: readonly string[];
  readonly password: string;
}


const userBody = (userName: string, n: number) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: 'Sign-in', familyName: `Tester ${n}` },
  displayName: `Sign-in Tester ${n}`,
  emails: [{ value: userName, type: 'work', primary: true }],
  password: PASSWORD,
});

/**
 * Makes the sign-in tenant afresh with `count` users who have a known password. They are created by POST /Users,
 * so the app's own hasher hashes the password (Argon2id) as it would for an identity provider; one login is tried
 * before anything is timed.
 */
export async function prepareLoginUsers(port: number, store: Store, tenancy: TenancyService, load: LoadGenerator, count: number): Promise<LoginUsers> {
  // Sessions of earlier runs go with the tenant, so every run starts from the same state.
  await deleteTenant(store, LOGIN_TENANT);
  await tenancy.createTenant(LOGIN_TENANT);
  const { token } = await tenancy.createToken(LOGIN_TENANT, 'bench');
  const userNames = Array.from({ length: count }, (_, i) => `signin-${i + 1}@${LOGIN_TENANT}.example.com`);
  const created = await load.run({
    name: 'sign-in users',
    port,
    headers: { Authorization: `Bearer ${token}` },
    mode: 'once',
    requests: userNames.map((userName, i) => ({ method: 'POST', path: `${SCIM_PREFIX}/Users`, body: JSON.stringify(userBody(userName, i + 1)) })),
    concurrency: 4,
    warmupMs: 0,
    durationMs: 0,
    maxRequests: Number.MAX_SAFE_INTEGER,
    expectStatus: 201,
  });
  if (created.errors > 0) throw new Error(`creating the sign-in users failed: ${created.firstError}`);
  const users = { tenant: LOGIN_TENANT, userNames, password: PASSWORD };
  const [first] = loginRequests(users);
  const response = await fetch(`http://127.0.0.1:${port}${first!.path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: first!.body });
  const body = (await response.json()) as { token?: unknown };
  if (response.status !== 200 || typeof body.token !== 'string') {
    throw new Error(`a sign-in user cannot log in: POST /auth/login -> ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  }
  return users;
}

/** One valid login per user; the load generator picks among them at random. */
export function loginRequests(users: LoginUsers): PlannedRequest[] {
  return users.userNames.map((userName) => ({
    method: 'POST',
    path: '/auth/login',
    body: JSON.stringify({ tenant: users.tenant, userName, password: users.password }),
  }));
}

function loginSpec(name: string, port: number, users: LoginUsers, phases: Phases, durationMs: number): LoadSpec {
  return {
    name,
    port,
    headers: {},
    mode: 'duration',
    requests: loginRequests(users),
    concurrency: phases.concurrency,
    warmupMs: phases.warmupMs,
    durationMs,
    maxRequests: 5_000_000,
    expectStatus: 200,
  };
}

/** passwords.verify from `concurrency` loops in this process for warm-up plus duration: the ceiling of logins/s. */
async function verifyLoops(passwords: PasswordHasher, hashed: string, password: string, concurrency: number, warmupMs: number, durationMs: number): Promise<LoadResult> {
  const started = performance.now();
  const measureFrom = started + warmupMs;
  const deadline = measureFrom + durationMs;
  const latencies: number[] = [];
  let completed = 0;
  let errors = 0;
  let lastEnd = measureFrom;
  const loop = async () => {
    while (performance.now() < deadline) {
      const begin = performance.now();
      const ok = await passwords.verify(hashed, password);
      const end = performance.now();
      completed++;
      if (!ok) errors++;
      if (begin >= measureFrom) {
        latencies.push(end - begin);
        lastEnd = Math.max(lastEnd, end);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { name: 'passwords.verify', latencies, errors, firstError: errors > 0 ? 'verify refused the right password' : undefined, elapsedMs: Math.max(1, lastEnd - measureFrom), completed, statuses: {} };
}

/** Runs a phase with the histogram recording the event loop's delay after the phase's warm-up. */
async function watched<T>(histogram: IntervalHistogram, warmupMs: number, phase: () => Promise<T>): Promise<T> {
  const timer = setTimeout(() => histogram.enable(), warmupMs);
  try {
    return await phase();
  } finally {
    clearTimeout(timer);
    histogram.disable();
  }
}

/**
 * CPU time of this process's main thread (the event loop's) so far, in milliseconds, from Linux's
 * /proc/self/task/<pid>/stat (utime and stime, in ticks of 10 ms); undefined where there is no such file.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // The fields after "pid (comm) ": state is the first, utime the 12th and stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

const p99Ms = (histogram: IntervalHistogram) => (histogram.count > 0 ? histogram.percentile(99) / 1e6 : NaN);


export interface LoginsResult {
  /** passwords.verify in this process at the same concurrency: what logins/s cannot exceed. */
  readonly ceiling: LoadStats;
  readonly logins: LoadStats;
  /** One verify on an otherwise idle pool (median of a few), in milliseconds. */
  readonly verifyMs: number;
  /** The event loop's delay p99 (ms) while logins ran, and while the pool verified with nothing else to do. */
  readonly loopDelayP99: { readonly logins: number; readonly ceiling: number };
  /** CPU time of the event loop's thread per login (ms), undefined where it cannot be read. */
  readonly loopCpuMsPerLogin: number | undefined;
}

/**
 * Logins/s over HTTP against the verify rate of the same hasher and concurrency, in alternating rounds. Whether
 * Argon2id stays off the event loop shows in the loop's own CPU time per login: were a verify run on the loop,
 * that would be at least one verify's time. The loop's delay is reported too, but on a machine with fewer cores
 * than busy threads it also counts the time the loop's thread waits for a core, blocked or not.
 */
export async function benchLogins(
  port: number,
  passwords: PasswordHasher,
  load: LoadGenerator,
  users: LoginUsers,
  phases: Phases,
  log: (line: string) => void,
): Promise<LoginsResult> {
  const hashed = await passwords.hash(users.password);
  const alone: number[] = [];
  for (let i = 0; i < 5; i++) {
    const begin = performance.now();
    await passwords.verify(hashed, users.password);
    alone.push(performance.now() - begin);
  }
  const verifyMs = alone.sort((a, b) => a - b)[2]!;
  const loopDuringLogins = monitorEventLoopDelay({ resolution: 10 });
  const loopDuringVerifies = monitorEventLoopDelay({ resolution: 10 });
  const ceilings: LoadResult[] = [];
  const logins: LoadResult[] = [];
  const durationMs = phases.durationMs / phases.rounds;
  let loopCpuMs: number | undefined = 0;
  for (let round = 1; round <= phases.rounds; round++) {
    const ceiling = checked(
      await watched(loopDuringVerifies, phases.warmupMs, () => verifyLoops(passwords, hashed, users.password, phases.concurrency, phases.warmupMs, durationMs)),
    );
    const cpuBefore = mainThreadCpuMs();
    const login = checked(await watched(loopDuringLogins, phases.warmupMs, () => load.run(loginSpec('POST /auth/login', port, users, phases, durationMs))));
    const cpuAfter = mainThreadCpuMs();
    loopCpuMs = loopCpuMs === undefined || cpuBefore === undefined || cpuAfter === undefined ? undefined : loopCpuMs + cpuAfter - cpuBefore;
    for (const [name, result] of [['passwords.verify', ceiling], ['POST /auth/login', login]] as const) {
      const stats = statsOf(result);
      log(`  round ${round}/${phases.rounds} ${name.padEnd(40)} ${stats.perSecond.toFixed(1).padStart(6)} /s, p50 ${stats.p50.toFixed(1)} ms, p99 ${stats.p99.toFixed(1)} ms`);
    }
    ceilings.push(ceiling);
    logins.push(login);
  }
  return {
    ceiling: statsOf(mergeResults(ceilings)),
    logins: statsOf(mergeResults(logins)),
    verifyMs,
    loopDelayP99: { logins: p99Ms(loopDuringLogins), ceiling: p99Ms(loopDuringVerifies) },
    // Every login answered counts here, the warm-up's too, as the CPU time covers them all.
    loopCpuMsPerLogin: loopCpuMs === undefined ? undefined : loopCpuMs / Math.max(1, logins.reduce((n, r) => n + r.completed, 0)),
  };
}

/**
 * A lookup's latency at a modest fixed rate, alone and while `phases.concurrency` login clients keep every Argon2
 * thread busy, in alternating rounds.
 */
export function benchLookupUnderLogins(
  port: number,
  lookups: LoadGenerator,
  loginLoad: LoadGenerator,
  users: LoginUsers,
  lookup: ProbeLoad,
  phases: Phases,
  log: (line: string) => void,
): Promise<UnderLoadResult> {
  return benchUnderLoad(port, lookups, loginLoad, lookup, (warmupMs, durationMs) => loginSpec('logins', port, users, { ...phases, warmupMs }, durationMs), phases, log);
}
