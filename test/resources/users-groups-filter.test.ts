// Filtering Users by their groups (RFC 7643 §4.1.2 `groups`, RFC 7644 §3.4.2.2) through the app: direct and nested
// membership, the element's type, display, presence, paging, and tenant isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, createTestContext, groupBody, userBody, type Client, type ScimResponse, type TestContext } from '../helpers/app.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

let t: TestContext;
let c: Client;
let other: Client;
/** Users of tenant c by userName, and groups by displayName; `other` holds a tenant of its own. */
const users: Record<string, string> = {};
const groups: Record<string, string> = {};
let otherGroup: string;
let otherUser: string;

async function createUser(client: Client, userName: string): Promise<string> {
  const response = await client.request('POST', '/Users', userBody(userName));
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id;
}

async function createGroup(client: Client, displayName: string, members: Record<string, unknown>[]): Promise<string> {
  const response = await client.request('POST', '/Groups', groupBody(displayName, { members }));
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.id;
}

// Tenant c, without the seeded personas so that `groups pr` sees only these groups:
//   Finance ⊃ Billing ⊃ Billing EU; Support.
//   ann: Billing (direct), Finance (indirect)
//   bob: Billing EU (direct), Billing and Finance (indirect)
//   bea: Billing EU and Billing (both direct: direct wins), Finance (indirect)
//   cid: Support (direct)
//   eve: no group
beforeAll(async () => {
  t = await createTestContext();
  c = await t.newTenant('groups-filter', { withoutPersonas: true });
  for (const name of ['ann', 'bob', 'bea', 'cid', 'eve']) users[name] = await createUser(c, name);
  groups['Billing EU'] = await createGroup(c, 'Billing EU', [{ value: users.bob }, { value: users.bea }]);
  groups.Billing = await createGroup(c, 'Billing', [{ value: users.ann }, { value: users.bea }, { value: groups['Billing EU'], type: 'Group' }]);
  groups.Finance = await createGroup(c, 'Finance', [{ value: groups.Billing, type: 'Group' }]);
  groups.Support = await createGroup(c, 'Support', [{ value: users.cid }]);

  other = await t.newTenant('groups-filter-other', { withoutPersonas: true });
  otherUser = await createUser(other, 'ann');
  otherGroup = await createGroup(other, 'Billing', [{ value: otherUser }]);
});
afterAll(() => t.close());

async function list(client: Client, query: string): Promise<ScimResponse> {
  const response = await client.request('GET', `/Users?${query}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response;
}

/** The userNames a filter returns, in creation order. */
async function matching(filter: string, client: Client = c): Promise<string[]> {
  const response = await list(client, `filter=${encodeURIComponent(filter)}&count=100`);
  expect(response.body.totalResults).toBe(response.body.Resources.length);
  return response.body.Resources.map((r: { userName: string }) => r.userName);
}

function expectScimError(response: ScimResponse, status: number, scimType: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(response.body.scimType).toBe(scimType);
}

describe('filter=groups...', () => {
  it('renders the memberships the filters below are checked against', async () => {
    const rendered = async (name: string) =>
      ((await c.request('GET', `/Users/${users[name]}`)).body.groups ?? []).map((g: { display: string; type: string }) => `${g.display}:${g.type}`);
    expect(await rendered('ann')).toEqual(['Billing:direct', 'Finance:indirect']);
    expect(await rendered('bob')).toEqual(['Billing:indirect', 'Billing EU:direct', 'Finance:indirect']);
    expect(await rendered('bea')).toEqual(['Billing:direct', 'Billing EU:direct', 'Finance:indirect']);
    expect(await rendered('eve')).toEqual([]);
  });

  it('finds direct members and members through nested groups by groups.value', async () => {
    expect(await matching(`groups.value eq "${groups.Billing}"`)).toEqual(['ann', 'bob', 'bea']);
    expect(await matching(`groups.value eq "${groups['Billing EU']}"`)).toEqual(['bob', 'bea']);
    // Two levels up, and a group whose only member is a group.
    expect(await matching(`groups.value eq "${groups.Finance}"`)).toEqual(['ann', 'bob', 'bea']);
    expect(await matching(`groups.value eq "${groups.Support}"`)).toEqual(['cid']);
    // A uuid is matched whatever its case.
    expect(await matching(`groups.value eq "${groups.Support!.toUpperCase()}"`)).toEqual(['cid']);
  });

  it('compares the value of a group when no sub-attribute is named (RFC 7644 §3.4.2.2)', async () => {
    expect(await matching(`groups eq "${groups['Billing EU']}"`)).toEqual(['bob', 'bea']);
  });

  it('tests value and type on one and the same group in brackets', async () => {
    expect(await matching(`groups[value eq "${groups.Billing}" and type eq "direct"]`)).toEqual(['ann', 'bea']);
    // bea is in Billing directly and through Billing EU; her Billing is "direct" only, as rendered.
    expect(await matching(`groups[value eq "${groups.Billing}" and type eq "indirect"]`)).toEqual(['bob']);
    expect(await matching(`groups[value eq "${groups.Finance}" and type eq "direct"]`)).toEqual([]);
    expect(await matching(`groups[value eq "${groups.Finance}" and type eq "INDIRECT"]`)).toEqual(['ann', 'bob', 'bea']);
    // Not the same group: Support is direct for cid, but Billing is not one of cid's groups at all.
    expect(await matching(`groups[value eq "${groups.Billing}" or type eq "direct"] and groups[value eq "${groups.Support}"]`)).toEqual(['cid']);
    expect(await matching('groups.type eq "indirect"')).toEqual(['ann', 'bob', 'bea']);
  });

  it('matches display case-insensitively with eq, co and sw', async () => {
    expect(await matching('groups.display eq "billing"')).toEqual(['ann', 'bob', 'bea']);
    expect(await matching('groups.display co "BILL"')).toEqual(['ann', 'bob', 'bea']);
    expect(await matching('groups.display co "eu"')).toEqual(['bob', 'bea']);
    expect(await matching('groups.display sw "supp"')).toEqual(['cid']);
    expect(await matching('groups[display ew "ance" and type eq "indirect"]')).toEqual(['ann', 'bob', 'bea']);
  });

  it('answers pr and not pr from membership', async () => {
    expect(await matching('groups pr')).toEqual(['ann', 'bob', 'bea', 'cid']);
    expect(await matching('not (groups pr)')).toEqual(['eve']);
    expect(await matching('groups.display pr')).toEqual(['ann', 'bob', 'bea', 'cid']);
  });

  it('matches nothing, with 200, for a value that is not a uuid', async () => {
    const response = await list(c, `filter=${encodeURIComponent('groups.value eq "not-a-uuid"')}`);
    expect(response.body.totalResults).toBe(0);
    expect(response.body.Resources).toEqual([]);
    expect(await matching('groups eq "Billing"')).toEqual([]);
    expect(await matching('not (groups.value eq "not-a-uuid")')).toEqual(['ann', 'bob', 'bea', 'cid', 'eve']);
  });

  it('combines with other attributes through and, or and not', async () => {
    expect(await matching(`userName sw "b" and groups.value eq "${groups.Billing}"`)).toEqual(['bob', 'bea']);
    expect(await matching(`userName sw "b" or groups.value eq "${groups.Support}"`)).toEqual(['bob', 'bea', 'cid']);
    expect(await matching(`not (groups.value eq "${groups.Billing}") and groups pr`)).toEqual(['cid']);
    expect(await matching(`not (groups.value eq "${groups.Billing}")`)).toEqual(['cid', 'eve']);
    expect(await matching(`groups.value eq "${groups.Support}" or groups[value eq "${groups['Billing EU']}" and type eq "direct"]`)).toEqual([
      'bob',
      'bea',
      'cid',
    ]);
  });

  it("never matches another tenant's groups", async () => {
    expect(await matching(`groups.value eq "${otherGroup}"`)).toEqual([]);
    expect(await matching(`groups.value eq "${groups.Billing}"`, other)).toEqual([]);
    // The other tenant's Billing has the same name as ours, and holds only the other tenant's user.
    expect(await matching('groups.display eq "Billing"', other)).toEqual(['ann']);
    const listed = await list(other, `filter=${encodeURIComponent(`groups.value eq "${otherGroup}"`)}`);
    expect(listed.body.Resources.map((r: { id: string }) => r.id)).toEqual([otherUser]);
  });

  it('pages with cursors and index paging, with the right totalResults', async () => {
    const filter = encodeURIComponent(`groups.value eq "${groups.Billing}"`);
    const seen: string[] = [];
    let cursor: string | undefined = '';
    let first = true;
    while (cursor !== undefined) {
      const response = await list(c, `filter=${filter}&count=2&cursor=${encodeURIComponent(cursor)}`);
      if (first) expect(response.body.totalResults).toBe(3);
      first = false;
      seen.push(...response.body.Resources.map((r: { userName: string }) => r.userName));
      cursor = response.body.nextCursor;
      expect(seen.length).toBeLessThanOrEqual(3);
    }
    expect(seen).toEqual(['ann', 'bob', 'bea']);

    const indexed = await list(c, `filter=${filter}&startIndex=2&count=1`);
    expect(indexed.body.totalResults).toBe(3);
    expect(indexed.body.startIndex).toBe(2);
    expect(indexed.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['bob']);
  });

  it('follows membership changes', async () => {
    const support = groups.Support!;
    const patch = (op: 'add' | 'remove', path: string, value?: unknown) =>
      c.request('PATCH', `/Groups/${support}`, { schemas: [PATCH_OP], Operations: [{ op, path, ...(value === undefined ? {} : { value }) }] });
    expect((await patch('add', 'members', [{ value: groups['Billing EU'], type: 'Group' }])).status).toBe(204);
    expect(await matching(`groups.value eq "${support}"`)).toEqual(['bob', 'bea', 'cid']);
    expect((await patch('remove', `members[value eq "${groups['Billing EU']}"]`)).status).toBe(204);
    expect(await matching(`groups.value eq "${support}"`)).toEqual(['cid']);
  });

  it('refuses sorting by groups and filtering by groups.$ref with 400', async () => {
    expectScimError(await c.request('GET', '/Users?sortBy=groups.value'), 400, 'invalidValue');
    expectScimError(await c.request('GET', '/Users?sortBy=groups'), 400, 'invalidValue');
    expectScimError(await c.request('GET', `/Users?filter=${encodeURIComponent('groups.$ref co "Groups"')}`), 400, 'invalidFilter');
  });
});

describe('filter by persona', () => {
  it("finds the users of one of the tenant's seeded personas, directly or through a nested group", async () => {
    const personas = await t.client.request('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Billing"')}`);
    expect(personas.body.totalResults).toBe(1);
    const persona = personas.body.Resources[0].id as string;
    const ann = await createUser(t.client, 'persona.ann');
    const bob = await createUser(t.client, 'persona.bob');
    await createUser(t.client, 'persona.cid');
    const invoicing = await createGroup(t.client, 'Invoicing', [{ value: bob }]);
    const added = await t.client.request('PATCH', `/Groups/${persona}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'add', path: 'members', value: [{ value: ann }, { value: invoicing, type: 'Group' }] }],
    });
    expect(added.status, JSON.stringify(added.body)).toBe(204);
    expect(await matching(`groups.value eq "${persona}"`, t.client)).toEqual(['persona.ann', 'persona.bob']);
    expect(await matching(`groups[value eq "${persona}" and type eq "direct"]`, t.client)).toEqual(['persona.ann']);
  });
});
