// The plans behind filters on the persona extension (sql/0010): the console's `<persona URN> pr` and a persona's
// permissions read the tenant's personas through their partial index, not every group of the tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../src/store/index.js';
import { statementRecorder } from '../helpers/statements.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
const PLAIN_GROUPS = 5000;

let t: TestContext;
const recorder = statementRecorder();

beforeAll(async () => {
  t = await createTestContext({ wrapStore: recorder.wrap });
  // The tenant's eight default personas among thousands of plain groups, and another tenant's as many.
  const other = await t.newTenant('other');
  for (const tenantId of [t.client.tenantId, other.tenantId]) {
    await t.store.query(
      `insert into groups (tenant_id, id, display_name, attributes, created_at, last_modified)
       select $1::uuid, gen_random_uuid(), 'Team ' || n, jsonb_build_object('displayName', 'Team ' || n), now(), now()
         from generate_series(1, $2::int) as s(n)`,
      [tenantId, PLAIN_GROUPS],
    );
  }
  await t.store.query('analyze groups');
});
afterAll(() => t.close());

/** The plan of the statement that reads the page of groups for `path`, and the number of personas it answered. */
async function pagePlan(path: string): Promise<{ plan: string; total: number }> {
  let response!: Awaited<ReturnType<typeof t.client.request>>;
  const statements = await recorder.during(async () => (response = await t.client.request('GET', path)));
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const page = statements.find((s) => /as sort_key from groups g/.test(s.text));
  expect(page).toBeDefined();
  const rows = await t.store.query<Row>(`explain (analyze, costs off) ${page!.text}`, page!.params);
  return { plan: rows.map((r) => Object.values(r)[0]).join('\n'), total: response.body.totalResults };
}

describe('persona filters use the partial index of personas', () => {
  it.each([
    ['the console: <persona> pr, by displayName', `/Groups?filter=${encodeURIComponent(`${PERSONA} pr`)}&attributes=${encodeURIComponent(`displayName,${PERSONA}`)}&sortBy=displayName&count=100&cursor=`, 8],
    ['<persona> pr, in creation order', `/Groups?filter=${encodeURIComponent(`${PERSONA} pr`)}`, 8],
    ['permissions eq', `/Groups?filter=${encodeURIComponent(`${PERSONA}:permissions eq "users:write"`)}`, 1],
    ['permissions eq, by displayName', `/Groups?filter=${encodeURIComponent(`${PERSONA}:permissions eq "billing:read"`)}&sortBy=displayName`, 2],
  ])('%s', async (_, path, expected) => {
    const { plan, total } = await pagePlan(path);
    expect(total).toBe(expected);
    expect(plan).toContain('groups_persona_idx');
    // Never a walk over the tenant's plain groups.
    const removed = [...plan.matchAll(/Rows Removed by Filter: (\d+)/g)].map((m) => Number(m[1]));
    expect(Math.max(0, ...removed), plan).toBeLessThan(100);
  });
});
