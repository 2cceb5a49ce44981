// Sign-in under load for `npm run bench`: POST /auth/login, alone or followed by a TOTP code (RFC 6238), against
// passwords.verify's own rate, the event loop meanwhile, and the latency of a userName lookup while sign-ins fill the CPU.
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import type { PasswordHasher } from '../auth/passwords.js';
import { totpCode, TOTP_PERIOD_SECONDS, totpStep } from '../auth/totp.js';
import { SCIM_PREFIX } from '../http/app.js';
import type { Store } from '../store/index.js';
import type { TenancyService } from '../tenancy/service.js';
import { mergeResults, statsOf, type LoadGenerator, type LoadResult, type LoadSpec, type LoadStats, type PlannedRequest } from './load.js';
import { deleteTenant } from './queries.js';
import { createTotpSteps, releaseUser, reserveStep, type TotpSteps } from './totp-steps.js';
import { BACKGROUND_WARMUP_MS, benchUnderLoad, checked, type Phases, type ProbeLoad, type UnderLoadResult } from './under-load.js';

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

/** Accounts set up with an authenticator app at once, while the bench prepares: untimed, and gentle on a shared machine. */
const ENROL_CONCURRENCY = 4;

export interface LoginUsers {
  readonly tenant: string;
  /** Users without a second factor: a right password signs them in. */
  readonly userNames: readonly string[];
  readonly password: string;
  /** Users with a confirmed second factor (none unless asked for). */
  readonly withCode: CodeUsers;
}

export interface CodeUsers {
  readonly userNames: readonly string[];
  /** Each user's key as POST /auth/mfa/enrol returned it (base32). */
  readonly secrets: readonly string[];
  /** The time steps they have used, shared with the load threads. */
  readonly steps: TotpSteps;
}


const userBody = (userName: string, n: number) => ({
  schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
  userName,
  name: { givenName: 'Sign-in', familyName: `Tester ${n}` },
  displayName: `Sign-in Tester ${n}`,
  emails: [{ value: userName, type: 'work', primary: true }],
  password: PASSWORD,
});

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A JSON POST to an /auth route, as the portal sends it. */
async function post(port: number, path: string, body: unknown, session?: string): Promise<Answer> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(session === undefined ? {} : { Authorization: `Bearer ${session}` }) },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const answered = (path: string, answer: Answer) => `POST ${path} -> ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;

/**
 * Sets up an authenticator app for a user as a portal user does it: sign in, POST /auth/mfa/enrol with the current
 * password, POST /auth/mfa/confirm with the app's code. The key, and the step whose code confirmed it: the server
 * takes no code of that step or an earlier one again.
 */
async function enrolSecondFactor(port: number, tenant: string, userName: string, password: string): Promise<{ secret: string; step: number }> {
  const login = await post(port, '/auth/login', { tenant, userName, password });
  if (login.status !== 200 || typeof login.body.token !== 'string') throw new Error(`${userName} cannot sign in: ${answered('/auth/login', login)}`);
  const session = login.body.token;
  const enrolled = await post(port, '/auth/mfa/enrol', { currentPassword: password }, session);
  if (enrolled.status !== 200 || typeof enrolled.body.secret !== 'string') throw new Error(`${userName}: ${answered('/auth/mfa/enrol', enrolled)}`);
  const secret = enrolled.body.secret;
  const at = new Date();
  const confirmed = await post(port, '/auth/mfa/confirm', { code: totpCode(decodeBase32IgnorePadding(secret), at) }, session);
  if (confirmed.status !== 200) throw new Error(`${userName}: ${answered('/auth/mfa/confirm', confirmed)}`);
  return { secret, step: totpStep(at) };
}

/** enrolSecondFactor for each user, ENROL_CONCURRENCY at a time; the first failure stops them all. */
async function enrolAll(port: number, tenant: string, userNames: readonly string[], password: string): Promise<CodeUsers> {
  const enrolled: { secret: string; step: number }[] = [];
  let next = 0;
  let failure: unknown;
  await Promise.all(
    Array.from({ length: ENROL_CONCURRENCY }, async () => {
      for (let i = next++; i < userNames.length && failure === undefined; i = next++) {
        try {
          enrolled[i] = await enrolSecondFactor(port, tenant, userNames[i]!, password);
        } catch (error) {
          failure ??= error;
        }
      }
    }),
  );
  if (failure !== undefined) throw failure;
  return { userNames, secrets: enrolled.map((e) => e.secret), steps: createTotpSteps(enrolled.map((e) => e.step)) };
}

/** One sign-in with a code before anything is timed: 403 mfa_required, then 200 for the code. */
async function tryCodeSignIn(port: number, users: LoginUsers): Promise<void> {
  const { withCode } = users;
  const reserved = reserveStep(withCode.steps, new Date());
  if (!reserved) throw new Error('no sign-in user with a second factor has a time step to use');
  try {
    const userName = withCode.userNames[reserved.user]!;
    const login = await post(port, '/auth/login', { tenant: users.tenant, userName, password: users.password });
    if (login.status !== 403 || login.body.error !== 'mfa_required') throw new Error(`${userName} is not asked for a code: ${answered('/auth/login', login)}`);
    const code = totpCode(decodeBase32IgnorePadding(withCode.secrets[reserved.user]!), new Date(reserved.step * TOTP_PERIOD_SECONDS * 1000));
    const verified = await post(port, '/auth/mfa/verify', { mfaToken: login.body.mfaToken, code });
    if (verified.status !== 200 || typeof verified.body.token !== 'string') throw new Error(`${userName}'s code is refused: ${answered('/auth/mfa/verify', verified)}`);
  } finally {
    releaseUser(withCode.steps, reserved.user);
  }
}

/**
 * Makes the sign-in tenant afresh with `count` users who have a known password, and `withCode` more who also have
 * an authenticator app. They are created by POST /Users, so the app's own hasher hashes the password (Argon2id) as it
 * would for an identity provider, and set up their app through /auth/mfa as a portal user would; a sign-in of each
 * kind is tried before anything is timed.
 */
export async function prepareLoginUsers(
  port: number,
  store: Store,
  tenancy: TenancyService,
  load: LoadGenerator,
  count: number,
  withCode = 0,
): Promise<LoginUsers> {
  // Sessions of earlier runs go with the tenant, so every run starts from the same state.
  await deleteTenant(store, LOGIN_TENANT);
  await tenancy.createTenant(LOGIN_TENANT);
  const { token } = await tenancy.createToken(LOGIN_TENANT, 'bench');
  const userNames = Array.from({ length: count }, (_, i) => `signin-${i + 1}@${LOGIN_TENANT}.example.com`);
  const codeUserNames = Array.from({ length: withCode }, (_, i) => `totp-${i + 1}@${LOGIN_TENANT}.example.com`);
  const created = await load.run({
    name: 'sign-in users',
    port,
    headers: { Authorization: `Bearer ${token}` },
    mode: 'once',
    requests: [...userNames, ...codeUserNames].map((userName, i) => ({ method: 'POST', path: `${SCIM_PREFIX}/Users`, body: JSON.stringify(userBody(userName, i + 1)) })),
    concurrency: 4,
    warmupMs: 0,
    durationMs: 0,
    maxRequests: Number.MAX_SAFE_INTEGER,
    expectStatus: 201,
  });
  if (created.errors > 0) throw new Error(`creating the sign-in users failed: ${created.firstError}`);
  const noCodes: CodeUsers = { userNames: [], secrets: [], steps: createTotpSteps([]) };
  const users: LoginUsers = {
    tenant: LOGIN_TENANT,
    userNames,
    password: PASSWORD,
    withCode: withCode > 0 ? await enrolAll(port, LOGIN_TENANT, codeUserNames, PASSWORD) : noCodes,
  };
  const login = await post(port, '/auth/login', { tenant: LOGIN_TENANT, userName: userNames[0], password: PASSWORD });
  if (login.status !== 200 || typeof login.body.token !== 'string') throw new Error(`a sign-in user cannot log in: ${answered('/auth/login', login)}`);
  if (withCode > 0) await tryCodeSignIn(port, users);
  return users;
}

/** One valid login per user; the load generator picks among them at random. */
export function loginRequests(users: LoginUsers, userNames: readonly string[] = users.userNames): PlannedRequest[] {
  return userNames.map((userName) => ({
    method: 'POST',
    path: '/auth/login',
    body: JSON.stringify({ tenant: users.tenant, userName, password: users.password }),
  }));
}

/** A kind of sign-in the login cases measure: its name in the round lines and under load, and its load. */
export interface SignInLoad {
  /** The requests, for the round lines: "POST /auth/login". */
  readonly name: string;
  /** What they are, for "under ..." and "... meanwhile": "logins". */
  readonly label: string;
  spec(phases: Phases, durationMs: number): LoadSpec;
}

const signInSpec = (name: string, port: number, phases: Phases, durationMs: number, requests: PlannedRequest[]): LoadSpec => ({
  name,
  port,
  headers: {},
  mode: 'duration',
  requests,
  concurrency: phases.concurrency,
  warmupMs: phases.warmupMs,
  durationMs,
  maxRequests: 5_000_000,
  expectStatus: 200,
});

/** Logins with a right password by users without a second factor, answered 200 with a session. */
export function plainLogins(port: number, users: LoginUsers): SignInLoad {
  const requests = loginRequests(users);
  return { name: 'POST /auth/login', label: 'logins', spec: (phases, durationMs) => signInSpec('POST /auth/login', port, phases, durationMs, requests) };
}

/**
 * Sign-ins of users with a second factor: POST /auth/login (403 mfa_required), then POST /auth/mfa/verify with the
 * code of a step the user has not used (200 with a session); one sign-in is the two.
 */
export function codeSignIns(port: number, users: LoginUsers): SignInLoad {
  const name = 'POST /auth/login + /auth/mfa/verify';
  const requests = loginRequests(users, users.withCode.userNames);
  const secondFactor = { secrets: users.withCode.secrets, steps: users.withCode.steps };
  return { name, label: 'TOTP sign-ins', spec: (phases, durationMs) => ({ ...signInSpec(name, port, phases, durationMs, requests), secondFactor }) };
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


export interface SignInResult {
  readonly stats: LoadStats;
  /** The event loop's delay p99 (ms) while these sign-ins ran. */
  readonly loopDelayP99: number;
  /** CPU time of the event loop's thread per sign-in (ms), undefined where it cannot be read. */
  readonly loopCpuMsPerSignIn: number | undefined;
}

export interface LoginsResult {
  /** passwords.verify in this process at the same concurrency: what sign-ins/s cannot exceed. */
  readonly ceiling: LoadStats;
  /** One verify on an otherwise idle pool (median of a few), in milliseconds. */
  readonly verifyMs: number;
  /** The event loop's delay p99 (ms) while the pool verified with nothing else to do. */
  readonly ceilingLoopDelayP99: number;
  /** One per sign-in load, in the order given. */
  readonly signIns: readonly SignInResult[];
}

/** One password verification alone, the median of five, in ms. */
async function verifyAloneMs(passwords: PasswordHasher, hashed: string, password: string): Promise<number> {
  const alone: number[] = [];
  for (let i = 0; i < 5; i++) {
    const begin = performance.now();
    await passwords.verify(hashed, password);
    alone.push(performance.now() - begin);
  }
  return alone.sort((a, b) => a - b)[2]!;
}

/**
 * How many users with an authenticator app the TOTP sign-ins need on this machine: each sign-in verifies a password,
 * so they run at most at the verify ceiling (`atOnce` verifications at a time), and a user gives one code per
 * TOTP step once its first two are spent (reserveStep). A step's worth of sign-ins at that ceiling, and a quarter
 * more, is enough on any machine (a fixed 600 ran out at 100 sign-ins a second).
 */
export async function totpUsersNeeded(passwords: PasswordHasher, atOnce: number): Promise<number> {
  const password = 'bench sizing the sign-in users';
  const ceilingPerSecond = (atOnce * 1000) / (await verifyAloneMs(passwords, await passwords.hash(password), password));
  return Math.ceil(ceilingPerSecond * TOTP_PERIOD_SECONDS * 1.25);
}

/**
 * Sign-ins/s over HTTP, of each load in `signIns`, against the verify rate of the same hasher and concurrency, in
 * rounds (the verifies, then each load in turn). Whether Argon2id stays off the event loop shows in the loop's own CPU
 * time per sign-in: were a verify run on the loop, that would be at least one verify's time. The loop's delay is
 * reported too, but on a machine with fewer cores than busy threads it also counts the time the loop's thread waits
 * for a core, blocked or not.
 */
export async function benchLogins(
  passwords: PasswordHasher,
  load: LoadGenerator,
  password: string,
  signIns: readonly SignInLoad[],
  phases: Phases,
  log: (line: string) => void,
): Promise<LoginsResult> {
  const hashed = await passwords.hash(password);
  const verifyMs = await verifyAloneMs(passwords, hashed, password);
  const loopDuringVerifies = monitorEventLoopDelay({ resolution: 10 });
  const ceilings: LoadResult[] = [];
  const kinds: { signIn: SignInLoad; loop: IntervalHistogram; results: LoadResult[]; loopCpuMs: number | undefined }[] = signIns.map((signIn) => ({
    signIn,
    loop: monitorEventLoopDelay({ resolution: 10 }),
    results: [],
    loopCpuMs: 0,
  }));
  const durationMs = phases.durationMs / phases.rounds;
  // Each kind runs once alone first, unmeasured: the preparation has warmed the plain logins' code paths, not the
  // code's (see BACKGROUND_WARMUP_MS).
  for (const kind of kinds) checked(await load.run(kind.signIn.spec({ ...phases, warmupMs: 0 }, phases.aloneMs ?? BACKGROUND_WARMUP_MS)));
  const line = (round: number, name: string, stats: LoadStats) =>
    log(`  round ${round}/${phases.rounds} ${name.padEnd(40)} ${stats.perSecond.toFixed(1).padStart(6)} /s, p50 ${stats.p50.toFixed(1)} ms, p99 ${stats.p99.toFixed(1)} ms`);
  for (let round = 1; round <= phases.rounds; round++) {
    const ceiling = checked(await watched(loopDuringVerifies, phases.warmupMs, () => verifyLoops(passwords, hashed, password, phases.concurrency, phases.warmupMs, durationMs)));
    line(round, 'passwords.verify', statsOf(ceiling));
    ceilings.push(ceiling);
    // Every other round in the reverse order, so that neither kind always follows the verifies.
    for (const kind of round % 2 === 1 ? kinds : [...kinds].reverse()) {
      const cpuBefore = mainThreadCpuMs();
      const result = checked(await watched(kind.loop, phases.warmupMs, () => load.run(kind.signIn.spec(phases, durationMs))));
      const cpuAfter = mainThreadCpuMs();
      kind.loopCpuMs = kind.loopCpuMs === undefined || cpuBefore === undefined || cpuAfter === undefined ? undefined : kind.loopCpuMs + cpuAfter - cpuBefore;
      line(round, kind.signIn.name, statsOf(result));
      kind.results.push(result);
    }
  }
  return {
    ceiling: statsOf(mergeResults(ceilings)),
    verifyMs,
    ceilingLoopDelayP99: p99Ms(loopDuringVerifies),
    signIns: kinds.map((kind) => ({
      stats: statsOf(mergeResults(kind.results)),
      loopDelayP99: p99Ms(kind.loop),
      // Every sign-in answered counts here, the warm-up's too, as the CPU time covers them all.
      loopCpuMsPerSignIn: kind.loopCpuMs === undefined ? undefined : kind.loopCpuMs / Math.max(1, kind.results.reduce((n, r) => n + r.completed, 0)),
    })),
  };
}

/**
 * A lookup's latency at a modest fixed rate, alone and while `phases.concurrency` sign-in clients keep every Argon2
 * thread busy, in alternating rounds.
 */
export function benchLookupUnderLogins(
  port: number,
  lookups: LoadGenerator,
  loginLoad: LoadGenerator,
  signIns: SignInLoad,
  lookup: ProbeLoad,
  phases: Phases,
  log: (line: string) => void,
): Promise<UnderLoadResult> {
  return benchUnderLoad(port, lookups, loginLoad, lookup, (warmupMs, durationMs) => ({ ...signIns.spec({ ...phases, warmupMs }, durationMs), name: signIns.label }), phases, log);
}
