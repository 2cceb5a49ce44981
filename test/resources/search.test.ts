// POST /.search at the SCIM root through the real app: one query across Users, Groups and History (RFC 7644 §3.4.3),
// attributes a type lacks taken as unassigned (§3.4.2.2), sorted and paged in SQL, with an exact totalResults.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, LIST_SCHEMA, USER_SCHEMA, createTestContext, groupBody, postJson, scimRequest, userBody, type Client, type TestContext } from '../helpers/app.js';

const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const HISTORY_SCHEMA = 'urn:usher:params:scim:schemas:core:2.0:HistoryEntry';

let t: TestContext;
let client: Client;
const ids: Record<string, string> = {};

const search = (body: Record<string, unknown>, as: Client = client) => as.request('POST', '/.search', { schemas: [SEARCH_REQUEST], ...body });
const typeOf = (resource: { meta?: { resourceType: string } }) => resource.meta?.resourceType;
const namesOf = (body: { Resources: Array<{ displayName?: string; userName?: string }> }) => body.Resources.map((r) => r.displayName ?? r.userName);

beforeAll(async () => {
  t = await createTestContext();
  client = await t.newTenant('searching', { withoutPersonas: true });
  for (const [userName, displayName] of [
    ['ann@example.com', 'Team Ann'],
    ['bob@example.com', 'Team Bob'],
    ['cy@example.com', 'Other Cy'],
  ] as const) {
    const created = await client.request('POST', '/Users', userBody(userName, { displayName, externalId: `ext-${userName}` }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ids[userName] = created.body.id;
  }
  for (const displayName of ['Team Alpha', 'Team Beta', 'Others']) {
    const created = await client.request('POST', '/Groups', groupBody(displayName, displayName === 'Team Alpha' ? { members: [{ value: ids['ann@example.com'] }] } : {}));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    ids[displayName] = created.body.id;
  }
  // Another tenant's look-alikes, which no search of this tenant may see.
  const other = await t.newTenant('searching-other', { withoutPersonas: true });
  expect((await other.request('POST', '/Users', userBody('ann@example.com', { displayName: 'Team Intruder' }))).status).toBe(201);
  expect((await other.request('POST', '/Groups', groupBody('Team Intruders'))).status).toBe(201);
});
afterAll(() => t.close());

describe('POST /.search across resource types', () => {
  it('answers Users and Groups in one ListResponse, each with its own schemas and meta.resourceType, sorted across types', async () => {
    const response = await search({ filter: 'displayName sw "Team"', sortBy: 'displayName' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/scim+json');
    expect(response.body).toMatchObject({ schemas: [LIST_SCHEMA], totalResults: 4, startIndex: 1, itemsPerPage: 4 });
    expect(namesOf(response.body)).toEqual(['Team Alpha', 'Team Ann', 'Team Beta', 'Team Bob']);
    expect(response.body.Resources.map(typeOf)).toEqual(['Group', 'User', 'Group', 'User']);
    const [alpha, ann] = response.body.Resources;
    expect(alpha.schemas).toEqual([GROUP_SCHEMA]);
    expect(alpha.members).toEqual([expect.objectContaining({ value: ids['ann@example.com'], type: 'User' })]);
    expect(alpha.meta.location).toMatch(new RegExp(`/Groups/${ids['Team Alpha']}$`));
    expect(ann.schemas[0]).toBe(USER_SCHEMA);
    expect(ann.groups).toEqual([expect.objectContaining({ value: ids['Team Alpha'], type: 'direct' })]);
  });

  it('pages with startIndex and count in the order across types, with an exact totalResults on every page', async () => {
    const page = await search({ filter: 'displayName sw "Team"', sortBy: 'displayName', sortOrder: 'descending', startIndex: 2, count: 2 });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    expect(page.body).toMatchObject({ totalResults: 4, startIndex: 2, itemsPerPage: 2 });
    expect(namesOf(page.body)).toEqual(['Team Beta', 'Team Ann']);
    const past = await search({ filter: 'displayName sw "Team"', startIndex: 9, count: 2 });
    expect(past.body).toMatchObject({ totalResults: 4, itemsPerPage: 0, Resources: [] });
    const none = await search({ filter: 'displayName sw "Team"', count: 0 });
    expect(none.body).toMatchObject({ totalResults: 4, itemsPerPage: 0 });
  });

  it('takes an attribute a type lacks as unassigned there: userName matches no Group, its absence every Group', async () => {
    const byUserName = await search({ filter: 'userName sw "ann@" and meta.resourceType ne "HistoryEntry"' });
    expect(byUserName.body.Resources.map((r: { id: string }) => r.id)).toEqual([ids['ann@example.com']]);
    expect(byUserName.body.totalResults).toBe(1);
    const groupsOnly = await search({ filter: 'not (userName pr)', sortBy: 'displayName' });
    expect(groupsOnly.body.Resources.map(typeOf)).toEqual(['Group', 'Group', 'Group']);
    expect(namesOf(groupsOnly.body)).toEqual(['Others', 'Team Alpha', 'Team Beta']);
    // members exists on Groups only; sorting by userName puts the Groups (no userName) last.
    const members = await search({ filter: `members.value eq "${ids['ann@example.com']}" or userName eq "bob@example.com" and meta.resourceType eq "User"`, sortBy: 'userName' });
    expect(members.body.Resources.map((r: { id: string }) => r.id)).toEqual([ids['bob@example.com'], ids['Team Alpha']]);
    const descending = await search({ filter: `members.value eq "${ids['ann@example.com']}" or userName eq "bob@example.com" and meta.resourceType eq "User"`, sortBy: 'userName', sortOrder: 'descending' });
    expect(descending.body.Resources.map((r: { id: string }) => r.id)).toEqual([ids['Team Alpha'], ids['bob@example.com']]);
  });

  it('finds by externalId, which History entries never have', async () => {
    const response = await search({ filter: 'externalId eq "ext-cy@example.com"' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.Resources.map((r: { id: string }) => r.id)).toEqual([ids['cy@example.com']]);
    const history = await client.request('GET', `/History?filter=${encodeURIComponent('externalId pr')}`);
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    expect(history.body.totalResults).toBe(0);
  });

  it('includes History entries, read-only, by their own attributes', async () => {
    const response = await search({ filter: `resourceId eq "${ids['bob@example.com']}"` });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.totalResults).toBeGreaterThan(0);
    for (const entry of response.body.Resources) {
      expect(entry.schemas).toEqual([HISTORY_SCHEMA]);
      expect(entry.meta.resourceType).toBe('HistoryEntry');
      expect(entry.resourceId).toBe(ids['bob@example.com']);
    }
    // userName is an attribute of HistoryEntry too (the resource's name): a search by it finds both.
    const both = await search({ filter: 'userName eq "bob@example.com"' });
    expect(new Set(both.body.Resources.map(typeOf))).toEqual(new Set(['User', 'HistoryEntry']));
  });

  it('counts every type exactly, without a filter, and sees nothing of another tenant', async () => {
    const all = await search({ count: 1 });
    const counted = await Promise.all(['/Users', '/Groups', '/History'].map((path) => client.request('GET', `${path}?count=0`)));
    expect(all.body.totalResults).toBe(counted.reduce((sum, r) => sum + (r.body.totalResults as number), 0));
    const intruders = await search({ filter: 'displayName co "Intruder" or userName eq "ann@example.com" and meta.resourceType eq "User"' });
    expect(intruders.body.Resources.map((r: { id: string }) => r.id)).toEqual([ids['ann@example.com']]);
  });

  it('applies attributes and excludedAttributes to each type as its own', async () => {
    const picked = await search({ filter: 'displayName sw "Team A"', attributes: ['displayName', 'members'], sortBy: 'displayName' });
    expect(picked.body.Resources).toEqual([
      { schemas: [GROUP_SCHEMA], id: ids['Team Alpha'], displayName: 'Team Alpha', members: [expect.objectContaining({ value: ids['ann@example.com'] })] },
      { schemas: [USER_SCHEMA], id: ids['ann@example.com'], displayName: 'Team Ann' },
    ]);
    const excluded = await search({ filter: 'displayName eq "Team Alpha"', excludedAttributes: 'members,meta' });
    expect(excluded.body.Resources).toEqual([{ schemas: [GROUP_SCHEMA], id: ids['Team Alpha'], displayName: 'Team Alpha' }]);
  });

  it('sorts by creation across types without sortBy, ascending or descending', async () => {
    const filter = 'displayName sw "Team" or displayName sw "Other"';
    const ascending = await search({ filter });
    expect(namesOf(ascending.body)).toEqual(['Team Ann', 'Team Bob', 'Other Cy', 'Team Alpha', 'Team Beta', 'Others']);
    const descending = await search({ filter, sortOrder: 'descending' });
    expect(namesOf(descending.body)).toEqual(['Others', 'Team Beta', 'Team Alpha', 'Other Cy', 'Team Bob', 'Team Ann']);
  });

  it('answers SCIM errors for what no type can answer', async () => {
    const cases: Array<[Record<string, unknown>, number, string | undefined, RegExp]> = [
      [{ filter: 'nickName2 eq "x"' }, 400, 'invalidFilter', /nickName2.*none of the resource types/i],
      [{ filter: 'userName eq' }, 400, 'invalidFilter', /./],
      [{ filter: 'active eq "yes"' }, 400, 'invalidFilter', /boolean/],
      [{ sortBy: 'nickName2' }, 400, 'invalidValue', /none of the resource types/],
      [{ sortBy: 'emails[' }, 400, 'invalidValue', /sortBy/],
      [{ cursor: '' }, 400, 'invalidValue', /startIndex/],
      [{ count: 'ten' }, 400, 'invalidValue', /count/],
    ];
    for (const [body, status, scimType, detail] of cases) {
      const response = await search(body);
      expect(response.status, JSON.stringify([body, response.body])).toBe(status);
      expect(response.body.scimType).toBe(scimType);
      expect(response.body.detail).toMatch(detail);
    }
    const notObject = await client.request('POST', '/.search', ['filter']);
    expect(notObject.status).toBe(400);
    expect(notObject.body.scimType).toBe('invalidSyntax');
  });
});

describe('who may search across resource types', () => {
  it('a users:read token may; no token may not', async () => {
    const { token } = await t.tenancy.createToken('searching', 'reader', { scopes: ['users:read'] });
    const response = await scimRequest(t.app, token, 'POST', '/.search', { schemas: [SEARCH_REQUEST], filter: 'displayName eq "Team Alpha"' });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.totalResults).toBe(1);
    expect((await scimRequest(t.app, 'not-a-token', 'POST', '/.search', { schemas: [SEARCH_REQUEST] })).status).toBe(401);
  });

  it('a signed-in user whose personas grant no users:read is refused with 403, as on /Users/.search', async () => {
    const password = 'correct horse battery staple';
    const created = await t.client.request('POST', '/Users', userBody('reader-less@example.com', { password }));
    expect(created.status).toBe(201);
    const session = await postJson(t.app, '/auth/login', { tenant: 'acme', userName: 'reader-less@example.com', password });
    expect(session.status, JSON.stringify(session.body)).toBe(200);
    for (const path of ['/.search', '/Users/.search']) {
      const refused = await scimRequest(t.app, session.body.token, 'POST', path, { schemas: [SEARCH_REQUEST] });
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toMatch(/"users:read" permission/);
    }
  });
});
