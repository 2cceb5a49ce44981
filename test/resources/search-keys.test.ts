// The family names a search fragment's pieces are under (sql/0025, searchKeysPageUsers): a search sorted by last name
// walks only the names whose users' texts hold every piece of its fragment. What it must never do: miss a match when
// the names change, walk the names it can skip, or answer a page its bounds cut short.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSearchFilter, insertUserBatch, planNodes, type PlanNode } from '../../src/bench/queries.js';
import { SEED_LISTS } from '../../src/bench/names.js';
import { numberInto, type PageQuery } from '../../src/resources/list.js';
import { INDEXED_MULTI_VALUED, searchKeysPageUsers, userSqlModel } from '../../src/resources/users/queries.js';
import { parseFilter } from '../../src/scim/filter/parser.js';
import { impliedFragment, impliedSearchText } from '../../src/scim/filter/search-text.js';
import { filterToSql } from '../../src/scim/filter/to-sql.js';
import { compileProjection } from '../../src/scim/resource/projection.js';
import { USER_RESOURCE_TYPE } from '../../src/scim/schema/resource-types.js';
import { compileSort, orderBySql } from '../../src/scim/sort.js';
import { migrate } from '../../src/store/index.js';
import { createTestContext, USER_SCHEMA, type Client, type TestContext } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';
import { statementRecorder } from '../helpers/statements.js';

/** Users before the first one whose text holds "sen": what a walk of every name would read first. */
const BEFORE = 300;
const MATCHING = 30;
let t: TestContext;
let tenant: Client;
const recorder = statementRecorder();

const batch = (tenantId: string, first: number, last: number) => ({
  tenantId,
  domain: 'keys.example.com',
  organization: 'Keys',
  first,
  last,
  total: BEFORE + MATCHING,
  since: new Date('2026-01-01T00:00:00Z'),
  until: new Date('2026-06-01T00:00:00Z'),
  indexedAttributes: INDEXED_MULTI_VALUED,
});

beforeAll(async () => {
  t = await createTestContext({ wrapStore: recorder.wrap });
  tenant = await t.newTenant('keys');
  // Abbotts first in the family-name order, none of whose texts holds "sen"; then Andersens, each of whose does.
  const lists = { ...SEED_LISTS, given: ['Ada'], middle: ['Lou'] };
  await insertUserBatch(t.store, batch(tenant.tenantId, 1, BEFORE), { ...lists, family: ['Abbott'] });
  await insertUserBatch(t.store, batch(tenant.tenantId, BEFORE + 1, BEFORE + MATCHING), { ...lists, family: ['Andersen'] });
  await t.store.query('vacuum analyze users');
}, 120_000);
afterAll(() => t.close());

type Body = { Resources?: { id: string; name?: { familyName?: string } }[]; nextCursor?: string };
const ids = (body: Body) => (body.Resources ?? []).map((r) => r.id);
const OMIT = { Prefer: 'totalResults=omit' };

/** The plan of a statement as it ran, where a table this small would not rather be read whole. */
async function explainAnalyze(text: string, params: readonly unknown[]): Promise<PlanNode> {
  return t.store.transaction(async (tx) => {
    await tx.query('set local enable_seqscan = off');
    const rows = await tx.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(`explain (analyze, format json) ${text}`, params);
    return rows[0]!['QUERY PLAN'][0].Plan;
  });
}

/** The entries an index's scans returned, over all their loops. */
const entriesRead = (plan: PlanNode, index: string) =>
  planNodes(plan)
    .filter((n) => n['Index Name'] === index)
    .reduce((sum, n) => sum + ((n as { 'Actual Rows'?: number })['Actual Rows'] ?? 0) * ((n as { 'Actual Loops'?: number })['Actual Loops'] ?? 0), 0);

/** The console's search for `fragment` as searchKeysPageUsers takes it. */
function keysQuery(fragment: string, limit: number): { page: PageQuery; text: string } {
  const filter = parseFilter(consoleSearchFilter(fragment));
  const compiled = filterToSql(filter, USER_RESOURCE_TYPE, userSqlModel, 1);
  const params = [...compiled.params];
  const text = impliedSearchText(filter, USER_RESOURCE_TYPE, userSqlModel)!(numberInto(params));
  const plan = compileSort('name.familyName', 'ascending', USER_RESOURCE_TYPE, userSqlModel, 'u.created_at');
  const page: PageQuery = { where: compiled.sql, params, orderBy: orderBySql(plan), descending: false, sortKey: plan.expression, limit, offset: 0, projection: compileProjection(USER_RESOURCE_TYPE) };
  return { page, text };
}

describe('a search walks only the family names that hold its fragment', () => {
  it('the first page of a fragment whose names sort late reads their users, not the users before them', async () => {
    const query = new URLSearchParams({ filter: consoleSearchFilter('sen'), sortBy: 'name.familyName', count: '25', cursor: '' });
    let response!: Awaited<ReturnType<Client['request']>>;
    const statements = await recorder.during(async () => (response = await tenant.request('GET', `/Users?${query}`, undefined, OMIT)));
    expect(response.status).toBe(200);
    expect((response.body as Body).Resources!.map((r) => r.name?.familyName)).toEqual(Array(25).fill('Andersen'));
    const reads = statements.filter((s) => /\busers u\b/.test(s.text));
    expect(reads).toHaveLength(1);
    expect(reads[0]!.text).toContain('user_search_keys');
    const plan = await explainAnalyze(reads[0]!.text, reads[0]!.params);
    // 25 and one more for the cursor, out of the Andersens; none of the 300 Abbotts before them.
    expect(entriesRead(plan, 'users_family_key_idx')).toBeLessThanOrEqual(MATCHING);
    expect(planNodes(plan).filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])).toEqual([]);
  });

  it('every page of a cursor walk, forwards and descending, is the page the filter reads without it', async () => {
    for (const sortOrder of ['ascending', 'descending']) {
      const pages = async (filter: string, headers?: Record<string, string>) => {
        const all: string[][] = [];
        for (let cursor = ''; ; ) {
          const response = await tenant.request('GET', `/Users?${new URLSearchParams({ filter, sortBy: 'name.familyName', sortOrder, count: '7', cursor })}`, undefined, headers);
          all.push(ids(response.body as Body));
          const next = (response.body as Body).nextCursor;
          if (next === undefined) return all;
          cursor = next;
        }
      };
      for (const fragment of ['sen', 'ada', 'lou.a', 'abbott', 'keys.example']) {
        // The search alone, and with a condition the text cannot tell (some users the walk finds are not matches).
        for (const filter of [consoleSearchFilter(fragment), `(${consoleSearchFilter(fragment)}) and active eq false`]) {
          expect(impliedFragment(parseFilter(filter), USER_RESOURCE_TYPE, userSqlModel)).toBe(fragment);
          // The same filter with a term that implies no one fragment: read without user_search_keys.
          const reference = `(${filter}) or name.familyName co "${fragment}${fragment}"`;
          expect(impliedFragment(parseFilter(reference), USER_RESOURCE_TYPE, userSqlModel)).toBeUndefined();
          expect(await pages(filter, OMIT), `${filter} ${sortOrder}`).toEqual(await pages(reference));
        }
      }
    }
  });

  it('gives up a page its bounds stopped short, and answers it within them', async () => {
    const { page, text } = keysQuery('sen', 5);
    const search = { text, fragment: 'sen' };
    const within = await searchKeysPageUsers(t.store, tenant.tenantId, page, search, { names: 5, entries: 100, rows: 100 });
    expect(within?.map((r) => r.attributes)).toHaveLength(5);
    // "ada" is under both names: the Abbotts' 300 users hold it, read 100 at most, and the page needs only 5.
    const { page: adaPage, text: adaText } = keysQuery('ada', 5);
    expect(await searchKeysPageUsers(t.store, tenant.tenantId, adaPage, { text: adaText, fragment: 'ada' }, { names: 5, entries: 100, rows: 100 })).toHaveLength(5);
    // Under the first name, "bott.3" is held by 12 users (3, 30-39, 300) among 300: 100 entries hold fewer than 25.
    const { page: rare, text: rareText } = keysQuery('bott.3', 25);
    const rareSearch = { text: rareText, fragment: 'bott.3' };
    expect(await searchKeysPageUsers(t.store, tenant.tenantId, rare, rareSearch, { names: 5, entries: 100, rows: 100 })).toBeUndefined();
    const whole = await searchKeysPageUsers(t.store, tenant.tenantId, rare, rareSearch, { names: 5, entries: 1000, rows: 100 });
    expect(whole?.length).toBe(12);
    // More names than the bound: "a" pieces ("ada") are under both names, and the bound is one.
    expect(await searchKeysPageUsers(t.store, tenant.tenantId, adaPage, { text: adaText, fragment: 'ada' }, { names: 1, entries: 1000, rows: 100 })).toHaveLength(5);
    const { page: all, text: allText } = keysQuery('keys.example', 400);
    expect(await searchKeysPageUsers(t.store, tenant.tenantId, all, { text: allText, fragment: 'keys.example' }, { names: 1, entries: 1000, rows: 1000 })).toBeUndefined();
    // Two names walked to their end, and no third: the bound of two names is no stop.
    expect(await searchKeysPageUsers(t.store, tenant.tenantId, all, { text: allText, fragment: 'keys.example' }, { names: 2, entries: 1000, rows: 1000 })).toHaveLength(BEFORE + MATCHING);
    // A page with more rows than the bound is left to the other walks.
    expect(await searchKeysPageUsers(t.store, tenant.tenantId, all, { text: allText, fragment: 'keys.example' }, { names: 2, entries: 1000, rows: 399 })).toBeUndefined();
  });
});

describe('user_search_keys follows the users', () => {
  const search = async (client: Client, fragment: string) => {
    const query = new URLSearchParams({ filter: consoleSearchFilter(fragment), sortBy: 'name.familyName', count: '10', cursor: '' });
    const response = await client.request('GET', `/Users?${query}`, undefined, OMIT);
    expect(response.status).toBe(200);
    return (response.body as Body).Resources!.map((r) => r.name?.familyName);
  };

  it('a new user, a changed name and a deleted user', async () => {
    const client = await t.newTenant('follows');
    const created = await client.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'q@follows.example.com', name: { givenName: 'Quinn', familyName: 'Quorrason' } });
    expect(created.status).toBe(201);
    expect(await search(client, 'orras')).toEqual(['Quorrason']);
    const id = (created.body as { id: string }).id;
    const patched = await client.request('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'name.familyName', value: 'Zywiec' }],
    });
    expect(patched.status).toBe(200);
    expect(await search(client, 'ywie')).toEqual(['Zywiec']);
    // The old name's pieces stay, and cost a search a look: they never make it a match.
    expect(await search(client, 'orras')).toEqual([]);
    expect((await t.store.query('select 1 from user_search_keys where tenant_id = $1 and family_key = $2', [client.tenantId, 'quorrason'])).length).toBeGreaterThan(0);
    // A user with the old name again is found under it.
    await client.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'r@follows.example.com', name: { familyName: 'Quorrason' } });
    expect(await search(client, 'orras')).toEqual(['Quorrason']);
    expect((await client.request('DELETE', `/Users/${id}`)).status).toBe(204);
    expect(await search(client, 'ywie')).toEqual([]);
  });

  it('an update that leaves the search text as it was adds nothing', async () => {
    const client = await t.newTenant('unchanged');
    const created = await client.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: 'u@unchanged.example.com', name: { familyName: 'Stable' } });
    const before = await t.store.query('select trigram from user_search_keys where tenant_id = $1 order by 1', [client.tenantId]);
    await t.store.query('delete from user_search_keys where tenant_id = $1 and trigram = $2', [client.tenantId, 'tab']);
    const id = (created.body as { id: string }).id;
    const patched = await client.request('PATCH', `/Users/${id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'Engineer' }],
    });
    expect(patched.status).toBe(200);
    const after = await t.store.query('select trigram from user_search_keys where tenant_id = $1 order by 1', [client.tenantId]);
    expect(after.length).toBe(before.length - 1);
  });
});

describe('migration 0025', () => {
  it('fills user_search_keys for the users a database already has', async () => {
    const database = await createTestDatabase({ migrateBefore: 25 });
    try {
      const [tenantRow] = await database.store.query<{ id: string }>(`insert into tenants (id, slug, name, created_at) values (gen_random_uuid(), 'before', 'Before', now()) returning id`);
      const id = tenantRow!.id;
      await insertUserBatch(database.store, { ...batch(id, 1, 50), total: 50 }, SEED_LISTS);
      await migrate(database.store);
      const expected = await database.store.query<{ n: number }>(
        `select count(*)::int as n from (
           select distinct u.family_key, substr(u.search_text, i, 3) from users u, generate_series(1, length(u.search_text) - 2) i
            where u.tenant_id = $1 and u.family_key is not null) p`,
        [id],
      );
      const keys = await database.store.query<{ n: number }>('select count(*)::int as n from user_search_keys where tenant_id = $1', [id]);
      expect(keys[0]!.n).toBe(expected[0]!.n);
      expect(keys[0]!.n).toBeGreaterThan(0);
    } finally {
      await database.close();
    }
  });
});
