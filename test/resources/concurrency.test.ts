// Writes that race: one userName created many times at once, and member PATCHes from two servers on one PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, groupBody, userBody, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const onPostgres = Boolean(process.env.DATABASE_URL);

let t: TestContext;
let second: TestContext | undefined;
beforeAll(async () => {
  t = await createTestContext();
  if (onPostgres) second = await createTestContext({ shareDatabaseOf: t });
});
afterAll(async () => {
  await second?.close();
  await t.close();
});

describe('concurrent writes', () => {
  it('creating one userName many times at once gives exactly one 201 and 409s', async () => {
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 === 0 || !second ? t : second).client.request('POST', '/Users', userBody(`Race@Example.com`))),
    );
    expect(attempts.filter((r) => r.status === 201)).toHaveLength(1);
    expect(attempts.filter((r) => r.status === 409 && r.body.scimType === 'uniqueness')).toHaveLength(11);
    const rows = await t.store.query('select 1 from users where tenant_id = $1 and lower(user_name) = $2', [t.client.tenantId, 'race@example.com']);
    expect(rows).toHaveLength(1);
  });

  it.skipIf(!onPostgres)('member PATCHes from two servers on one database lose nothing and duplicate nothing', async () => {
    const users: string[] = [];
    for (let i = 0; i < 30; i++) users.push((await t.client.request('POST', '/Users', userBody(`member.${i}@example.com`))).body.id);
    const groupId = (await t.client.request('POST', '/Groups', groupBody('Raced', { members: users.slice(0, 10).map((value) => ({ value })) }))).body.id;
    // Each server adds a different third of the users and both remove the first ten, all at once, twice over.
    const patches = [...users.slice(10, 20).map((u) => [t, u] as const), ...users.slice(20).map((u) => [second!, u] as const)].flatMap(([ctx, user]) => [
      ctx.client.request('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }] }),
      ctx.client.request('PATCH', `/Groups/${groupId}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: user }] }] }),
    ]);
    const removals = users.slice(0, 10).map((user, i) =>
      (i % 2 === 0 ? t : second!).client.request('PATCH', `/Groups/${groupId}`, {
        schemas: [PATCH],
        Operations: [{ op: 'remove', path: `members[value eq "${user}"]` }],
      }),
    );
    const results = await Promise.all([...patches, ...removals]);
    expect(results.map((r) => r.status).filter((s) => s !== 204)).toEqual([]);
    const members = await t.store.query<{ user_id: string }>('select user_id from group_members where group_id = $1 order by user_id', [groupId]);
    expect(members.map((m) => m.user_id)).toEqual(users.slice(10).sort());
    const group = await t.client.request('GET', `/Groups/${groupId}`);
    expect(group.body.members).toHaveLength(20);
  });
});
