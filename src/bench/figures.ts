// The one table `npm run bench` ends with: every figure with its target, each a ratio measured in the same run, per database.
import type { EventPushFigure } from './event-push.js';
import type { GroupPatchResult } from './group-patch.js';
import type { ServerMemory } from './server-memory.js';
import type { StreamWriteCostResult } from './stream-write-cost.js';

export type Database = 'PostgreSQL' | 'PGlite';

/** A figure, or why the run has none (the text of "not measured (...)"). */
export type Maybe<T> = T | { readonly missing: string };

export function missing(why: string): { readonly missing: string } {
  return { missing: why };
}

function isMissing<T>(value: Maybe<T>): value is { readonly missing: string } {
  return typeof value === 'object' && value !== null && 'missing' in value;
}

export interface LookupFigure {
  /** "userName eq", ... */
  readonly name: string;
  /** req/s at the large tenant over the floor's req/s at the large tenant. */
  readonly ofFloor: number;
  /** req/s at the large tenant over its own req/s at the small tenant. */
  readonly ofSmall: number;
  /** req/s at the small tenant (for P6, which compares databases at the same size). */
  readonly smallRate: number;
}

/** What one pass (one database) measured, as the table needs it. */
export interface PassFigures {
  readonly database: Database;
  readonly large: { readonly label: string; readonly size: number } | undefined;
  readonly small: { readonly label: string; readonly size: number } | undefined;
  readonly lookups: Maybe<readonly LookupFigure[]>;
  readonly groupPatch: Maybe<GroupPatchResult>;
  /** Bulk users/s over sequential POSTs' users/s. */
  readonly bulk: Maybe<number>;
  /** Events pushed/s over users created/s through a 1,000-operation Bulk with one push stream. */
  readonly eventPush: Maybe<EventPushFigure>;
  /** A user PATCH's p50 with one poll stream of every provisioning event (full forms) over its p50 with none. */
  readonly streamWriteCost: Maybe<StreamWriteCostResult>;
  /** Lookup p99 under logins over idle p99. */
  readonly underLogins: Maybe<number>;
  /** A search case's p50 over userName eq's p50, at the large tenant. */
  readonly search: Maybe<number>;
  /** The search's p50 over the console's list's (the same page without a search), at the large tenant. */
  readonly searchOfList: Maybe<number>;
  readonly historySearch: Maybe<number>;
  /** History entries of the large tenant when historySearch ran. */
  readonly historyEntries?: number;
  readonly memory: Maybe<ServerMemory>;
}

export interface FigureRow {
  readonly id: string;
  readonly database: string;
  readonly what: string;
  readonly measured: string;
  readonly target: string;
  /** PASS, "MISS (by how much; why)", "INFO (no target)" or "not measured (why)". */
  readonly result: string;
}

/** The scale at which the issue sets P1's floor target on each database. */
export const P1_SCALE: Readonly<Record<Database, number>> = { PostgreSQL: 1_000_000, PGlite: 100_000 };
const P1_FLOOR_TARGET = 0.75;
const P1_SMALL_TARGET = 0.9;
const BULK_TARGET = 2;
const UNDER_LOGINS_TARGET = 3;
const SEARCH_TARGET = 3;
/** E2: what one stream of every provisioning event (full forms) may add to a write's p50 latency. */
const STREAM_WRITE_TARGET = 1.2;
const P1_LOOKUPS = ['userName eq', 'externalId eq', 'emails[type eq "work"].value eq'];

const x = (n: number) => `${n.toFixed(2)}x`;
const mib = (n: number) => `${n.toFixed(0)} MiB`;
/**
 * PASS, or MISS with by how much and why: the reason a target is known to be missed by design on this database, or,
 * where none is known, that the miss is to be measured again (a shared machine) before it is taken as a regression.
 */
function verdict(value: number, target: number, atLeast: boolean, why: string | undefined): string {
  if (atLeast ? value >= target : value <= target) return 'PASS';
  const by = atLeast ? `${Math.round((100 * value) / target)}% of the target` : `${(value / target).toFixed(1)} times the target`;
  return `MISS (${by}: ${why ?? NO_KNOWN_CAUSE})`;
}
const NO_KNOWN_CAUSE = 'no cause known by design; measure again on a quiet machine before taking it for a regression';

/** Why a target is missed by design, where that is known, by figure and database. */
const KNOWN_MISSES: Readonly<Record<string, Partial<Record<Database, string>>>> = {
  'P1 floor': {
    PostgreSQL: "a lookup sends one statement as the floor does, but it also finds the user's groups and manager and returns a whole SCIM resource, through authentication, the rate limit and the access log; the floor returns the bare row",
    PGlite: "a lookup sends one statement as the floor does, but it also finds the user's groups and manager and returns a whole SCIM resource, through authentication, the rate limit and the access log; the floor returns the bare row, and PGlite's one worker runs statements one at a time",
  },
  P3: {
    PGlite: "PGlite's one worker runs one statement at a time, so Bulk saves only each create's HTTP round trip and token check; each create is still its own transaction (RFC 7644 §3.7)",
  },
  P4: {
    PGlite: "PGlite runs one transaction at a time: each lookup waits behind the sign-ins' transactions",
  },
  search: {
    PostgreSQL:
      "a search's first page reads 25 users, with their groups and managers, and renders 25 SCIM resources where a lookup reads and renders one; finding them (the family names that hold the fragment, sql/0025, then their users on the family-name index alone) is a small part of it: see the next row, the same page without a search",
    PGlite:
      "a search's first page reads 25 users, with their groups and managers, and renders 25 SCIM resources where a lookup reads and renders one, in PGlite's one worker; finding them (the family names that hold the fragment, sql/0025, then their users on the family-name index alone) is a small part of it: see the next row, the same page without a search",
  },
  historySearch: {
    PostgreSQL: "a fragment many entries share, newest first: the page walks the History's time index and tests each entry",
    PGlite: "a fragment many entries share, newest first: the page walks the History's time index and tests each entry",
  },
};
const whyMissed = (figure: string, database: Database) => KNOWN_MISSES[figure]?.[database];
const notMeasured = (why: string) => `not measured (${why})`;
const INFO = 'INFO (no target)';

function scaleNote(database: Database, size: number | undefined): string {
  const at = P1_SCALE[database];
  if (size === undefined || size === at) return '';
  return `; the target is set at ${at.toLocaleString('en-US')} users, this run has ${size.toLocaleString('en-US')}`;
}

/** The issue sets the History search's target at this many entries (on PostgreSQL). */
const HISTORY_SCALE = 10_000_000;

function historyNote(entries: number | undefined): string {
  if (entries === undefined) return '';
  const n = entries.toLocaleString('en-US');
  return entries === HISTORY_SCALE ? ` with ${n} History entries` : ` with ${n} History entries (the target is set at ${HISTORY_SCALE.toLocaleString('en-US')})`;
}

export function figureRows(passes: readonly PassFigures[]): FigureRow[] {
  const rows: FigureRow[] = [];
  const row = (id: string, database: string, what: string, measured: string, target: string, result: string) =>
    rows.push({ id, database, what, measured, target, result });
  const gap = (id: string, database: string, what: string, target: string, why: string) => row(id, database, what, '-', target, notMeasured(why));

  for (const p of passes) {
    const db = p.database;
    const large = p.large ? `${p.large.label} users` : 'the large tenant';
    const small = p.small ? `${p.small.label} users` : 'the small tenant';
    // P1: each lookup against the floor, then against its own rate at the small tenant.
    for (const name of P1_LOOKUPS) {
      const what = `${name}: req/s at ${large} / the floor's req/s at ${large}${scaleNote(db, p.large?.size)}`;
      if (isMissing(p.lookups)) gap('P1', db, what, `>= ${P1_FLOOR_TARGET}x`, p.lookups.missing);
      else {
        const f = p.lookups.find((l) => l.name === name);
        if (!f) gap('P1', db, what, `>= ${P1_FLOOR_TARGET}x`, 'case not in this run');
        else row('P1', db, what, x(f.ofFloor), `>= ${P1_FLOOR_TARGET}x`, verdict(f.ofFloor, P1_FLOOR_TARGET, true, whyMissed('P1 floor', db)));
      }
    }
    for (const name of P1_LOOKUPS) {
      const what = `${name}: req/s at ${large} / req/s at ${small}`;
      if (isMissing(p.lookups)) gap('P1', db, what, `>= ${P1_SMALL_TARGET}x`, p.lookups.missing);
      else {
        const f = p.lookups.find((l) => l.name === name);
        if (!f) gap('P1', db, what, `>= ${P1_SMALL_TARGET}x`, 'case not in this run');
        else row('P1', db, what, x(f.ofSmall), `>= ${P1_SMALL_TARGET}x`, verdict(f.ofSmall, P1_SMALL_TARGET, true, whyMissed('P1 small', db)));
      }
    }
    // P2
    {
      const what = isMissing(p.groupPatch)
        ? `one-member PATCH (add, remove) on "All Staff" / on a 10-member group, p50 latency`
        : `one-member PATCH (add, remove) on "All Staff" (${p.groupPatch.bigMembers.toLocaleString('en-US')} members) / on a 10-member group, p50 latency` +
          ` (${p.groupPatch.big.p50.toFixed(1)} ms / ${p.groupPatch.small.p50.toFixed(1)} ms)${p.groupPatch.bigMembers < 100_000 ? '; the target is set for 100,000 members' : ''}`;
      if (isMissing(p.groupPatch)) gap('P2', db, what, '<= 1.5x', p.groupPatch.missing);
      else row('P2', db, what, x(p.groupPatch.ratio), '<= 1.5x', verdict(p.groupPatch.ratio, 1.5, false, whyMissed('P2', db)));
    }
    // P3
    {
      const what = '1,000 creates in Bulk requests / 1,000 sequential POSTs, users/s';
      if (isMissing(p.bulk)) gap('P3', db, what, `>= ${BULK_TARGET}x`, p.bulk.missing);
      else row('P3', db, what, x(p.bulk), `>= ${BULK_TARGET}x`, verdict(p.bulk, BULK_TARGET, true, whyMissed('P3', db)));
    }
    // Event push keeping up with a Bulk: the live pipeline's last event arrives a little after the Bulk's answer;
    // the worker's capacity (a build that writes no events) must reach the Bulk's rate itself.
    {
      const what = 'events pushed/s (one push stream, receiver on 127.0.0.1) / users created/s, 1,000-operation Bulk';
      if (isMissing(p.eventPush)) gap('E1', db, what, '>= 0.9x', p.eventPush.missing);
      else {
        const e = p.eventPush;
        const target = e.mode === 'live' ? 0.9 : 1;
        const detail = ` (${e.eventsPerSecond.toFixed(0)} / ${e.usersPerSecond.toFixed(0)}${e.mode === 'capacity' ? '; capacity: events written with SQL, this build writes none' : ''})`;
        row('E1', db, `${what}${detail}`, x(e.ratio), `>= ${target}x`, verdict(e.ratio, target, true, whyMissed('E1', db)));
      }
    }
    // What a configured stream adds to a write: its events and deliveries written in the change's transaction.
    {
      const s = p.streamWriteCost;
      const what = `PATCH of a user's title (p50 latency) at ${small} with one poll stream of every provisioning event, full forms / with no stream`;
      const target = `<= ${STREAM_WRITE_TARGET}x`;
      if (isMissing(s)) gap('E2', db, what, target, s.missing);
      else row('E2', db, `${what} (${s.withStream.p50.toFixed(1)} ms / ${s.without.p50.toFixed(1)} ms)`, x(s.ratio), target, verdict(s.ratio, STREAM_WRITE_TARGET, false, whyMissed('E2', db)));
    }
    // P4
    {
      const what = `userName eq p99 at ${small} during a login burst / idle p99`;
      if (isMissing(p.underLogins)) gap('P4', db, what, `<= ${UNDER_LOGINS_TARGET}x`, p.underLogins.missing);
      else row('P4', db, what, x(p.underLogins), `<= ${UNDER_LOGINS_TARGET}x`, verdict(p.underLogins, UNDER_LOGINS_TARGET, false, whyMissed('P4', db)));
    }
    // P5
    {
      const what = 'server RSS growth while a client reads "All Staff" whole (GET /Groups/{id})';
      const read = isMissing(p.memory) ? p.memory : typeof p.memory.groupRead === 'string' ? missing(p.memory.groupRead) : p.memory.groupRead;
      if (isMissing(read)) gap('P5', db, what, `<= ${64} MiB`, read.missing);
      else {
        const note = `${what}, ${read.members.toLocaleString('en-US')} members${read.members < 100_000 ? ' (the target is set for 100,000)' : ''}`;
        row('P5', db, note, mib(read.growth), '<= 64 MiB', verdict(read.growth, 64, false, whyMissed('P5', db)));
      }
    }
    // Search as you type and the History search, when the run has their cases.
    for (const [id, value, what] of [
      ['search', p.search, `search-as-you-type first page / userName eq, p50 latency at ${large}`],
      ['historySearch', p.historySearch, `History search / userName eq, p50 latency at ${large}${historyNote(p.historyEntries)}`],
    ] as const) {
      if (isMissing(value)) gap(id, db, what, `<= ${SEARCH_TARGET}x`, value.missing);
      else row(id, db, what, x(value), `<= ${SEARCH_TARGET}x`, verdict(value, SEARCH_TARGET, false, whyMissed(id, db)));
      // What a first page of 25 users costs without a search: the part of the search's cost that is the page's own.
      if (id !== 'search') continue;
      const ofList = `search-as-you-type first page / the console's list first page (the same 25 users' page, no search), p50 latency at ${large}`;
      if (isMissing(p.searchOfList)) gap(id, db, ofList, '-', p.searchOfList.missing);
      else row(id, db, ofList, x(p.searchOfList), '-', INFO);
    }
    // Memory of the server process.
    {
      if (isMissing(p.memory)) {
        gap('memory', db, 'server RSS after start', '-', p.memory.missing);
        gap('memory', db, 'server RSS under lookups', '-', p.memory.missing);
      } else {
        const m = p.memory;
        row('memory', db, 'server RSS a second after start', mib(m.afterStart), '-', INFO);
        row('memory', db, `server RSS under lookups (${m.lookupsPerSecond.toFixed(0)} req/s; highest seen), peak of the whole run ${mib(m.peak)}`, mib(m.underLoad), '-', INFO);
      }
    }
  }

  // P6: PGlite against PostgreSQL on P1's lookups, at the same (small) size, when the run measured both.
  const pg = passes.find((p) => p.database === 'PostgreSQL');
  const lite = passes.find((p) => p.database === 'PGlite');
  for (const name of P1_LOOKUPS) {
    const what = `${name}: PGlite req/s / PostgreSQL req/s${pg?.small && lite?.small ? ` at ${lite.small.label} / ${pg.small.label} users` : ''}`;
    if (!pg || !lite) {
      gap('P6', 'both', what, '-', 'run with --both');
      continue;
    }
    const a = isMissing(lite.lookups) ? undefined : lite.lookups.find((l) => l.name === name);
    const b = isMissing(pg.lookups) ? undefined : pg.lookups.find((l) => l.name === name);
    if (!a || !b) gap('P6', 'both', what, '-', 'case not in this run');
    else row('P6', 'both', what, x(a.smallRate / b.smallRate), '-', INFO);
  }
  return rows;
}

/** The table as Markdown: the same text on the terminal and in --table-out. */
export function renderFigures(rows: readonly FigureRow[]): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| id | database | what | measured | target | result |',
    '| --- | --- | --- | ---: | ---: | --- |',
    ...rows.map((r) => `| ${[r.id, r.database, r.what, r.measured, r.target, r.result].map(cell).join(' | ')} |`),
  ].join('\n');
}
