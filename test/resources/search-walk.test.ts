// The search walk (sql/0024, searchPageUsers): a search sorted by last name walks users_family_key_idx, testing on the
// index alone the search text the filter implies. What it must never do: miss a match (the text must hold every value
// the filter can match), answer another page than the filter's own reading would, or read past its bound.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSearchFilter, insertUserBatch, planNodes, type PlanNode } from '../../src/bench/queries.js';
import { SEED_LISTS } from '../../src/bench/names.js';
import { numberInto, type PageQuery } from '../../src/resources/list.js';
import { INDEXED_MULTI_VALUED, SEARCH_WALK_ENTRIES, searchPageUsers, userSqlModel, vacuumUsers } from '../../src/resources/users/queries.js';
import { parseFilter } from '../../src/scim/filter/parser.js';
import { impliedSearchText } from '../../src/scim/filter/search-text.js';
import { filterToSql } from '../../src/scim/filter/to-sql.js';
import { compileProjection } from '../../src/scim/resource/projection.js';
import { USER_RESOURCE_TYPE } from '../../src/scim/schema/resource-types.js';
import { compileSort, orderBySql } from '../../src/scim/sort.js';
import { createTestContext, USER_SCHEMA, type Client, type TestContext } from '../helpers/app.js';
import { statementRecorder } from '../helpers/statements.js';

const USERS = 400;
let t: TestContext;
const recorder = statementRecorder();

beforeAll(async () => {
  t = await createTestContext({ wrapStore: recorder.wrap });
  await insertUserBatch(
    t.store,
    {
      tenantId: t.client.tenantId,
      domain: 'walk.example.com',
      organization: 'Walk',
      first: 1,
      last: USERS,
      total: USERS,
      since: new Date('2026-01-01T00:00:00Z'),
      until: new Date('2026-06-01T00:00:00Z'),
      indexedAttributes: INDEXED_MULTI_VALUED,
    },
    SEED_LISTS,
  );
  // Users without a family name sort last ascending and first descending: the walk must keep them in that place.
  for (const userName of ['no.family.1@walk.example.com', 'no.family.2@walk.example.com']) {
    const created = await t.client.request('POST', '/Users', { schemas: [USER_SCHEMA], userName, emails: [{ value: userName, type: 'work' }] });
    expect(created.status).toBe(201);
  }
  await t.store.query('vacuum analyze users');
}, 120_000);
afterAll(() => t.close());

type Body = { Resources?: { id: string }[]; nextCursor?: string; previousCursor?: string; totalResults?: number };
const ids = (body: Body) => (body.Resources ?? []).map((r) => r.id);

/** Every page of a cursor walk, first to last, then back from the last to the first by previousCursor. */
async function walk(client: Client, query: Record<string, string>, headers?: Record<string, string>): Promise<{ forward: string[][]; backward: string[][] }> {
  const forward: string[][] = [];
  let last!: Body;
  for (let cursor = ''; ; ) {
    const response = await client.request('GET', `/Users?${new URLSearchParams({ ...query, cursor })}`, undefined, headers);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    last = response.body as Body;
    forward.push(ids(last));
    if (last.nextCursor === undefined) break;
    cursor = last.nextCursor;
  }
  const backward: string[][] = [];
  for (let body = last; body.previousCursor !== undefined; ) {
    const response = await client.request('GET', `/Users?${new URLSearchParams({ ...query, cursor: body.previousCursor })}`, undefined, headers);
    body = response.body as Body;
    backward.push(ids(body));
  }
  return { forward, backward };
}

const OMIT = { Prefer: 'totalResults=omit' };

/**
 * The console's search for `fragment`, with a term that matches no one else and implies the same search text but not
 * one fragment for all (impliedFragment): a page of it is walked here, never through user_search_keys (sql/0025,
 * test/resources/search-keys.test.ts), which a fragment of three characters or more is read through first.
 */
const walkOnly = (fragment: string) => `${consoleSearchFilter(fragment)} or name.familyName co "${fragment}${fragment}"`;

/** The console's search for `fragment` as a PageQuery of `limit` rows sorted by `sortBy`, with its search walk. */
function searchQuery(fragment: string, limit: number, sortBy = 'name.familyName'): { page: PageQuery; text: string } {
  const filter = parseFilter(consoleSearchFilter(fragment));
  const compiled = filterToSql(filter, USER_RESOURCE_TYPE, userSqlModel, 1);
  const params = [...compiled.params];
  const text = impliedSearchText(filter, USER_RESOURCE_TYPE, userSqlModel)!(numberInto(params));
  const plan = compileSort(sortBy, 'ascending', USER_RESOURCE_TYPE, userSqlModel, 'u.created_at');
  const page: PageQuery = { where: compiled.sql, params, orderBy: orderBySql(plan), descending: plan.descending, sortKey: plan.expression, limit, offset: 0, projection: compileProjection(USER_RESOURCE_TYPE) };
  return { page, text };
}

/** The plan of a statement as it reads when it cannot sort, scan a whole table or build a bitmap: a walk. */
async function explainWalk(text: string, params: readonly unknown[], analyze = false): Promise<PlanNode> {
  return t.store.transaction(async (tx) => {
    await tx.query('set local enable_seqscan = off');
    await tx.query('set local enable_sort = off');
    await tx.query('set local enable_bitmapscan = off');
    const rows = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (${analyze ? 'analyze, ' : ''}format json) ${text}`, params);
    return rows[0]!['QUERY PLAN'][0].Plan;
  });
}

/** The nodes of the page's own CTE (the statement's other parts read the page's groups and managers). */
function walkNodes(plan: PlanNode): PlanNode[] {
  const page = planNodes(plan).find((n) => (n as { 'Subplan Name'?: string })['Subplan Name'] === 'CTE page');
  expect(page, JSON.stringify(plan)).toBeDefined();
  return planNodes(page!);
}

describe('a search sorted by last name walks the index that carries the search text', () => {
  // Common and rare fragments, one shorter than a trigram (sent with sw, as the console does), metacharacters.
  it.each(['an', 'sen', 'example', 'er', 'kafo', 'walk.example', '.17@', 'zzq', '%_'])('"%s": the same pages as the filter read without the walk', async (fragment) => {
    const filter = consoleSearchFilter(fragment);
    // An OR with a term that implies nothing about the search text (and matches nothing): read as before sql/0024.
    const reference = `${filter} or displayName eq "nobody at all"`;
    for (const sortOrder of ['ascending', 'descending']) {
      const query = { sortBy: 'name.familyName', sortOrder, count: '7' };
      let walked!: Awaited<ReturnType<typeof walk>>;
      const statements = await recorder.during(async () => (walked = await walk(t.client, { ...query, filter }, OMIT)));
      expect(walked).toEqual(await walk(t.client, { ...query, filter: reference }));
      expect(walked.forward.flat().length).toBe(new Set(walked.forward.flat()).size);
      // The walk was tried for every page; the reference never tries it.
      expect(statements.filter((s) => /\bsearch_text\b/.test(s.text)).length).toBeGreaterThanOrEqual(walked.forward.length);
      // Index paging with an offset, and the first page with its total.
      for (const startIndex of ['1', '4']) {
        const withWalk = await t.client.request('GET', `/Users?${new URLSearchParams({ ...query, filter, startIndex })}`, undefined, OMIT);
        const without = await t.client.request('GET', `/Users?${new URLSearchParams({ ...query, filter: reference, startIndex })}`);
        expect(ids(withWalk.body as Body)).toEqual(ids(without.body as Body));
        const total = await t.client.request('GET', `/Users?${new URLSearchParams({ ...query, filter, startIndex })}`);
        expect(ids(total.body as Body)).toEqual(ids(without.body as Body));
        expect(total.body.totalResults).toBe(without.body.totalResults);
      }
    }
  });

  it('a common fragment\'s first page is one statement, an index-only walk that stops at the page', async () => {
    const query = new URLSearchParams({ filter: walkOnly('example'), sortBy: 'name.familyName', count: '25', cursor: '' });
    const statements = await recorder.during(() => t.client.request('GET', `/Users?${query}`, undefined, OMIT));
    const reads = statements.filter((s) => /\bfrom users u\b|\busers u\b/.test(s.text));
    expect(reads).toHaveLength(1);
    const [read] = reads;
    expect(read!.text).toContain('search_text');
    expect(read!.options?.planEachTime).toBe(true);
    expect(read!.params).toContain(SEARCH_WALK_ENTRIES);
    // Whatever a tenant of this size would rather do, the statement can be answered by a walk that needs no sort.
    const within = walkNodes(await explainWalk(read!.text, read!.params));
    expect(within.map((n) => `${n['Node Type']} ${n['Index Name'] ?? ''}`)).toContain('Index Only Scan users_family_key_idx');
    expect(within.filter((n) => n['Node Type'] === 'Sort' || n['Node Type'] === 'Seq Scan')).toEqual([]);
  });

  it('reads no row of the heap for the walk once the users table is vacuumed (the server does so on PGlite)', async () => {
    const client = await t.newTenant('vacuumed');
    for (let i = 0; i < 30; i++) {
      const userName = `vac.${i}@walk.example.com`;
      await client.request('POST', '/Users', { schemas: [USER_SCHEMA], userName, name: { givenName: 'Vac', familyName: `Andersen ${i}` } });
    }
    const query = new URLSearchParams({ filter: walkOnly('andersen'), sortBy: 'name.familyName', count: '5', cursor: '' });
    const statements = await recorder.during(() => client.request('GET', `/Users?${query}`, undefined, OMIT));
    const read = statements.find((s) => s.text.includes('search_text'))!;
    const heapFetches = async () => {
      const scan = walkNodes(await explainWalk(read.text, read.params, true)).find((n) => n['Node Type'] === 'Index Only Scan');
      return (scan as { 'Heap Fetches'?: number } | undefined)?.['Heap Fetches'];
    };
    expect(await heapFetches()).toBeGreaterThan(0);
    await vacuumUsers(t.store);
    expect(await heapFetches()).toBe(0);
  });

  it('a tenant smaller than the bound has every search answered by its own walk, a short page too', async () => {
    const small = await t.newTenant('small');
    for (let i = 0; i < 12; i++) {
      const family = i < 3 ? 'Okafor' : `Smith ${i}`;
      const created = await small.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: `small.${i}@small.example.com`, name: { givenName: 'Sam', familyName: family } });
      expect(created.status).toBe(201);
    }
    // "kafo" is in about one of seventy of the other tenant's users (and of the benchmark's), and in three of this one's.
    const query = new URLSearchParams({ filter: walkOnly('kafo'), sortBy: 'name.familyName', count: '25', cursor: '' });
    let response!: Awaited<ReturnType<typeof small.request>>;
    const statements = await recorder.during(async () => (response = await small.request('GET', `/Users?${query}`, undefined, OMIT)));
    expect(response.body.itemsPerPage).toBe(3);
    expect(ids(response.body as Body)).toEqual(ids((await small.request('GET', `/Users?${query}`)).body as Body));
    const reads = statements.filter((s) => /\busers u\b/.test(s.text));
    expect(reads).toHaveLength(1);
    expect(reads[0]!.text).toContain('search_text');
    // Its check that the walk read every entry ran, as the page was short; for a full page it does not run.
    const checks = async (text: string, params: readonly unknown[]) =>
      planNodes(await explainWalk(text, params, true))
        .filter((n) => ((n as { 'Subplan Name'?: string })['Subplan Name'] ?? '').startsWith('InitPlan'))
        .filter((n) => planNodes(n).some((c) => c['Relation Name'] === 'users'))
        .map((n) => (n as { 'Actual Loops'?: number })['Actual Loops']);
    expect(await checks(reads[0]!.text, reads[0]!.params)).toEqual([1]);
    const common = new URLSearchParams({ filter: walkOnly('example'), sortBy: 'name.familyName', count: '25', cursor: '' });
    const full = await recorder.during(() => t.client.request('GET', `/Users?${common}`, undefined, OMIT));
    const walkRead = full.find((s) => s.text.includes('search_text'))!;
    expect(await checks(walkRead.text, walkRead.params)).toEqual([0]);
  });

  it('a short page is the answer only when the walk read the whole tenant within its bound', async () => {
    const query = new URLSearchParams({ filter: consoleSearchFilter('.17@'), sortBy: 'name.familyName', count: '25', cursor: '' });
    const { page, text } = searchQuery('.17@', 25);
    // Bounded below the tenant's size: the short page cannot be trusted.
    expect(await searchPageUsers(t.store, t.client.tenantId, page, { text }, USERS - 1)).toBeUndefined();
    // Bounded above it: the walk read every user, and its short page is the answer.
    expect((await searchPageUsers(t.store, t.client.tenantId, page, { text }, USERS + 10))!.map((r) => r.id)).toEqual(
      ids((await t.client.request('GET', `/Users?${query}`)).body as Body),
    );
  });
});

describe('searchPageUsers', () => {
  /** Where the n-th user matching the fragment stands in the family-name order (1 is the first user). */
  async function position(fragment: string, n: number): Promise<number> {
    const rows = await t.store.query<{ position: number }>(
      `select position::int from (
         select row_number() over (order by family_key, id) as position, search_text from users where tenant_id = $1
       ) w where strpos(w.search_text, $2) > 0 order by position offset $3 limit 1`,
      [t.client.tenantId, fragment, n - 1],
    );
    return rows[0]!.position;
  }

  it('reads no further than its bound, and gives up on a page it did not fill there', async () => {
    const { page, text } = searchQuery('sen', 5);
    const fifth = await position('sen', 5);
    expect(fifth).toBeGreaterThan(5);
    expect(await searchPageUsers(t.store, t.client.tenantId, page, { text }, fifth - 1)).toBeUndefined();
    const rows = await searchPageUsers(t.store, t.client.tenantId, page, { text }, fifth);
    expect(rows?.map((r) => r.user_name)).toHaveLength(5);
    expect(rows?.every((r) => /sen/i.test(`${r.user_name} ${JSON.stringify(r.attributes)}`))).toBe(true);
  });

  it('walks the whole index when told to, and its short page is then the answer', async () => {
    const { page, text } = searchQuery('.17@', 25);
    const rows = await searchPageUsers(t.store, t.client.tenantId, page, { text, whole: true }, 1);
    expect(rows!.length).toBeGreaterThan(0);
    expect(rows!.length).toBeLessThan(25);
    expect(rows!.every((r) => r.user_name.includes('.17@'))).toBe(true);
  });

  it('serves the family-name order only: the index carries no other', async () => {
    const { page, text } = searchQuery('sen', 5, 'userName');
    expect(await searchPageUsers(t.store, t.client.tenantId, page, { text, whole: true })).toBeUndefined();
  });
});

describe('every user a filter matches has the search text it implies', () => {
  /** Letters a name or an address may have, cased both ways, with LIKE's metacharacters and what JSON escapes. */
  const CHARS = ['a', 'B', 'c', 'É', 'é', 'ß', 'İ', 'ı', 'Σ', 'ς', '%', '_', '"', '\\', ' ', '.', '-', '1'];
  const word = fc.array(fc.constantFrom(...CHARS), { minLength: 1, maxLength: 6 }).map((cs) => cs.join(''));
  const SEARCHED = ['userName', 'name.givenName', 'name.familyName', 'emails.value', 'emails'];
  const ATTRIBUTES = [...SEARCHED, ...SEARCHED, 'displayName', 'emails.type', 'title'];
  let client: Client;
  const values: string[] = [];

  beforeAll(async () => {
    client = await t.newTenant('implied');
    const people = fc.sample(fc.record({ given: word, family: word, email: word, home: word, display: word }), { numRuns: 40, seed: 20261205 });
    for (const [i, p] of people.entries()) {
      const userName = `${p.given}${i}@x.example`;
      const emails = [{ value: `${p.email}${i}@Work.Example`, type: 'work' }, { value: `${p.home}@home.example`, type: 'home' }];
      const created = await client.request('POST', '/Users', { schemas: [USER_SCHEMA], userName, displayName: p.display, name: { givenName: p.given, familyName: p.family }, emails });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      values.push(userName, p.given, p.family, p.display, ...emails.map((e) => e.value));
    }
  }, 60_000);

  it('holds for any filter the grammar allows on the searched attributes and others', async () => {
    // A fragment of a stored value, cased either way, or (less often) any word.
    const cut = fc.tuple(fc.nat(), fc.nat(), fc.nat(), fc.boolean()).map(([v, start, length, upper]) => {
      const value = values[v % values.length]!;
      const from = start % value.length;
      const part = value.slice(from, from + 1 + (length % 5));
      return upper ? part.toUpperCase() : part.toLowerCase();
    });
    const fragment = fc.oneof({ weight: 4, arbitrary: cut }, { weight: 1, arbitrary: word });
    const comparison = fc
      .tuple(fc.constantFrom(...ATTRIBUTES), fc.constantFrom('co', 'sw', 'ew', 'eq'), fragment)
      .map(([attribute, op, value]) => `${attribute} ${op} ${JSON.stringify(value)}`);
    // The console's own: one fragment on every searched attribute.
    const consoleSearch = fragment.map((value) => SEARCHED.map((a) => `${a} co ${JSON.stringify(value)}`).join(' or '));
    const filter = fc.letrec<{ f: string }>((tie) => ({
      f: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        comparison,
        consoleSearch,
        fc.tuple(tie('f'), fc.constantFrom('and', 'or'), tie('f')).map(([l, op, r]) => `(${l}) ${op} (${r})`),
        tie('f').map((f) => `not (${f})`),
      ),
    })).f;
    let implying = 0;
    let matching = 0;
    await fc.assert(
      fc.asyncProperty(filter, async (text) => {
        const parsed = parseFilter(text);
        const test = impliedSearchText(parsed, USER_RESOURCE_TYPE, userSqlModel);
        if (test === undefined) return;
        implying += 1;
        const compiled = filterToSql(parsed, USER_RESOURCE_TYPE, userSqlModel, 1, { maxCost: Infinity });
        const params = [...compiled.params];
        const implied = test(numberInto(params));
        const [counts] = await t.store.query<{ matched: number; missed: number }>(
          `select count(*)::int as matched, count(*) filter (where not coalesce(${implied}, false))::int as missed
             from users u where u.tenant_id = $1 and ${compiled.sql}`,
          [client.tenantId, ...params],
        );
        if (counts!.matched > 0) matching += 1;
        expect(counts!.missed, `${text}: ${implied}`).toBe(0);
      }),
      { numRuns: 400, seed: 1205 },
    );
    // The property was tested on filters that imply something and match someone, not only on empty answers.
    expect(implying).toBeGreaterThan(150);
    expect(matching).toBeGreaterThan(80);
  }, 120_000);
});
