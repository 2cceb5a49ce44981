// A large group's members are streamed in batches (GET /Groups/{id}) and come back complete, projected and valid JSON.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, groupBody, type TestContext } from '../helpers/app.js';

const MEMBERS = 2_345;
let t: TestContext;
let groupId: string;
let subgroupIds: string[];

beforeAll(async () => {
  t = await createTestContext();
  const created = await t.client.request('POST', '/Groups', groupBody('Everyone'));
  groupId = created.body.id;
  subgroupIds = [];
  for (const name of ['Sub A', 'Sub B']) subgroupIds.push((await t.client.request('POST', '/Groups', groupBody(name))).body.id);
  // Thousands of users through SQL, shaped as the API stores them; the API adds them to the group.
  await t.store.query(
    `insert into users (tenant_id, id, user_name, display_name, active, attributes, created_at, last_modified)
     select $1, gen_random_uuid(), 'member' || n || '@example.com', 'Member ' || n, true,
            jsonb_build_object('userName', 'member' || n || '@example.com', 'displayName', 'Member ' || n, 'active', true), now(), now()
       from generate_series(1, $2::int) as n`,
    [t.client.tenantId, MEMBERS],
  );
  const users = await t.store.query<{ id: string }>('select id from users where tenant_id = $1', [t.client.tenantId]);
  const value = [...users.map((u) => ({ value: u.id })), ...subgroupIds.map((id) => ({ value: id }))];
  const patched = await t.client.request('PATCH', `/Groups/${groupId}`, {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [{ op: 'add', path: 'members', value }],
  });
  expect(patched.status).toBe(204);
});
afterAll(() => t.close());

describe('GET /Groups/{id} of a large group', () => {
  it('returns every member once, users then groups, with the ETag', async () => {
    const response = await t.client.request('GET', `/Groups/${groupId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    expect(response.headers.get('etag')).toBe(response.body.meta.version);
    const members = response.body.members as { value: string; type: string; display: string; $ref: string }[];
    expect(members).toHaveLength(MEMBERS + 2);
    expect(new Set(members.map((m) => m.value)).size).toBe(MEMBERS + 2);
    expect(members.slice(-2).map((m) => m.value)).toEqual([...subgroupIds].sort());
    expect(members[0]).toMatchObject({ type: 'User', display: expect.stringMatching(/^Member \d+$/), $ref: expect.stringContaining('/Users/') });
    expect(Object.keys(response.body)).toEqual(['schemas', 'id', 'displayName', 'members', 'meta']);
  });

  it('projects members too (attributes=members.value)', async () => {
    const response = await t.client.request('GET', `/Groups/${groupId}?attributes=members.value`);
    expect(response.body.displayName).toBeUndefined();
    expect(response.body.members).toHaveLength(MEMBERS + 2);
    expect(Object.keys(response.body.members[0])).toEqual(['value']);
  });

  it('leaves members out when excluded, and for an empty group', async () => {
    const excluded = await t.client.request('GET', `/Groups/${groupId}?excludedAttributes=members`);
    expect(excluded.body.members).toBeUndefined();
    const empty = await t.client.request('GET', `/Groups/${subgroupIds[0]}`);
    expect(empty.status).toBe(200);
    expect(empty.body.members).toBeUndefined();
    expect(empty.body.meta.resourceType).toBe('Group');
  });
});
