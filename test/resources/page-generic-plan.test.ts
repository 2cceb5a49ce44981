// A page of users is a named statement on both databases, so after five runs PostgreSQL may plan it generically,
// for no values in particular. Its generic plan must still read only the page's users' memberships: with the page's
// size bound as a parameter, the planner took the page for a tenth of the tenant, and on PGlite at 100k users read
// the groups of those through a sequential scan of every membership (the bench's EXPLAIN flagged it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSearchFilter, explainGenericJson, planNodes } from '../../src/bench/queries.js';
import { seedTenant } from '../../src/bench/seeder.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { statementRecorder } from '../helpers/statements.js';

// Pages of 10 at 4,000 users with 12,000 memberships stand for pages of 25 to 100 at 100k users: a few index probes
// against a scan of every membership, where the planner's guess of a tenth of the tenant (400 users) makes the scan
// the cheaper.
const USERS = 4000;
let t: TestContext;
const recorder = statementRecorder();

beforeAll(async () => {
  t = await createTestContext({ wrapStore: recorder.wrap });
  // Every user in "All Staff" and in one of 40 groups: two memberships each, as a real tenant's personas give.
  await seedTenant(
    t.store,
    t.tenancy,
    { tenant: 'acme', users: USERS, groups: 40, bigGroup: USERS, batchSize: 2000, jobs: 1, replace: false, clock: () => new Date() },
    () => {},
  );
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe("a page's generic plan", () => {
  for (const [name, query] of [
    ['sorted by last name', 'sortBy=name.familyName&count=10'],
    ['a cursor page in creation order', 'count=10&cursor='],
    ['a page at an index', 'sortBy=userName&startIndex=101&count=10'],
  ] as const) {
    it(`reads its users' memberships by index: ${name}`, async () => {
      const statements = await recorder.during(() => t.client.request('GET', `/Users?${query}`));
      const page = statements.find((s) => s.text.includes('closure'));
      expect(page, 'the page statement, which reads the groups').toBeDefined();
      const plan = await t.store.transaction((tx) => explainGenericJson(tx, page!.text, page!.params));
      const scans = planNodes(plan)
        .filter((node) => node['Relation Name'] === 'group_members')
        .map((node) => node['Node Type']);
      expect(scans.length).toBeGreaterThan(0);
      expect(scans).not.toContain('Seq Scan');
    });
  }

  it('reads the family names and their users by index: a search through user_search_keys, which is planned once', async () => {
    const query = new URLSearchParams({ filter: consoleSearchFilter('sen'), sortBy: 'name.familyName', count: '10', cursor: '' });
    const statements = await recorder.during(() => t.client.request('GET', `/Users?${query}`, undefined, { Prefer: 'totalResults=omit' }));
    const page = statements.find((s) => s.text.includes('user_search_keys'));
    expect(page?.options?.planEachTime).toBe(false);
    const plan = await t.store.transaction((tx) => explainGenericJson(tx, page!.text, page!.params));
    const scans = planNodes(plan).filter((node) => ['users', 'user_search_keys', 'group_members'].includes(node['Relation Name'] ?? ''));
    expect(scans.map((node) => `${node['Node Type']} ${node['Index Name']}`)).toEqual(expect.arrayContaining(['Index Only Scan user_search_keys_pkey', 'Index Only Scan users_family_key_idx']));
    expect(scans.map((node) => node['Node Type'])).not.toContain('Seq Scan');
  });
});
