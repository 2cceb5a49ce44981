// QueryOptions.planEachTime on both databases: such a statement is sent unnamed, so that it is planned for each
// execution's values and never from the generic plan a prepared statement may settle on; the others are prepared
// (postgres.js on PostgreSQL; PGlite's worker keeps its own named statements, which had ignored the option).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

describe('planEachTime', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(() => t?.close());

  it('prepares a statement by default, and not one planned each time', async () => {
    // One transaction, so one connection: pg_prepared_statements is per session.
    const prepared = await t.store.transaction(async (tx) => {
      await tx.query('select $1::int as n /* plan-each-time: prepared */', [1]);
      await tx.query('select $1::int as n /* plan-each-time: unnamed */', [2], { planEachTime: true });
      const rows = await tx.query<{ statement: string }>("select statement from pg_prepared_statements where statement like '%plan-each-time:%'");
      return rows.map((r) => r.statement);
    });
    expect(prepared.some((s) => s.includes('plan-each-time: prepared'))).toBe(true);
    expect(prepared.some((s) => s.includes('plan-each-time: unnamed'))).toBe(false);
  });

  it('answers the same rows either way', async () => {
    expect(await t.store.query('select $1::text as v', ['x'], { planEachTime: true })).toEqual([{ v: 'x' }]);
  });
});
