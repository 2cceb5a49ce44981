// /Groups through the real app on a real database (RFC 7644 §3.3-§3.6; RFC 7643 §4.2, §4.1.2 groups, §8.4).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASE,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  LIST_SCHEMA,
  createTestContext,
  groupBody,
  userBody,
  type Client,
  type ScimResponse,
  type TestContext,
} from '../helpers/app.js';

const SCIM_JSON = 'application/scim+json; charset=utf-8';
const ENTRA_GROUP_SCHEMA = 'http://schemas.microsoft.com/2006/11/resourcemanagement/adscim/2.0/group';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

const q = encodeURIComponent;
const userRef = (id: string) => `${BASE}/Users/${id}`;
const groupRef = (id: string) => `${BASE}/Groups/${id}`;

async function createUser(client: Client, userName: string, displayName?: string): Promise<Record<string, any>> {
  const response = await client.request('POST', '/Users', userBody(userName, displayName === undefined ? {} : { displayName }));
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function createGroup(client: Client, displayName: string, members: Record<string, unknown>[] = []): Promise<Record<string, any>> {
  const response = await client.request('POST', '/Groups', groupBody(displayName, members.length > 0 ? { members } : {}));
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

function expectScimError(response: ScimResponse, status: number, scimType?: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe(SCIM_JSON);
  expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(response.body.status).toBe(String(status));
  if (scimType === undefined) expect(response.body.scimType).toBeUndefined();
  else expect(response.body.scimType).toBe(scimType);
}

async function groupsNamed(displayName: string): Promise<number> {
  const rows = await t.store.query('select 1 from groups where lower(display_name) = lower($1)', [displayName]);
  return rows.length;
}

async function directMembers(groupId: string): Promise<string[]> {
  const rows = await t.store.query<{ id: string }>(
    `select user_id::text as id from group_members where group_id = $1
     union all select member_group_id::text from group_subgroups where group_id = $1`,
    [groupId],
  );
  return rows.map((r) => r.id).sort();
}

async function groupVersion(groupId: string): Promise<number | undefined> {
  const rows = await t.store.query<{ version: number }>('select version from groups where id = $1', [groupId]);
  return rows[0]?.version;
}

const userMember = (user: Record<string, any>) => ({ value: user.id, $ref: userRef(user.id), display: user.displayName ?? user.userName, type: 'User' });
const groupMember = (group: Record<string, any>) => ({ value: group.id, $ref: groupRef(group.id), display: group.displayName, type: 'Group' });
const byValue = <T extends { value: string }>(items: T[]): T[] => [...items].sort((a, b) => a.value.localeCompare(b.value));

describe('RFC 7643 §8.4 Group representation, members being users created here', () => {
  let babs: Record<string, any>;
  let mandy: Record<string, any>;
  let created: ScimResponse;

  beforeAll(async () => {
    babs = await createUser(t.client, 'bjensen@example.com', 'Babs Jensen');
    mandy = await createUser(t.client, 'mpepperidge@example.com', 'Mandy Pepperidge');
    created = await t.client.request('POST', '/Groups', {
      schemas: [GROUP_SCHEMA],
      id: 'e9e30dba-f08f-4109-8486-d5c6a331660a',
      displayName: 'Tour Guides',
      members: [
        { value: babs.id, $ref: `https://example.com/v2/Users/${babs.id}`, display: 'Babs Jensen' },
        // A client's display is readOnly: the server writes the member's own name.
        { value: mandy.id, $ref: `https://example.com/v2/Users/${mandy.id}`, display: 'Someone Else' },
      ],
      meta: {
        resourceType: 'Group',
        created: '2010-01-23T04:56:22Z',
        lastModified: '2011-05-13T04:42:34Z',
        version: 'W/"3694e05e9dff592"',
        location: 'https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a',
      },
    });
  });

  it('answers 201 with Location, ETag and the members with value, $ref, display and type', () => {
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('content-type')).toBe(SCIM_JSON);
    expect(created.body.id).not.toBe('e9e30dba-f08f-4109-8486-d5c6a331660a');
    expect(created.headers.get('location')).toBe(groupRef(created.body.id));
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.body).toEqual({
      schemas: [GROUP_SCHEMA],
      id: created.body.id,
      displayName: 'Tour Guides',
      members: byValue([userMember(babs), userMember(mandy)]),
      meta: {
        resourceType: 'Group',
        created: created.body.meta.created,
        lastModified: created.body.meta.created,
        location: groupRef(created.body.id),
        version: 'W/"1"',
      },
    });
    expect(created.body.meta.created).not.toBe('2010-01-23T04:56:22Z');
  });

  it('keeps membership in its table and the same representation on GET', async () => {
    expect(await directMembers(created.body.id)).toEqual([babs.id, mandy.id].sort());
    const rows = await t.store.query<{ attributes: Record<string, unknown> }>('select attributes from groups where id = $1', [created.body.id]);
    expect(rows[0]?.attributes).toEqual({ displayName: 'Tour Guides' });
    const got = await t.client.request('GET', `/Groups/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('W/"1"');
    expect(got.body).toEqual(created.body);
  });

  it('lists the group in each member\'s groups attribute as a direct membership', async () => {
    const got = await t.client.request('GET', `/Users/${babs.id}`);
    expect(got.body.groups).toEqual([{ value: created.body.id, $ref: groupRef(created.body.id), display: 'Tour Guides', type: 'direct' }]);
    const withGroups = await t.client.request('GET', `/Users?filter=${q(`userName eq "mpepperidge@example.com"`)}&attributes=groups`);
    expect(withGroups.body.Resources[0].groups).toEqual([{ value: created.body.id, $ref: groupRef(created.body.id), display: 'Tour Guides', type: 'direct' }]);
  });
});

describe('nested groups', () => {
  let c: Client;
  let babs: Record<string, any>;
  let mandy: Record<string, any>;
  let carl: Record<string, any>;
  let guides: Record<string, any>;
  let employees: Record<string, any>;
  let us: Record<string, any>;

  beforeAll(async () => {
    c = await t.newTenant('groups-nested');
    babs = await createUser(c, 'babs', 'Babs Jensen');
    mandy = await createUser(c, 'mandy');
    carl = await createUser(c, 'carl');
    guides = await createGroup(c, 'Tour Guides', [{ value: babs.id }, { value: mandy.id, type: 'User' }]);
    employees = await createGroup(c, 'Employees', [{ value: guides.id, type: 'Group' }, { value: carl.id }]);
    us = await createGroup(c, 'US Employees', [{ value: employees.id }, { value: mandy.id }]);
  });

  it('shows a group member with its $ref to /Groups and type "Group"', () => {
    expect(employees.members).toEqual([userMember(carl), groupMember(guides)]);
    expect(us.members).toEqual([userMember(mandy), groupMember(employees)]);
  });

  it('lists direct and indirect memberships in a user\'s groups attribute', async () => {
    const babsGroups = (await c.request('GET', `/Users/${babs.id}`)).body.groups;
    expect(babsGroups).toEqual([
      { value: employees.id, $ref: groupRef(employees.id), display: 'Employees', type: 'indirect' },
      { value: guides.id, $ref: groupRef(guides.id), display: 'Tour Guides', type: 'direct' },
      { value: us.id, $ref: groupRef(us.id), display: 'US Employees', type: 'indirect' },
    ]);
    // Mandy is in US Employees both directly and through Tour Guides: direct wins.
    const mandyGroups = (await c.request('GET', `/Users/${mandy.id}`)).body.groups;
    expect(mandyGroups.map((g: { display: string; type: string }) => [g.display, g.type])).toEqual([
      ['Employees', 'indirect'],
      ['Tour Guides', 'direct'],
      ['US Employees', 'direct'],
    ]);
    const listed = await c.request('GET', `/Users?filter=${q('userName eq "carl"')}`);
    expect(listed.body.Resources[0].groups.map((g: { display: string; type: string }) => [g.display, g.type])).toEqual([
      ['Employees', 'direct'],
      ['US Employees', 'indirect'],
    ]);
  });

  it('refuses a cycle with 400 invalidValue and changes nothing', async () => {
    // US Employees > Employees > Tour Guides already: Tour Guides may not contain US Employees.
    const closing = await c.request('PUT', `/Groups/${guides.id}`, groupBody('Tour Guides', { members: [{ value: babs.id }, { value: us.id }] }));
    expectScimError(closing, 400, 'invalidValue');
    expect(await directMembers(guides.id)).toEqual([babs.id, mandy.id].sort());
    expect(await groupVersion(guides.id)).toBe(1);

    const a = await createGroup(c, 'Cycle A');
    const b = await createGroup(c, 'Cycle B', [{ value: a.id }]);
    expectScimError(await c.request('PUT', `/Groups/${a.id}`, groupBody('Cycle A', { members: [{ value: b.id }] })), 400, 'invalidValue');
    const self = await c.request('PUT', `/Groups/${a.id}`, groupBody('Cycle A', { members: [{ value: a.id, type: 'Group' }] }));
    expectScimError(self, 400, 'invalidValue');
    expect(await directMembers(a.id)).toEqual([]);
    expect(await directMembers(b.id)).toEqual([a.id]);
    expect(await groupVersion(a.id)).toBe(1);
  });

  it('removes a deleted member group from its parents and changes their version', async () => {
    const parent = await createGroup(c, 'Parent');
    const child = await createGroup(c, 'Child');
    const put = await c.request('PUT', `/Groups/${parent.id}`, groupBody('Parent', { members: [{ value: child.id }, { value: carl.id }] }));
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe('W/"2"');
    expect((await c.request('DELETE', `/Groups/${child.id}`)).status).toBe(204);
    const got = await c.request('GET', `/Groups/${parent.id}`);
    expect(got.body.members).toEqual([userMember(carl)]);
    expect(got.headers.get('etag')).toBe('W/"3"');
  });
});

describe('members that are not Users or Groups of this tenant', () => {
  let user: Record<string, any>;
  let foreignUser: Record<string, any>;
  let foreignGroup: Record<string, any>;

  beforeAll(async () => {
    user = await createUser(t.client, 'member-check');
    const other = await t.newTenant('groups-other');
    foreignUser = await createUser(other, 'foreign');
    foreignGroup = await createGroup(other, 'Foreign Group');
  });

  it.each([
    ['an unknown id', () => '00000000-0000-4000-8000-000000000000'],
    ['a malformed id', () => 'not-a-uuid'],
    ['another tenant\'s user', () => foreignUser.id],
    ['another tenant\'s group', () => foreignGroup.id],
  ])('answers 400 invalidValue for %s and writes no group', async (_label, id) => {
    const name = `bad-member-${_label}`;
    const response = await t.client.request('POST', '/Groups', groupBody(name, { members: [{ value: user.id }, { value: id() }] }));
    expectScimError(response, 400, 'invalidValue');
    expect(response.body.detail).toContain(id());
    expect(await groupsNamed(name)).toBe(0);
    expect(await t.store.query('select 1 from group_members where user_id = $1', [user.id])).toHaveLength(0);
  });

  it('answers 400 invalidValue for a member whose type contradicts what it is', async () => {
    const response = await t.client.request('POST', '/Groups', groupBody('wrong-type', { members: [{ value: user.id, type: 'Group' }] }));
    expectScimError(response, 400, 'invalidValue');
    expect(await groupsNamed('wrong-type')).toBe(0);
  });

  it('answers 400 invalidValue for a member without a value', async () => {
    const response = await t.client.request('POST', '/Groups', groupBody('no-value', { members: [{ type: 'User', $ref: userRef(user.id) }] }));
    expectScimError(response, 400, 'invalidValue');
    expect(await groupsNamed('no-value')).toBe(0);
  });

  it('leaves an existing group as it was when a PUT names a bad member', async () => {
    const group = await createGroup(t.client, 'kept-as-is', [{ value: user.id }]);
    const response = await t.client.request('PUT', `/Groups/${group.id}`, groupBody('renamed', { members: [{ value: foreignUser.id }] }));
    expectScimError(response, 400, 'invalidValue');
    expect(await directMembers(group.id)).toEqual([user.id]);
    expect(await groupsNamed('kept-as-is')).toBe(1);
    expect(await groupVersion(group.id)).toBe(1);
  });
});

describe('displayName', () => {
  it('is unique per tenant regardless of case: 409 uniqueness, nothing written', async () => {
    await createGroup(t.client, 'Admins');
    const before = await t.store.query('select 1 from groups where tenant_id = $1', [t.client.tenantId]);
    const duplicate = await t.client.request('POST', '/Groups', groupBody('ADMINS'));
    expectScimError(duplicate, 409, 'uniqueness');
    expect(await t.store.query('select 1 from groups where tenant_id = $1', [t.client.tenantId])).toHaveLength(before.length);
    const other = await createGroup(t.client, 'Admins-2');
    expectScimError(await t.client.request('PUT', `/Groups/${other.id}`, groupBody('admins')), 409, 'uniqueness');
    expect(await groupVersion(other.id)).toBe(1);
  });

  it('is required and must not be empty', async () => {
    expectScimError(await t.client.request('POST', '/Groups', { schemas: [GROUP_SCHEMA] }), 400, 'invalidValue');
    expectScimError(await t.client.request('POST', '/Groups', groupBody('')), 400, 'invalidValue');
    expect(await groupsNamed('')).toBe(0);
  });

  it('accepts the schema URN Microsoft Entra ID adds to groups', async () => {
    const response = await t.client.request('POST', '/Groups', { schemas: [GROUP_SCHEMA, ENTRA_GROUP_SCHEMA], displayName: 'Entra Group' });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.schemas).toEqual([GROUP_SCHEMA]);
  });
});

describe('PUT /Groups/{id}', () => {
  it('replaces the members exactly', async () => {
    const [a, b, c] = [await createUser(t.client, 'put-a'), await createUser(t.client, 'put-b'), await createUser(t.client, 'put-c')];
    const group = await createGroup(t.client, 'Replace Me', [{ value: a!.id }, { value: b!.id }]);
    const replaced = await t.client.request('PUT', `/Groups/${group.id}`, groupBody('Replace Me', { externalId: 'ext-1', members: [{ value: b!.id }, { value: c!.id }] }));
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.headers.get('etag')).toBe('W/"2"');
    expect(replaced.body.externalId).toBe('ext-1');
    expect(replaced.body.members).toEqual(byValue([userMember(b!), userMember(c!)]));
    expect(await directMembers(group.id)).toEqual([b!.id, c!.id].sort());
    expect((await t.client.request('GET', `/Users/${a!.id}`)).body).not.toHaveProperty('groups');

    const emptied = await t.client.request('PUT', `/Groups/${group.id}`, groupBody('Replace Me'));
    expect(emptied.status).toBe(200);
    expect(emptied.body).not.toHaveProperty('members');
    expect(emptied.body).not.toHaveProperty('externalId');
    expect(await directMembers(group.id)).toEqual([]);
  });

  it('answers 412 to a stale If-Match and 404 to an unknown or malformed id', async () => {
    const group = await createGroup(t.client, 'Conditional');
    expectScimError(await t.client.request('PUT', `/Groups/${group.id}`, groupBody('Conditional 2'), { 'If-Match': 'W/"5"' }), 412);
    expectScimError(await t.client.request('DELETE', `/Groups/${group.id}`, undefined, { 'If-Match': 'W/"5"' }), 412);
    expect(await groupsNamed('Conditional')).toBe(1);
    expectScimError(await t.client.request('PUT', '/Groups/00000000-0000-4000-8000-000000000000', groupBody('Nobody')), 404);
    expectScimError(await t.client.request('GET', '/Groups/not-a-uuid'), 404);
  });
});

describe('deleting a user', () => {
  it('removes it from its groups and changes their meta.version', async () => {
    const stays = await createUser(t.client, 'stays');
    const leaves = await createUser(t.client, 'leaves');
    const group = await createGroup(t.client, 'Leavers', [{ value: stays.id }, { value: leaves.id }]);
    expect(group.meta.version).toBe('W/"1"');
    expect((await t.client.request('DELETE', `/Users/${leaves.id}`)).status).toBe(204);
    const got = await t.client.request('GET', `/Groups/${group.id}`);
    expect(got.body.members).toEqual([userMember(stays)]);
    expect(got.body.meta.version).toBe('W/"2"');
    expect(got.headers.get('etag')).toBe('W/"2"');
    expect(Date.parse(got.body.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(group.meta.lastModified));
    expect(await directMembers(group.id)).toEqual([stays.id]);
    // A client holding the old version is told so.
    expectScimError(await t.client.request('PUT', `/Groups/${group.id}`, groupBody('Leavers'), { 'If-Match': 'W/"1"' }), 412);
  });
});

describe('GET /Groups', () => {
  let c: Client;
  let ann: Record<string, any>;
  let ben: Record<string, any>;
  let red: Record<string, any>;
  let blue: Record<string, any>;

  beforeAll(async () => {
    c = await t.newTenant('groups-list', { withoutPersonas: true });
    ann = await createUser(c, 'ann');
    ben = await createUser(c, 'ben');
    red = await createGroup(c, 'Red Team', [{ value: ann.id }, { value: ben.id }]);
    blue = await createGroup(c, 'Blue Team', [{ value: ben.id }, { value: red.id }]);
    await createGroup(c, 'Empty Team');
  });

  async function list(query: string): Promise<ScimResponse> {
    const response = await c.request('GET', `/Groups${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers.get('content-type')).toBe(SCIM_JSON);
    expect(response.body.schemas).toEqual([LIST_SCHEMA]);
    return response;
  }
  const names = (response: ScimResponse) => response.body.Resources.map((g: { displayName: string }) => g.displayName).sort();

  it('lists every group of the tenant with its members', async () => {
    const response = await list('');
    expect(response.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 3 });
    expect(response.body.Resources[0]).toEqual(red);
    expect(response.body.Resources[1].members).toEqual([userMember(ben), groupMember(red)]);
  });

  it('filters displayName eq case-insensitively', async () => {
    expect(names(await list(`?filter=${q('displayName eq "red team"')}`))).toEqual(['Red Team']);
    expect(names(await list(`?filter=${q('displayName eq "Green Team"')}`))).toEqual([]);
  });

  it('filters members.value eq on direct members', async () => {
    expect(names(await list(`?filter=${q(`members.value eq "${ben.id}"`)}`))).toEqual(['Blue Team', 'Red Team']);
    expect(names(await list(`?filter=${q(`members.value eq "${ann.id}"`)}`))).toEqual(['Red Team']);
    expect(names(await list(`?filter=${q(`members[value eq "${red.id}" and type eq "Group"]`)}`))).toEqual(['Blue Team']);
    expect(names(await list(`?filter=${q('members.value eq "not-a-uuid"')}`))).toEqual([]);
    expect(names(await list(`?filter=${q('not (members pr)')}`))).toEqual(['Empty Team']);
    expect(names(await list(`?filter=${q('members pr and id pr')}`))).toEqual(['Blue Team', 'Red Team']);
  });

  it('leaves members out with excludedAttributes=members, on list and GET', async () => {
    const listed = await list('?excludedAttributes=members');
    expect(listed.body.totalResults).toBe(3);
    for (const group of listed.body.Resources) expect(group).not.toHaveProperty('members');
    const got = await c.request('GET', `/Groups/${blue.id}?excludedAttributes=members`);
    expect(got.status).toBe(200);
    const { members: _members, ...rest } = blue;
    expect(got.body).toEqual(rest);
    const only = await c.request('GET', `/Groups/${blue.id}?attributes=displayName`);
    expect(only.body).toEqual({ schemas: [GROUP_SCHEMA], id: blue.id, displayName: 'Blue Team' });
  });

  it('sorts by displayName and pages', async () => {
    const response = await list('?sortBy=displayName&startIndex=2&count=1');
    expect(response.body).toMatchObject({ totalResults: 3, startIndex: 2, itemsPerPage: 1 });
    expect(response.body.Resources[0].displayName).toBe('Empty Team');
  });

  it('answers 400 invalidFilter for a bad filter', async () => {
    expectScimError(await c.request('GET', `/Groups?filter=${q('displayName eq')}`), 400, 'invalidFilter');
    expectScimError(await c.request('GET', `/Groups?filter=${q('members.display eq "ann"')}`), 400, 'invalidFilter');
  });
});

describe('DELETE /Groups/{id}', () => {
  it('answers 204, then 404; the memberships are gone and no user lists the group', async () => {
    const user = await createUser(t.client, 'in-deleted-group');
    const group = await createGroup(t.client, 'Doomed', [{ value: user.id }]);
    const deleted = await t.client.request('DELETE', `/Groups/${group.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expectScimError(await t.client.request('GET', `/Groups/${group.id}`), 404);
    expectScimError(await t.client.request('DELETE', `/Groups/${group.id}`), 404);
    expect(await groupsNamed('Doomed')).toBe(0);
    expect(await t.store.query('select 1 from group_members where group_id = $1', [group.id])).toHaveLength(0);
    const got = await t.client.request('GET', `/Users/${user.id}`);
    expect(got.status).toBe(200);
    expect(got.body).not.toHaveProperty('groups');
  });
});
