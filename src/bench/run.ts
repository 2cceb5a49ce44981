#!/usr/bin/env node
// `npm run bench`: the query engine and sign-in under load over real HTTP, against baselines measured in the same run, with the plans behind it.
import { createHash, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import type { Server } from 'node:http';
import { parseArgs } from 'node:util';
import { serve, type ServerType } from '@hono/node-server';
import { createPasswordHasher, defaultMaxConcurrent } from '../auth/passwords.js';
import { loadConfig, type Config } from '../config.js';
import { createApp, SCIM_PREFIX, type App, type AppDeps } from '../http/app.js';
import { assembleAppDeps } from '../http/assemble.js';
import { createLogger } from '../http/logger.js';
import { createCursorCodec, type CursorCodec } from '../scim/cursor.js';
import { openConfiguredStore } from '../server.js';
import { migrate, openStore, type Store } from '../store/index.js';
import { serverSecret } from '../store/secrets.js';
import { createTenancyService, type TenancyService } from '../tenancy/service.js';
import { explainListRequest, type StatementPlan } from './explain.js';
import { figureRows, missing, renderFigures, type Database, type LookupFigure, type Maybe, type PassFigures } from './figures.js';
import { benchGroupPatch, type GroupPatchResult } from './group-patch.js';
import { createLoadGenerator, mergeResults, statsOf, type LoadGenerator, type LoadResult, type LoadSpec, type LoadStats, type PlannedRequest } from './load.js';
import {
  benchLogins,
  benchLookupUnderLogins,
  codeSignIns,
  LOGIN_TENANT,
  loginRequests,
  plainLogins,
  prepareLoginUsers,
  totpUsersNeeded,
  type LoginUsers,
  UNDER_LOGINS_TARGET,
  type LoginsResult,
  type SignInResult,
} from './logins.js';
import {
  baselineLookup,
  COMMON_SEARCH,
  CONSOLE_PAGE,
  CONSOLE_PAGE_HEADERS,
  consoleSearchFilter,
  countSeededGroups,
  countTenantHistory,
  countTenantUsers,
  createDatabase,
  databaseExists,
  deleteTenantUsers,
  sampleUsers,
  serverVersion,
  vacuumAnalyzeHistory,
  type SampleUser,
} from './queries.js';
import { historyHolds, seedHistory, seedTenant } from './seeder.js';
import { benchEventPush } from './event-push.js';
import { benchStreamWriteCost, type StreamWriteCostResult } from './stream-write-cost.js';
import { BULK_OPERATIONS, bulkChurnSpec, FAILING_CLIENT_RATE, FAILING_CLIENTS, failedLoginsSpec, RESILIENCE_TARGET, wrongPasswordsSpec } from './resilience.js';
import { measureServerMemory, type ServerMemory } from './server-memory.js';
import { BACKGROUND_WARMUP_MS, benchUnderLoad, type ProbeLoad, type UnderLoadResult } from './under-load.js';

const USAGE = `usage: npm run bench -- [--large 1000000] [--small 10000] [--pglite | --both] [--duration 10] [--rounds 5] [--warmup 0.5]
                          [--concurrency 8] [--cases baseline,userName,...] [--no-bulk] [--explain-only] [--strict] [--table-out file]
                          [--login-users 50] [--totp-users n] [--lookup-rate 50] [--password-slots n] [--attack-rate n]
                          [--history n]

  PostgreSQL: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/usher_bench), created if missing.
  --pglite     the embedded database in BENCH_DATA_DIR (default data/bench) instead; --large defaults to 100000.
  --both       PostgreSQL, then PGlite, in one run: the table then has both, and P6 (PGlite against PostgreSQL).
  --table-out  also write the closing table of figures (Markdown) to this file.
  Tenants bench-<size> are seeded when missing (npm run seed does the same by hand).
  Each case runs --duration seconds in all, split over --rounds turns, each turn after --warmup seconds unmeasured.
  --alone      seconds each kind of sign-in or background load runs alone, unmeasured, before its first round (2).
  --cases      some of: baseline, userName, externalId, emails, compound, sorted, cursor, list, search, historySearch, groupPatch,
               streamWriteCost, memory,
               logins, loginsTotp, underLogins, underLoginsTotp, healthzBulk, failedLogins, wrongPasswords (default
               all). The large tenant is seeded only for the cases before logins.
  list         the console's user list before a search: its first page of 25 by last name, without the total.
  search       the same page of a search for "sen" (the console's filter: user name, names and e-mails).
  historySearch  GET /History?search=sen&count=25&cursor= (the console's User History page), on a tenant
               whose History has --history entries (default 10 per user, when the case runs): seeded once,
               in batches built in the database, the small tenant in proportion.
  groupPatch   P2: PATCH one member in and out of "All Staff" (the seed's largest group), and of a group of 10.
  streamWriteCost  E2: PATCH a user's title in the small tenant with one poll stream of every provisioning event
               (full forms), made through POST /ssf/streams and deleted after each turn, and with no stream.
  memory       the real server (dist/main.js) started as a process of its own on the same database, after the
               other cases: its RSS after start, under lookups, and while a client reads "All Staff" whole (P5).
  --strict     exit non-zero when a target is missed, not only when a plan scans a large table.
  The run ends with one table: every figure with its target, PASS, MISS, or why it was not measured.

  Sign-in: tenant ${LOGIN_TENANT} is made afresh with --login-users users who have an Argon2id password.
  logins       --concurrency clients POST /auth/login; baseline: passwords.verify in-process at that concurrency.
  underLogins  userName eq lookups at --lookup-rate req/s on the small tenant, idle and while the login clients
               run; target: p99 under logins at most ${UNDER_LOGINS_TARGET}x the idle p99.
  loginsTotp, underLoginsTotp  the same with --totp-users more users who have an authenticator app (set up through
               /auth/mfa while preparing): each sign-in is POST /auth/login (403 mfa_required), then POST
               /auth/mfa/verify with the code of a time step the user has not used (200). A user's code is taken
               once per 30 s step, so the users must cover about 30 s of sign-ins: by default a quarter more than
               30 s at the password-verify ceiling, timed before they are made; the bench fails if they run out.
  healthzBulk  GET /healthz at --lookup-rate req/s, idle and while ${BULK_OPERATIONS}-operation Bulk requests run back to back.
  failedLogins userName eq lookups as in underLogins, idle and while ${FAILING_CLIENTS} clients fail to sign in, each
               request from another address (X-Forwarded-For behind TRUST_PROXY=1), --attack-rate failed sign-ins
               a second in all (default ${FAILING_CLIENTS * FAILING_CLIENT_RATE}; 0: as fast as the server answers).
  wrongPasswords the same lookups while one signed-in user posts wrong current passwords to /auth/password.
               Targets: each p99 under load at most ${RESILIENCE_TARGET}x its idle p99.
  --password-slots  Argon2id operations the app runs at once (default: the server's, cores - 1, at least 1).`;

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/usher_bench';
const SAMPLE = 2000;
const CURSOR_PAGE = 100;
const CURSOR_WALK_PAGES = 10;
const BULK_USERS = 1000;
/** Rounds of P3: each creates BULK_USERS users by sequential POSTs and as many by Bulk. */
const BULK_ROUNDS = 3;
/** History entries per user the historySearch case seeds by default (10M at 1M users). */
const HISTORY_PER_USER = 10;
/** What the History search looks for: a fragment of family names many users share, as the users' search does. */
const HISTORY_SEARCH = COMMON_SEARCH;
/** What the console's User History page asks for first (src/console/app/pages/HistoryPage.tsx). */
const HISTORY_PAGE = { search: HISTORY_SEARCH, count: '25', cursor: '' } as const;
const LOOKUPS = ['userName eq', 'externalId eq', 'emails[type eq "work"].value eq', 'compound'];
const RESILIENCE_CASES = ['healthzBulk', 'failedLogins', 'wrongPasswords'];
const CODE_CASES = ['loginsTotp', 'underLoginsTotp'];
/** Cases that need the large tenant but are not list requests taking turns. */
const OTHER_CASES = ['groupPatch', 'streamWriteCost', 'memory'];
const SIGN_IN_CASES = ['logins', 'loginsTotp', 'underLogins', 'underLoginsTotp', ...RESILIENCE_CASES];
/** At most this many lookups in flight during underLogins: enough that one slow answer does not hold up the schedule. */
const LOOKUP_CONCURRENCY = 4;

interface Options {
  readonly pglite: boolean;
  /** PostgreSQL, then PGlite. */
  readonly both: boolean;
  readonly tableOut: string | undefined;
  /** Undefined: 1,000,000 on PostgreSQL, 100,000 on PGlite. */
  readonly large: number | undefined;
  readonly small: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** How long each kind of sign-in or background load runs alone before its first round (Phases.aloneMs). */
  readonly aloneMs: number;
  readonly concurrency: number;
  readonly rounds: number;
  readonly cases: readonly string[] | undefined;
  readonly bulk: boolean;
  readonly explainOnly: boolean;
  readonly strict: boolean;
  readonly loginUsers: number;
  /** Sign-in users with a second factor, for the TOTP cases; undefined: as many as the machine needs (totpUsersNeeded). */
  readonly totpUsers: number | undefined;
  readonly lookupRate: number;
  /** Failed sign-ins a second in all; 0: as fast as they are answered. */
  readonly attackRate: number;
  readonly passwordSlots: number | undefined;
  /** History entries in the large tenant for historySearch; undefined: HISTORY_PER_USER per user. */
  readonly history: number | undefined;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      pglite: { type: 'boolean' },
      both: { type: 'boolean' },
      'table-out': { type: 'string' },
      large: { type: 'string' },
      small: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      alone: { type: 'string' },
      concurrency: { type: 'string' },
      rounds: { type: 'string' },
      cases: { type: 'string' },
      'no-bulk': { type: 'boolean' },
      'explain-only': { type: 'boolean' },
      strict: { type: 'boolean' },
      'login-users': { type: 'string' },
      'totp-users': { type: 'string' },
      'lookup-rate': { type: 'string' },
      'attack-rate': { type: 'string' },
      'password-slots': { type: 'string' },
      history: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const number = (name: string, value: string | undefined, fallback: number, min = 1) => {
    if (value === undefined) return fallback;
    const n = Number(value.replace(/_/g, ''));
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number of at least ${min}, got "${value}"`);
    return n;
  };
  const pglite = values.pglite ?? false;
  return {
    pglite,
    both: values.both ?? false,
    tableOut: values['table-out'],
    large: values.large === undefined ? undefined : Math.floor(number('large', values.large, 0)),
    small: Math.floor(number('small', values.small, 10_000)),
    durationMs: number('duration', values.duration, 10, 0.1) * 1000,
    warmupMs: number('warmup', values.warmup, 0.5, 0) * 1000,
    aloneMs: number('alone', values.alone, BACKGROUND_WARMUP_MS / 1000, 0) * 1000,
    rounds: Math.floor(number('rounds', values.rounds, 5)),
    cases: values.cases?.split(',').map((c) => c.trim()),
    bulk: !(values['no-bulk'] ?? false),
    concurrency: Math.floor(number('concurrency', values.concurrency, 8)),
    explainOnly: values['explain-only'] ?? false,
    strict: values.strict ?? false,
    loginUsers: Math.floor(number('login-users', values['login-users'], 50)),
    totpUsers: values['totp-users'] === undefined ? undefined : Math.floor(number('totp-users', values['totp-users'], 1)),
    lookupRate: number('lookup-rate', values['lookup-rate'], 50),
    attackRate: number('attack-rate', values['attack-rate'], FAILING_CLIENTS * FAILING_CLIENT_RATE, 0),
    passwordSlots: values['password-slots'] === undefined ? undefined : Math.floor(number('password-slots', values['password-slots'], 1)),
    history: values.history === undefined ? undefined : Math.floor(number('history', values.history, 0, 0)),
  };
}

/** 10000 -> "10k", 1000000 -> "1m". */
function sizeLabel(size: number): string {
  if (size % 1_000_000 === 0) return `${size / 1_000_000}m`;
  if (size % 1000 === 0) return `${size / 1000}k`;
  return String(size);
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.slice(1));
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const store = await openStore({ databaseUrl: admin.toString(), databasePoolSize: 1, dataDir: undefined });
  try {
    if (!(await databaseExists(store, name))) {
      log(`creating database ${name}`);
      await createDatabase(store, name);
    }
  } finally {
    await store.close();
  }
}

/** How many members the seed gives "All Staff" in a bench tenant of this size. */
function bigGroupOf(size: number): number {
  return Math.min(100_000, Math.ceil(size / 10));
}

interface BenchTenant {
  readonly slug: string;
  readonly label: string;
  readonly size: number;
  readonly id: string;
  readonly token: string;
  samples: SampleUser[];
}

/**
 * Seeds the tenant unless it holds exactly the users and groups a seed of this size makes, and its History unless it
 * holds `history` entries (when given).
 */
async function ensureTenant(store: Store, tenancy: TenancyService, size: number, jobs: number, history?: number): Promise<BenchTenant> {
  const slug = `bench-${sizeLabel(size)}`;
  const groups = Math.ceil(size / 100);
  const { tenant } = await tenancy.createTenant(slug);
  const users = await countTenantUsers(store, tenant.id);
  if (users !== size || (await countSeededGroups(store, tenant.id, groups)) !== groups) {
    log(`seeding ${slug} (it has ${users} users, wants ${size})`);
    await seedTenant(
      store,
      tenancy,
      { tenant: slug, users: size, groups, bigGroup: bigGroupOf(size), batchSize: 10_000, jobs, replace: true, clock: () => new Date() },
      (line) => log(`  ${line}`),
    );
  }
  if (history !== undefined && !historyHolds(await countTenantHistory(store, tenant.id), history)) {
    log(`seeding ${history.toLocaleString('en-US')} History entries of ${slug}`);
    await seedHistory(store, { tenantId: tenant.id, entries: history, users: size, batchSize: 100_000, jobs, clock: () => new Date() }, (line) => log(`  ${line}`));
    await vacuumAnalyzeHistory(store);
  }
  const { token } = await tenancy.createToken(slug, 'bench');
  return { slug, label: sizeLabel(size), size, id: tenant.id, token, samples: [] };
}

/** Counts the statements the app sends to the database, to show how many a request of each case costs. */
interface CountingStore extends Store {
  statements: number;
}

function countingStore(store: Store): CountingStore {
  const counted: CountingStore = {
    statements: 0,
    kind: store.kind,
    query(text, params, options) {
      counted.statements++;
      return store.query(text, params, options);
    },
    transaction(fn) {
      return store.transaction((tx) =>
        fn({
          query(text, params, options) {
            counted.statements++;
            return tx.query(text, params, options);
          },
          execScript: (script) => tx.execScript(script),
        }),
      );
    },
    close: () => store.close(),
    // The app's token cache listens for revocations through the store (src/tenancy/token-cache.ts).
    listen: store.listen?.bind(store),
  };
  return counted;
}

interface RunningApp {
  readonly port: number;
  readonly deps: AppDeps;
  readonly store: CountingStore;
  stop(): Promise<void>;
}

/**
 * The real app, assembled as src/server.ts does, plus the baseline route, on a loopback port; `passwordSlots`
 * overrides how many Argon2id operations the hasher runs at once.
 */
async function startApp(config: Config, database: Store, passwordSlots: number | undefined): Promise<RunningApp> {
  const clock = () => new Date();
  const store = countingStore(database);
  const tenancy = createTenancyService({ store, clock, newId: randomUUID });
  const cursorSecret = await serverSecret(store, 'list-cursor');
  let app: App | undefined;
  let http: ServerType | undefined;
  const port = await new Promise<number>((resolve, reject) => {
    http = serve(
      { fetch: (request, env) => (app ? app.fetch(request, env) : new Response(null, { status: 503 })), hostname: '127.0.0.1', port: 0 },
      (info) => resolve(info.port),
    );
    http.once('error', reject);
  });
  const deps = assembleAppDeps({
    store,
    clock,
    newId: randomUUID,
    tenancy,
    // Access logs to a terminal would cost more than some of the requests measured.
    logger: createLogger('warn'),
    publicUrl: `http://127.0.0.1:${port}`,
    settings: config,
    cursorSecret,
    ...(passwordSlots === undefined ? {} : { passwords: createPasswordHasher({ maxConcurrent: passwordSlots, maxWaiting: config.auth.hashQueueMax }) }),
  });
  const built = createApp(deps);
  // The baseline: the one indexed statement a userName lookup needs, in the same process, server and middleware.
  built.get('/bench/baseline', async (c) => {
    const row = await baselineLookup(store, c.req.query('tenant') ?? '', c.req.query('userName') ?? '');
    return row ? c.json(row) : c.json({ detail: 'not found' }, 404);
  });
  app = built;
  return {
    port,
    deps,
    store,
    stop: () => new Promise<void>((resolve) => (http as Server).close(() => resolve())),
  };
}

// --- the cases -------------------------------------------------------------------------------------------------

interface Case {
  /** A short name for --cases. */
  readonly id: string;
  readonly name: string;
  /** The list request's parameters, for EXPLAIN (undefined for the baseline, which is not a list). */
  readonly explain?: (t: BenchTenant) => Record<string, string>;
  /** The request asks for its page without the total (Prefer: totalResults=omit), as the console does. */
  readonly omitTotal?: true;
  readonly requests: (t: BenchTenant) => PlannedRequest[];
  readonly walk?: boolean;
}

const users = (params: Record<string, string>) => `${SCIM_PREFIX}/Users?${new URLSearchParams(params).toString()}`;
const str = (value: string) => JSON.stringify(value);
const compound = (a: SampleUser, b: SampleUser) => `(userName eq ${str(a.user_name)} or userName eq ${str(b.user_name)}) and active eq true`;

/**
 * The list runner binds a cursor to the tenant and the query it walks (src/resources/list.ts); the benchmark makes
 * the same binding to start walks at arbitrary users. The server refuses a cursor made differently (400).
 */
function startCursor(cursors: CursorCodec, tenantId: string, sample: SampleUser): string {
  const scope = createHash('sha256').update(JSON.stringify([tenantId, 'User', null, null, null])).digest('base64url');
  return cursors.encode({ key: sample.created, id: sample.id, direction: 'next' }, scope);
}

function cases(cursors: CursorCodec): Case[] {
  const each = (t: BenchTenant, f: (s: SampleUser, i: number) => PlannedRequest) => t.samples.map(f);
  return [
    {
      id: 'baseline',
      name: 'baseline',
      requests: (t) => each(t, (s) => ({ method: 'GET', path: `/bench/baseline?${new URLSearchParams({ tenant: t.id, userName: s.user_name }).toString()}` })),
    },
    {
      id: 'userName',
      name: 'userName eq',
      explain: (t) => ({ filter: `userName eq ${str(t.samples[0]!.user_name)}` }),
      requests: (t) => each(t, (s) => ({ method: 'GET', path: users({ filter: `userName eq ${str(s.user_name)}` }) })),
    },
    {
      id: 'externalId',
      name: 'externalId eq',
      explain: (t) => ({ filter: `externalId eq ${str(t.samples[0]!.external_id)}` }),
      requests: (t) => each(t, (s) => ({ method: 'GET', path: users({ filter: `externalId eq ${str(s.external_id)}` }) })),
    },
    {
      id: 'emails',
      name: 'emails[type eq "work"].value eq',
      explain: (t) => ({ filter: `emails[type eq "work"].value eq ${str(t.samples[0]!.work_email)}` }),
      requests: (t) => each(t, (s) => ({ method: 'GET', path: users({ filter: `emails[type eq "work"].value eq ${str(s.work_email)}` }) })),
    },
    {
      id: 'compound',
      name: 'compound',
      explain: (t) => ({ filter: compound(t.samples[0]!, t.samples[1]!) }),
      requests: (t) => each(t, (s, i) => ({ method: 'GET', path: users({ filter: compound(s, t.samples[(i + 1) % t.samples.length]!) }) })),
    },
    {
      id: 'sorted',
      name: 'sorted page',
      explain: () => ({ sortBy: 'name.familyName', count: '50', startIndex: '1' }),
      requests: () => [{ method: 'GET', path: users({ sortBy: 'name.familyName', count: '50', startIndex: '1' }) }],
    },
    {
      id: 'cursor',
      name: 'cursor walk (per page)',
      explain: (t) => ({ cursor: startCursor(cursors, t.id, t.samples[0]!), count: String(CURSOR_PAGE) }),
      requests: (t) => each(t, (s) => ({ method: 'GET', path: users({ count: String(CURSOR_PAGE), cursor: startCursor(cursors, t.id, s) }) })),
      walk: true,
    },
    {
      id: 'list',
      name: 'list (console, first page)',
      explain: () => ({ ...CONSOLE_PAGE }),
      omitTotal: true,
      requests: () => [{ method: 'GET', path: users({ ...CONSOLE_PAGE }), headers: CONSOLE_PAGE_HEADERS }],
    },
    {
      id: 'search',
      name: 'search (console, first page)',
      explain: () => ({ ...CONSOLE_PAGE, filter: consoleSearchFilter(COMMON_SEARCH) }),
      omitTotal: true,
      requests: () => [{ method: 'GET', path: users({ ...CONSOLE_PAGE, filter: consoleSearchFilter(COMMON_SEARCH) }), headers: CONSOLE_PAGE_HEADERS }],
    },
    {
      id: 'historySearch',
      name: 'History search (first page)',
      omitTotal: true,
      requests: () => [{ method: 'GET', path: `${SCIM_PREFIX}/History?${new URLSearchParams(HISTORY_PAGE).toString()}`, headers: CONSOLE_PAGE_HEADERS }],
    },
  ];
}

/** One request of each case through the server, checked, before anything is timed: a fast wrong answer is no result. */
async function preflight(port: number, t: BenchTenant, c: Case): Promise<void> {
  const first = c.requests(t)[0]!;
  const response = await fetch(`http://127.0.0.1:${port}${first.path}`, { headers: { ...first.headers, Authorization: `Bearer ${t.token}` } });
  const body = (await response.json()) as Record<string, unknown>;
  const fail = (why: string) => {
    throw new Error(`${c.name} on ${t.slug}: ${why}: ${first.path} -> ${response.status} ${JSON.stringify(body).slice(0, 300)}`);
  };
  if (response.status !== 200) fail('not 200');
  const resources = (body.Resources ?? []) as { id: string; name?: { familyName?: string } }[];
  if (c.name === 'baseline') {
    if (body.id !== t.samples[0]!.id) fail('baseline found another user');
  } else if (LOOKUPS.includes(c.name) && c.name !== 'compound') {
    if (body.totalResults !== 1 || resources[0]?.id !== t.samples[0]!.id) fail('expected exactly the sampled user');
  } else if (c.name === 'sorted page') {
    const names = resources.map((r) => r.name?.familyName?.toLowerCase() ?? '');
    if (resources.length !== Math.min(50, t.size) || names.some((n, i) => i > 0 && n < names[i - 1]!)) fail('not 50 users by familyName');
  } else if (c.id === 'historySearch') {
    if (resources.length !== 25) fail('not a page of 25 History entries');
  } else if (c.walk && (resources.length === 0 || (resources.length === CURSOR_PAGE && typeof body.nextCursor !== 'string'))) {
    fail('no page or no nextCursor');
  }
}

// --- reporting -------------------------------------------------------------------------------------------------

interface Measured {
  readonly tenant: BenchTenant;
  readonly caseId: string;
  readonly caseName: string;
  readonly stats: LoadStats;
  /** Database statements per request (or per page of a cursor walk). */
  readonly statements: number;
}

function pad(value: string, width: number, right = false): string {
  return right ? value.padStart(width) : value.padEnd(width);
}

function ratio(a: number | undefined, b: number | undefined): string {
  return a === undefined || b === undefined || !Number.isFinite(a / b) ? '-' : `${(a / b).toFixed(2)}x`;
}

function printTable(measured: Measured[], small: BenchTenant, large: BenchTenant): void {
  const find = (t: BenchTenant, name: string) => measured.find((m) => m.tenant === t && m.caseName === name)?.stats;
  const header = ['case', 'users', 'req/s', 'p50 ms', 'p99 ms', 'vs baseline', `${large.label}/${small.label}`, 'SQL/req'];
  const widths = [32, 6, 9, 8, 8, 12, 9, 8];
  log(header.map((h, i) => pad(h, widths[i]!, i > 1)).join(' '));
  log(widths.map((w) => '-'.repeat(w)).join(' '));
  for (const name of [...new Set(measured.map((m) => m.caseName))]) {
    for (const t of [small, large]) {
      const s = find(t, name);
      if (!s) continue;
      const cells = [
        name,
        t.label,
        s.perSecond.toFixed(0),
        s.p50.toFixed(2),
        s.p99.toFixed(2),
        ratio(s.perSecond, find(t, 'baseline')?.perSecond),
        t === large ? ratio(s.perSecond, find(small, name)?.perSecond) : '',
        (measured.find((m) => m.tenant === t && m.caseName === name)?.statements ?? NaN).toFixed(1),
      ];
      log(cells.map((c, i) => pad(c, widths[i]!, i > 1)).join(' '));
    }
  }
}

/** The issue's targets: at the large size, every lookup reaches 75% of the baseline and 90% of its own small-size rate. */
function checkTargets(measured: Measured[], small: BenchTenant, large: BenchTenant): string[] {
  const rate = (t: BenchTenant, name: string) => measured.find((m) => m.tenant === t && m.caseName === name)?.stats.perSecond;
  const missed: string[] = [];
  const baseline = rate(large, 'baseline');
  for (const name of LOOKUPS) {
    const at = rate(large, name);
    if (at === undefined) continue;
    const ofBaseline = at !== undefined && baseline !== undefined ? at / baseline : NaN;
    const ofSmall = at !== undefined ? at / (rate(small, name) ?? NaN) : NaN;
    const ok1 = ofBaseline >= 0.75;
    const ok2 = ofSmall >= 0.9;
    log(`  ${pad(name, 32)} ${ok1 ? 'PASS' : 'MISS'} ${ofBaseline.toFixed(2)}x of baseline (>= 0.75)   ${ok2 ? 'PASS' : 'MISS'} ${ofSmall.toFixed(2)}x of ${small.label} (>= 0.90)`);
    if (!ok1) missed.push(`${name}: ${ofBaseline.toFixed(2)}x of baseline`);
    if (!ok2) missed.push(`${name}: ${ofSmall.toFixed(2)}x of its ${small.label} rate`);
  }
  return missed;
}

function printPlans(name: string, t: BenchTenant, plans: StatementPlan[], full: boolean): void {
  log(`-- ${name} [${t.slug}]`);
  for (const p of plans) {
    const verdict = p.seqScans.length > 0 ? `SEQ SCAN: ${p.seqScans.join(', ')}` : 'indexed';
    log(`   ${pad(p.role, 6)} ${verdict}; reads ${p.rowsRead} rows in ${p.ms.toFixed(2)} ms`);
    log(`          custom:  ${p.custom.join('; ') || '(no table)'}`);
    log(`          generic: ${p.generic.join('; ') || '(no table)'}`);
    if (full && p.role !== 'groups') for (const line of p.plan) log(`          | ${line}`);
  }
}

// --- Bulk versus sequential POSTs --------------------------------------------------------------------------------

function userBodyFor(run: string, n: number): Record<string, unknown> {
  const userName = `bulk-${run}-${n}@bench-write.example.com`;
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'],
    userName,
    externalId: `bulk-${run}-${n}`,
    name: { givenName: 'Bulk', familyName: `Tester ${n}`, formatted: `Bulk Tester ${n}` },
    displayName: `Bulk Tester ${n}`,
    active: true,
    emails: [{ value: userName, type: 'work', primary: true }],
    phoneNumbers: [{ value: `+1 212 555 ${String(n % 10000).padStart(4, '0')}`, type: 'work' }],
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: String(n), department: 'Benchmarks' },
  };
}

async function benchBulk(
  load: LoadGenerator,
  port: number,
  store: Store,
  tenancy: TenancyService,
): Promise<{ line: string; ratio?: number } > {
  const { tenant } = await tenancy.createTenant('bench-write');
  const { token } = await tenancy.createToken('bench-write', 'bench');
  const headers = { Authorization: `Bearer ${token}` };
  const probe = await fetch(`http://127.0.0.1:${port}${SCIM_PREFIX}/Bulk`, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'application/scim+json' },
    body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] }),
  });
  await probe.arrayBuffer();
  if (probe.status === 404) return { line: 'Bulk: skipped, POST /scim/v2/Bulk answers 404 (not available in this build)' };
  const config = (await (await fetch(`http://127.0.0.1:${port}${SCIM_PREFIX}/ServiceProviderConfig`, { headers })).json()) as {
    bulk?: { maxOperations?: number };
  };
  const maxOperations = Math.max(1, Math.min(BULK_USERS, config.bulk?.maxOperations ?? BULK_USERS));

  const base = { port, headers, warmupMs: 0, durationMs: 0, maxRequests: Number.MAX_SAFE_INTEGER, mode: 'once' as const, concurrency: 1 };
  const run = randomUUID().slice(0, 8);
  const posts = (from: number, count: number): PlannedRequest[] =>
    Array.from({ length: count }, (_, i) => ({ method: 'POST', path: `${SCIM_PREFIX}/Users`, body: JSON.stringify(userBodyFor(run, from + i)) }));
  const bulkRequests = (from: number): PlannedRequest[] => {
    const requests: PlannedRequest[] = [];
    for (let at = from; at < from + BULK_USERS; at += maxOperations) {
      const count = Math.min(maxOperations, from + BULK_USERS - at);
      const body = {
        schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
        Operations: Array.from({ length: count }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `u${at + i}`, data: userBodyFor(run, at + i) })),
      };
      requests.push({ method: 'POST', path: `${SCIM_PREFIX}/Bulk`, body: JSON.stringify(body) });
    }
    return requests;
  };
  // Warm both paths a little, then start from an empty tenant for each measurement.
  await load.run({ ...base, name: 'warm posts', requests: posts(-100, 50), expectStatus: 201 });
  await store.transaction((tx) => deleteTenantUsers(tx, tenant.id));
  // Rounds, taking turns at going first, so that whatever else the machine does falls on both alike: one pair of
  // runs swung from 1.2x to 3x on a busy machine.
  let seqMs = 0;
  let bulkMs = 0;
  const rounds: string[] = [];
  for (let round = 0; round < BULK_ROUNDS; round++) {
    const from = 2 * round * BULK_USERS;
    const measure = async (kind: 'sequential' | 'bulk') => {
      const result =
        kind === 'sequential'
          ? await load.run({ ...base, name: 'sequential', requests: posts(from, BULK_USERS), expectStatus: 201 })
          : await load.run({ ...base, name: 'bulk', requests: bulkRequests(from + BULK_USERS), expectStatus: 200 });
      if (result.errors > 0) throw new Error(`${kind === 'bulk' ? 'Bulk request' : 'sequential POSTs'} failed: ${result.firstError}`);
      const created = await countTenantUsers(store, tenant.id);
      await store.transaction((tx) => deleteTenantUsers(tx, tenant.id));
      if (created !== BULK_USERS) throw new Error(`${kind} answered success but created ${created} of ${BULK_USERS} users`);
      return result.elapsedMs;
    };
    const order = round % 2 === 0 ? (['sequential', 'bulk'] as const) : (['bulk', 'sequential'] as const);
    const ms: Record<string, number> = {};
    for (const kind of order) ms[kind] = await measure(kind);
    seqMs += ms.sequential!;
    bulkMs += ms.bulk!;
    rounds.push(`${(ms.sequential! / ms.bulk!).toFixed(2)}x`);
  }
  const seqRate = (BULK_ROUNDS * BULK_USERS * 1000) / seqMs;
  const bulkRate = (BULK_ROUNDS * BULK_USERS * 1000) / bulkMs;
  const split = maxOperations < BULK_USERS ? ` in Bulk requests of ${maxOperations} (maxOperations)` : ' in one Bulk request';
  return {
    line:
      `Bulk: ${BULK_USERS} creates${split}: ${bulkRate.toFixed(0)} users/s; ${BULK_USERS} sequential POSTs on one connection: ${seqRate.toFixed(0)} users/s; ` +
      `ratio ${(bulkRate / seqRate).toFixed(2)}x (target >= 2x) ${bulkRate / seqRate >= 2 ? 'PASS' : 'MISS'}; ${BULK_ROUNDS} rounds: ${rounds.join(' ')}`,
    ratio: bulkRate / seqRate,
  };
}

// --- Sign-in ----------------------------------------------------------------------------------------------------

/** The event loop's lines of a sign-in case: its CPU per sign-in against one verify (PASS/MISS), and its delay. */
function reportEventLoop(id: string, r: LoginsResult, s: SignInResult, what: { one: string; many: string }): { lines: string[]; missed: string[] } {
  const cpu = s.loopCpuMsPerSignIn;
  const free = cpu === undefined ? undefined : cpu < r.verifyMs;
  const verdict = free === undefined ? '(its CPU time cannot be read here)' : `${free ? 'PASS' : 'MISS'} (Argon2id off the event loop: its CPU per ${what.one} < one verify)`;
  return {
    lines: [
      `  event loop: ${cpu === undefined ? '?' : cpu.toFixed(1)} ms of its thread's CPU per ${what.one}, one verify alone takes ${r.verifyMs.toFixed(0)} ms ${verdict}`,
      `  event-loop delay p99: ${s.loopDelayP99.toFixed(1)} ms during ${what.many}, ${r.ceilingLoopDelayP99.toFixed(1)} ms during in-process verifies (${ratio(s.loopDelayP99, r.ceilingLoopDelayP99)})`,
    ],
    missed: free === false ? [`${id}: ${cpu!.toFixed(1)} ms of event-loop CPU per ${what.one}, not below one verify (${r.verifyMs.toFixed(0)} ms)`] : [],
  };
}

function reportLogins(r: LoginsResult, s: SignInResult, concurrency: number): { lines: string[]; missed: string[] } {
  const loop = reportEventLoop('logins', r, s, { one: 'login', many: 'logins' });
  return {
    lines: [
      `logins: ${concurrency} clients POST /auth/login: ${s.stats.perSecond.toFixed(1)} logins/s (p50 ${s.stats.p50.toFixed(0)} ms, p99 ${s.stats.p99.toFixed(0)} ms); ` +
        `passwords.verify in-process, ${concurrency} at once (the ceiling): ${r.ceiling.perSecond.toFixed(1)}/s; ratio ${ratio(s.stats.perSecond, r.ceiling.perSecond)}`,
      ...loop.lines,
    ],
    missed: loop.missed,
  };
}

/** TOTP sign-ins against the ceiling, and against plain logins when they ran in the same rounds. */
function reportCodeSignIns(r: LoginsResult, s: SignInResult, plain: SignInResult | undefined, concurrency: number): { lines: string[]; missed: string[] } {
  const loop = reportEventLoop('loginsTotp', r, s, { one: 'sign-in', many: 'TOTP sign-ins' });
  return {
    lines: [
      `loginsTotp: ${concurrency} clients sign in with a TOTP code (POST /auth/login, then POST /auth/mfa/verify): ` +
        `${s.stats.perSecond.toFixed(1)} sign-ins/s (p50 ${s.stats.p50.toFixed(0)} ms, p99 ${s.stats.p99.toFixed(0)} ms); ` +
        `passwords.verify in-process, ${concurrency} at once (the ceiling): ${r.ceiling.perSecond.toFixed(1)}/s; ratio ${ratio(s.stats.perSecond, r.ceiling.perSecond)}`,
      plain
        ? `  against plain logins in the same rounds: ${plain.stats.perSecond.toFixed(1)} logins/s; ratio ${ratio(s.stats.perSecond, plain.stats.perSecond)}`
        : '  against plain logins: not measured (the logins case did not run)',
      ...loop.lines,
    ],
    missed: loop.missed,
  };
}

/** "412 requests answered 401: 95%, 429: 5%". */
function statusMix(statuses: Readonly<Record<number, number>>): string {
  const total = Object.values(statuses).reduce((n, count) => n + count, 0);
  const shares = Object.entries(statuses).map(([status, count]) => `${status}: ${((100 * count) / Math.max(1, total)).toFixed(0)}%`);
  return `${total} requests answered ${shares.join(', ')}`;
}

function reportUnderLoad(id: string, probe: string, r: UnderLoadResult, target: number): { lines: string[]; missed: string[] } {
  const ok = r.ratio <= target;
  return {
    lines: [
      `${id}: ${probe}: idle p50 ${r.idle.p50.toFixed(2)} ms, p99 ${r.idle.p99.toFixed(2)} ms (${r.idle.requests} requests); ` +
        (r.loaded.requests > 0
          ? `under load: p50 ${r.loaded.p50.toFixed(2)} ms, p99 ${r.loaded.p99.toFixed(2)} ms (${r.loaded.requests} requests)`
          : 'under load: none answered within the measured time (0 requests)'),
      `  the load: ${statusMix(r.backgroundStatuses)}`,
      `  p99 under load / idle p99: ${ratio(r.loaded.p99, r.idle.p99)} (target <= ${target.toFixed(1)}x) ${ok ? 'PASS' : 'MISS'}; ` +
        `round by round: ${r.roundRatios.map((x) => `${x.toFixed(2)}x`).join(' ')}`,
    ],
    missed: ok ? [] : [`${id}: p99 ${r.ratio.toFixed(2)}x the idle p99`],
  };
}

/** `what`: the clients ("login"), what they do ("logins"). */
function reportUnderLogins(id: string, what: { client: string; many: string }, r: UnderLoadResult, t: BenchTenant, rate: number, concurrency: number): { lines: string[]; missed: string[] } {
  const ok = r.ratio <= UNDER_LOGINS_TARGET;
  return {
    lines: [
      `${id}: userName eq on ${t.slug} at ${rate} req/s: idle p50 ${r.idle.p50.toFixed(2)} ms, p99 ${r.idle.p99.toFixed(2)} ms (${r.idle.requests} requests); ` +
        `with ${concurrency} ${what.client} clients (${r.background.perSecond.toFixed(1)} ${what.many}/s): p50 ${r.loaded.p50.toFixed(2)} ms, p99 ${r.loaded.p99.toFixed(2)} ms (${r.loaded.requests} requests)`,
      `  p99 under ${what.many} / idle p99: ${ratio(r.loaded.p99, r.idle.p99)} (target <= ${UNDER_LOGINS_TARGET.toFixed(1)}x) ${ok ? 'PASS' : 'MISS'}; ` +
        `round by round: ${r.roundRatios.map((x) => `${x.toFixed(2)}x`).join(' ')}`,
    ],
    missed: ok ? [] : [`${id}: p99 ${r.ratio.toFixed(2)}x the idle p99`],
  };
}

/** A session of the first sign-in user. */
async function signIn1(port: number, users: LoginUsers): Promise<string> {
  const [first] = loginRequests(users);
  const response = await fetch(`http://127.0.0.1:${port}${first!.path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: first!.body });
  const body = (await response.json()) as { token?: unknown };
  if (response.status !== 200 || typeof body.token !== 'string') throw new Error(`cannot sign in: POST /auth/login -> ${response.status}`);
  return body.token;
}

// --- main --------------------------------------------------------------------------------------------------------

interface Pass extends Omit<Options, 'large'> {
  readonly large: number;
}

/** One database's run: the detailed lines as it goes, and its figures for the closing table. */
async function runPass(options: Pass): Promise<{ figures: PassFigures; failed: boolean }> {
  const url = process.env.BENCH_DATABASE_URL || DEFAULT_URL;
  const database: Database = options.pglite ? 'PGlite' : 'PostgreSQL';
  // TRUST_PROXY=1: the abuse cases send each request from an address of its own in X-Forwarded-For, as clients
  // behind a load balancer arrive; the other cases send none and are seen at the socket's address.
  // STATEMENT_TIMEOUT_MS=0: a seed batch of 10,000 users can take longer than a request's 5 s on a busy machine.
  const config = options.pglite
    ? loadConfig({ DATA_DIR: process.env.BENCH_DATA_DIR || 'data/bench', PORT: '0', TRUST_PROXY: '1', STATEMENT_TIMEOUT_MS: '0' })
    : loadConfig({ DATABASE_URL: url, PORT: '0', TRUST_PROXY: '1', STATEMENT_TIMEOUT_MS: '0' });
  const wanted = (id: string) => !options.cases || options.cases.includes(id);
  const queryCases = !options.cases || options.cases.some((id) => !SIGN_IN_CASES.includes(id));
  if (!options.pglite) await ensureDatabase(url);
  const { store, release } = await openConfiguredStore(config, 'server');
  const load = createLoadGenerator();
  let loginLoad: LoadGenerator | undefined;
  let running: RunningApp | undefined;
  let storeOpen = true;
  const closeStore = async () => {
    if (!storeOpen) return;
    storeOpen = false;
    await store.close();
    release();
  };
  try {
    await migrate(store);
    const tenancy = createTenancyService({ store, clock: () => new Date(), newId: randomUUID });
    const version = await serverVersion(store);
    const where = options.pglite ? `PGlite (PostgreSQL ${version}) in ${config.dataDir}` : `PostgreSQL ${version} at ${new URL(url).host}${new URL(url).pathname}`;
    const load1 = () => loadavg()[0]!.toFixed(1);
    log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node.js ${process.version}, load average ${load1()}`);
    log(
      `Usher bench: ${where}; ${options.concurrency} concurrent keep-alive clients; ${options.durationMs / 1000} s per case in ${options.rounds} rounds, each after ${options.warmupMs / 1000} s of warm-up`,
    );
    // The sign-in cases need only the small tenant (underLogins looks its users up); the query cases need both.
    const needsLookups = ['underLogins', 'underLoginsTotp', 'failedLogins', 'wrongPasswords'].some(wanted);
    // historySearch: the large tenant's History has --history entries, the small tenant's as many per user.
    const history = wanted('historySearch') ? (options.history ?? HISTORY_PER_USER * options.large) : undefined;
    const historyOf = (size: number) => (history === undefined ? undefined : Math.round((history * size) / options.large));
    const small = queryCases || needsLookups ? await ensureTenant(store, tenancy, options.small, options.pglite ? 1 : 2, queryCases ? historyOf(options.small) : undefined) : undefined;
    const large = queryCases ? await ensureTenant(store, tenancy, options.large, options.pglite ? 1 : 2, historyOf(options.large)) : undefined;
    const tenants = [small, large].filter((t): t is BenchTenant => t !== undefined);
    for (const t of tenants) t.samples = await sampleUsers(store, t.id, SAMPLE);

    running = await startApp(config, store, options.passwordSlots);
    const known = [...cases(running.deps.cursors).map((c) => c.id), ...OTHER_CASES, ...SIGN_IN_CASES];
    const unknown = options.cases?.filter((id) => !known.includes(id)) ?? [];
    if (unknown.length > 0) throw new Error(`--cases: unknown ${unknown.join(', ')}; known: ${known.join(', ')}`);
    const all = cases(running.deps.cursors).filter((c) => wanted(c.id));

    const seqScans: string[] = [];
    if (all.length > 0) log('\nPlans of the SQL the list runner issues (custom: parameters bound; generic: what a prepared statement may switch to)');
    for (const c of all) {
      if (!c.explain) continue;
      for (const t of tenants) {
        const plans = await explainListRequest(running.deps, t.id, c.explain(t), c.omitTotal);
        printPlans(c.name, t, plans, t === large);
        seqScans.push(...plans.flatMap((p) => p.seqScans.map((s) => `${c.name} [${t.slug}] ${p.role}: ${s}`)));
      }
    }
    if (seqScans.length > 0) {
      log(`\nFAIL: sequential scans of large tables:\n${seqScans.map((s) => `  ${s}`).join('\n')}`);
    }
    if (options.explainOnly) return { figures: emptyFigures(database, small, large, 'only plans were asked for (--explain-only)'), failed: seqScans.length > 0 };

    // Cases take turns in rounds, so that whatever else the machine does in the meantime falls on all of them alike.
    for (const t of tenants) for (const c of all) await preflight(running.port, t, c);
    const slots = new Map<string, (LoadResult & { statements: number })[]>();
    for (let round = 1; round <= options.rounds && all.length > 0; round++) {
      for (const c of all) {
        for (const t of tenants) {
          const spec: LoadSpec = {
            name: `${c.name} ${t.label}`,
            port: running.port,
            headers: { Authorization: `Bearer ${t.token}` },
            mode: 'duration',
            requests: c.requests(t),
            concurrency: options.concurrency,
            warmupMs: options.warmupMs,
            durationMs: options.durationMs / options.rounds,
            maxRequests: 5_000_000,
            expectStatus: 200,
            ...(c.walk ? { walkPages: CURSOR_WALK_PAGES, walkPath: users({ count: String(CURSOR_PAGE) }) } : {}),
          };
          running.store.statements = 0;
          const result = { ...(await load.run(spec)), statements: running.store.statements };
          if (result.errors > 0) throw new Error(`${spec.name}: ${result.errors} failed requests, first: ${result.firstError}`);
          const stats = statsOf(result);
          log(`  round ${round}/${options.rounds} ${pad(spec.name, 40)} ${pad(stats.perSecond.toFixed(0), 6, true)} req/s, p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms`);
          slots.set(spec.name, [...(slots.get(spec.name) ?? []), result]);
        }
      }
    }
    const measured: Measured[] = [];
    for (const t of tenants) {
      for (const c of all) {
        const results = slots.get(`${c.name} ${t.label}`) ?? [];
        const merged = mergeResults(results);
        const statements = results.reduce((n, r) => n + r.statements, 0) / Math.max(1, merged.completed);
        measured.push({ tenant: t, caseId: c.id, caseName: c.name, stats: statsOf(merged), statements });
      }
    }

    let groupPatch: Maybe<GroupPatchResult> = missing('case not in this run');
    if (wanted('groupPatch') && large) {
      log(`\nP2: one member added to and removed from "All Staff" of ${large.slug} and a group of 10, one request at a time`);
      const result = await benchGroupPatch(load, running.port, large, bigGroupOf(large.size), options.rounds, log);
      groupPatch = typeof result === 'string' ? missing(result) : result;
    }

    let streamWriteCost: Maybe<StreamWriteCostResult> = missing('case not in this run');
    if (wanted('streamWriteCost') && small) {
      log(`\nE2: a user's title PATCHed in ${small.slug} with one poll stream of every provisioning event and with none, one request at a time`);
      const result = await benchStreamWriteCost(load, running.store, running.port, small, options.rounds, log);
      streamWriteCost = typeof result === 'string' ? missing(result) : result;
    }

    let underLogins: Maybe<number> = missing('case not in this run');
    const signIn: { lines: string[]; missed: string[] }[] = [];
    if (SIGN_IN_CASES.some(wanted)) {
      const atOnce = options.passwordSlots ?? defaultMaxConcurrent();
      const totpUsers = CODE_CASES.some(wanted) ? (options.totpUsers ?? (await totpUsersNeeded(running.deps.passwords, atOnce))) : 0;
      log(
        `\nSign-in: ${options.loginUsers} users with an Argon2id password in tenant ${LOGIN_TENANT}` +
          `${totpUsers > 0 ? `, and ${totpUsers} more with an authenticator app` : ''}; Argon2id operations at once in the app: ${atOnce}`,
      );
      const preparing = performance.now();
      const loginUsers = await prepareLoginUsers(running.port, store, tenancy, load, options.loginUsers, totpUsers);
      log(`  prepared in ${((performance.now() - preparing) / 1000).toFixed(1)} s`);
      const phases = { concurrency: options.concurrency, warmupMs: options.warmupMs, durationMs: options.durationMs, rounds: options.rounds, aloneMs: options.aloneMs };
      const port = running.port;
      const plain = plainLogins(port, loginUsers);
      const withCode = codeSignIns(port, loginUsers);
      // Plain logins and TOTP sign-ins take turns with the same ceiling, round by round, so that their ratio holds.
      const measuredLogins = [...(wanted('logins') ? [plain] : []), ...(wanted('loginsTotp') ? [withCode] : [])];
      if (measuredLogins.length > 0) {
        const result = await benchLogins(running.deps.passwords, load, loginUsers.password, measuredLogins, phases, log);
        const plainResult = wanted('logins') ? result.signIns[0] : undefined;
        if (plainResult) signIn.push(reportLogins(result, plainResult, options.concurrency));
        if (wanted('loginsTotp')) signIn.push(reportCodeSignIns(result, result.signIns[measuredLogins.length - 1]!, plainResult, options.concurrency));
      }
      loginLoad = createLoadGenerator();
      const background = loginLoad;
      const lookups = cases(running.deps.cursors).find((c) => c.id === 'userName')!;
      const lookup: ProbeLoad | undefined = small && {
        name: 'userName eq',
        headers: { Authorization: `Bearer ${small.token}` },
        requests: lookups.requests(small),
        rate: options.lookupRate,
        concurrency: LOOKUP_CONCURRENCY,
      };
      if (lookup && small) await preflight(port, small, lookups);
      if (wanted('underLogins') && lookup && small) {
        const result = await benchLookupUnderLogins(port, load, background, plain, lookup, phases, log);
        underLogins = result.ratio;
        signIn.push(reportUnderLogins('underLogins', { client: 'login', many: 'logins' }, result, small, options.lookupRate, options.concurrency));
      }
      if (wanted('underLoginsTotp') && lookup && small) {
        const result = await benchLookupUnderLogins(port, load, background, withCode, lookup, phases, log);
        signIn.push(reportUnderLogins('underLoginsTotp', { client: 'TOTP sign-in', many: 'TOTP sign-ins' }, result, small, options.lookupRate, options.concurrency));
      }
      if (wanted('healthzBulk')) {
        const { token } = await tenancy.createTenant('bench-churn').then(() => tenancy.createToken('bench-churn', 'bench'));
        const healthz: ProbeLoad = { name: 'GET /healthz', headers: {}, requests: [{ method: 'GET', path: '/healthz' }], rate: options.lookupRate, concurrency: LOOKUP_CONCURRENCY };
        const run = randomUUID().slice(0, 8);
        const result = await benchUnderLoad(port, load, background, healthz, (warmupMs, durationMs) => bulkChurnSpec(port, token, run, warmupMs, durationMs), phases, log);
        signIn.push(reportUnderLoad('healthzBulk', `GET /healthz at ${options.lookupRate} req/s, ${BULK_OPERATIONS}-operation Bulk requests back to back`, result, RESILIENCE_TARGET));
      }
      if (wanted('failedLogins') && lookup && small) {
        const result = await benchUnderLoad(port, load, background, lookup, (warmupMs, durationMs) => failedLoginsSpec(port, loginUsers, warmupMs, durationMs, options.attackRate), phases, log);
        signIn.push(reportUnderLoad('failedLogins', `userName eq on ${small.slug} at ${options.lookupRate} req/s, ${FAILING_CLIENTS} clients failing to sign in ${options.attackRate ? `at ${options.attackRate}/s in all` : 'as fast as answered'}`, result, RESILIENCE_TARGET));
      }
      if (wanted('wrongPasswords') && lookup && small) {
        const session = await signIn1(port, loginUsers);
        const result = await benchUnderLoad(port, load, background, lookup, (warmupMs, durationMs) => wrongPasswordsSpec(port, session, warmupMs, durationMs), phases, log);
        signIn.push(reportUnderLoad('wrongPasswords', `userName eq on ${small.slug} at ${options.lookupRate} req/s, one user posting wrong current passwords`, result, RESILIENCE_TARGET));
      }
    }
    const bulk = options.bulk ? await benchBulk(load, running.port, store, tenancy) : { line: 'Bulk: not measured (--no-bulk)' };
    const eventPush = options.bulk ? await benchEventPush(running.port, running.store, tenancy, running.deps) : { line: 'Events pushed: not measured (--no-bulk)' };

    log(`\nResults (${new Date().toISOString().slice(0, 10)}, ${where}, concurrency ${options.concurrency}, load average now ${load1()})`);
    const missed: string[] = [];
    if (small && large && all.length > 0) {
      printTable(measured, small, large);
      log(`\nTargets at ${large.label} users:`);
      missed.push(...checkTargets(measured, small, large));
    }
    for (const report of signIn) {
      log('');
      for (const line of report.lines) log(line);
      missed.push(...report.missed);
    }
    log(`\n${bulk.line}`);
    log(eventPush.line);
    if (seqScans.length > 0) log(`\nFAIL: ${seqScans.length} plan(s) scan a large table sequentially (see above).`);
    if (missed.length > 0) log(`\n${options.strict ? 'FAIL' : 'note'}: targets missed: ${missed.join('; ')}`);
    const failed = seqScans.length > 0 || (options.strict && (missed.length > 0 || (bulk.ratio !== undefined && bulk.ratio < 2)));

    const lookupRequests = small ? cases(running.deps.cursors).find((c) => c.id === 'userName')!.requests(small) : [];
    await running.stop();
    running = undefined;
    // The server process needs the PGlite directory, which only one process may hold: this one lets it go first.
    await closeStore();
    let memory: Maybe<ServerMemory> = missing('case not in this run');
    if (wanted('memory') && small && large) {
      log(`\nMemory: the server (dist/main.js) in a process of its own on ${where}`);
      const result = await measureServerMemory(
        load,
        {
          ...(options.pglite ? { dataDir: config.dataDir } : { databaseUrl: url }),
          lookups: { token: small.token, requests: lookupRequests },
          group: { token: large.token },
          concurrency: options.concurrency,
          durationMs: Math.max(1000, options.durationMs / options.rounds),
        },
        log,
      );
      memory = typeof result === 'string' ? missing(result) : result;
    }
    return {
      figures: {
        database,
        large: large && { label: large.label, size: large.size },
        small: small && { label: small.label, size: small.size },
        lookups: lookupFigures(measured, all, small, large),
        groupPatch,
        bulk: bulk.ratio !== undefined ? bulk.ratio : missing(options.bulk ? bulk.line.replace(/^Bulk: /, '') : '--no-bulk'),
        eventPush: eventPush.figure ?? missing(eventPush.line.replace(/^Events pushed: (not measured \()?|\)$/g, '')),
        streamWriteCost,
        underLogins,
        search: searchFigure(measured, all, large, 'search'),
        searchOfList: searchFigure(measured, all, large, 'search', 'list'),
        historySearch: searchFigure(measured, all, large, 'historySearch'),
        ...(history !== undefined ? { historyEntries: history } : {}),
        memory,
      },
      failed,
    };
  } finally {
    await running?.stop();
    await load.close();
    await loginLoad?.close();
    await closeStore();
  }
}

function emptyFigures(database: Database, small: BenchTenant | undefined, large: BenchTenant | undefined, why: string): PassFigures {
  return {
    database,
    large: large && { label: large.label, size: large.size },
    small: small && { label: small.label, size: small.size },
    lookups: missing(why),
    groupPatch: missing(why),
    bulk: missing(why),
    eventPush: missing(why),
    streamWriteCost: missing(why),
    underLogins: missing(why),
    search: missing(why),
    searchOfList: missing(why),
    historySearch: missing(why),
    memory: missing(why),
  };
}

/** P1: each lookup at the large tenant against the floor there, and against its own rate at the small tenant. */
function lookupFigures(measured: Measured[], ran: Case[], small: BenchTenant | undefined, large: BenchTenant | undefined): Maybe<LookupFigure[]> {
  if (!small || !large) return missing('case not in this run');
  if (!ran.some((c) => c.id === 'baseline')) return missing('the floor (baseline) not in this run');
  const rate = (t: BenchTenant, id: string) => measured.find((m) => m.tenant === t && m.caseId === id)?.stats.perSecond;
  const floor = rate(large, 'baseline')!;
  return ran
    .filter((c) => ['userName', 'externalId', 'emails'].includes(c.id))
    .map((c) => ({ name: c.name, ofFloor: rate(large, c.id)! / floor, ofSmall: rate(large, c.id)! / rate(small, c.id)!, smallRate: rate(small, c.id)! }));
}

/** A search case's p50 latency at the large tenant over another case's (userName eq's), when the run has both. */
function searchFigure(measured: Measured[], ran: Case[], large: BenchTenant | undefined, id: string, over = 'userName'): Maybe<number> {
  if (!large || !ran.some((c) => c.id === id)) return missing('case not in this run');
  if (!ran.some((c) => c.id === over)) return missing(`${over === 'userName' ? 'userName eq' : over} not in this run`);
  const p50 = (caseId: string) => measured.find((m) => m.tenant === large && m.caseId === caseId)!.stats.p50;
  // A request slower than a round is not counted in it: a case that none finished in any round has no p50.
  for (const caseId of [id, over]) {
    if (Number.isNaN(p50(caseId))) return missing(`no request answered within a round of ${caseId}; give each round more time (--duration / --rounds)`);
  }
  return p50(id) / p50(over);
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const databases = options.both ? [false, true] : [options.pglite];
  const passes: PassFigures[] = [];
  let failed = false;
  for (const pglite of databases) {
    if (databases.length > 1) log(`\n=== ${pglite ? 'PGlite' : 'PostgreSQL'} ===`);
    const pass = await runPass({ ...options, pglite, large: options.large ?? (pglite ? 100_000 : 1_000_000) });
    passes.push(pass.figures);
    failed ||= pass.failed;
  }
  const rows = figureRows(passes);
  const heading = `Figures (${new Date().toISOString().slice(0, 10)}; ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}; every ratio measured in this run; INFO: no target set)`;
  const table = renderFigures(rows);
  log(`\n${heading}\n${table}`);
  if (options.tableOut) writeFileSync(options.tableOut, `${heading}\n\n${table}\n`);
  return failed || (options.strict && rows.some((r) => r.result.startsWith('MISS'))) ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
