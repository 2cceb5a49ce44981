// How requests find their routes, through the real app: SCIM endpoint names in any case and one trailing slash,
// canonical Location and meta.location whatever the spelling, 405 with Allow for a known path (RFC 9110 §15.5.6,
// RFC 7644 §3.12), 404 for an unknown one, and / sent to the console.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, ERROR_SCHEMA, GROUP_SCHEMA, LIST_SCHEMA, createTestContext, groupBody, userBody, type TestContext } from '../helpers/app.js';

const SCIM_JSON = 'application/scim+json; charset=utf-8';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let t: TestContext;
let userId: string;
let groupId: string;
beforeAll(async () => {
  t = await createTestContext();
  userId = (await t.client.request('POST', '/Users', userBody('route.one@example.com'))).body.id;
  groupId = (await t.client.request('POST', '/Groups', groupBody('Route Group', { members: [{ value: userId }] }))).body.id;
});
afterAll(() => t.close());

const raw = (path: string, init: RequestInit = {}) => t.app.request(path, init);
const withToken = (init: RequestInit = {}): RequestInit => ({ ...init, headers: { Authorization: `Bearer ${t.client.token}`, ...init.headers } });

describe('SCIM endpoint names in any case (Microsoft: "resource endpoints are case-insensitive")', () => {
  it.each([
    ['/users', LIST_SCHEMA],
    ['/USERS', LIST_SCHEMA],
    ['/groups', LIST_SCHEMA],
    ['/GROUPS', LIST_SCHEMA],
    ['/History', LIST_SCHEMA],
    ['/history', LIST_SCHEMA],
    ['/schemas', LIST_SCHEMA],
    ['/resourcetypes', LIST_SCHEMA],
    ['/serviceproviderconfig', 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    ['/SERVICEPROVIDERCONFIG', 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    ['/resourceTypes/user', 'urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
    ['/schemas/urn:ietf:params:scim:schemas:core:2.0:User', 'urn:ietf:params:scim:schemas:core:2.0:Schema'],
  ])('GET %s answers as its canonical spelling does', async (path, schema) => {
    const response = await t.client.request('GET', path);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers.get('content-type')).toBe(SCIM_JSON);
    expect(response.body.schemas).toEqual([schema]);
  });

  it('reads, changes and deletes a user at /users/{id}, and answers with canonical locations', async () => {
    const created = await t.client.request('POST', '/uSeRs', userBody('route.created@example.com'));
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.headers.get('location')).toBe(`${BASE}/Users/${id}`);
    expect(created.body.meta.location).toBe(`${BASE}/Users/${id}`);
    const got = await t.client.request('GET', `/users/${id}`);
    expect([got.status, got.body.meta.location]).toEqual([200, `${BASE}/Users/${id}`]);
    const patched = await t.client.request('PATCH', `/USERS/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Router' }] });
    expect([patched.status, patched.body.title]).toEqual([200, 'Router']);
    expect((await t.client.request('DELETE', `/users/${id}`)).status).toBe(204);
    expect((await t.client.request('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('serves the sub-resources and searches in any case', async () => {
    const search = await t.client.request('POST', '/users/.SEARCH', { schemas: [SEARCH_REQUEST], filter: 'userName eq "route.one@example.com"' });
    expect([search.status, search.body.totalResults]).toEqual([200, 1]);
    const groups = await t.client.request('POST', '/Groups/.Search', { schemas: [SEARCH_REQUEST], filter: 'displayName eq "Route Group"' });
    expect([groups.status, groups.body.totalResults]).toEqual([200, 1]);
    const history = await t.client.request('GET', `/users/${userId}/HISTORY`);
    expect([history.status, history.body.schemas]).toEqual([200, [LIST_SCHEMA]]);
    const historySearch = await t.client.request('POST', '/history/.search', { schemas: [SEARCH_REQUEST], count: 1 });
    expect(historySearch.status).toBe(200);
  });

  it('a read-only token may search at /users/.SEARCH/: permissions see the canonical path', async () => {
    const { token } = await t.tenancy.createToken('acme', 'route-reader', { scopes: ['users:read'] });
    const init = { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' }, body: JSON.stringify({ schemas: [SEARCH_REQUEST] }) };
    expect((await raw('/scim/v2/users/.SEARCH/', init)).status).toBe(200);
    expect((await raw('/scim/v2/users/', init)).status).toBe(403);
  });

  it('/me is /Me (501 for an API token, which is no user, rather than 404)', async () => {
    const response = await t.client.request('GET', '/me');
    expect(response.status).toBe(501);
  });

  it('leaves ids as sent: only endpoint names are matched ignoring case', async () => {
    const other = await t.client.request('GET', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:users');
    expect(other.status).toBe(404);
    expect(other.body.detail).toContain('urn:ietf:params:scim:schemas:core:2.0:users');
  });
});

describe('one trailing slash', () => {
  it('GET /Users/?filter=... is GET /Users?filter=...', async () => {
    const response = await t.client.request('GET', `/Users/?filter=${encodeURIComponent('userName eq "route.one@example.com"')}`);
    expect(response.status).toBe(200);
    expect(response.body.Resources.map((r: { id: string }) => r.id)).toEqual([userId]);
  });

  it('on a resource, a search, discovery and /Bulk', async () => {
    const user = await t.client.request('GET', `/Users/${userId}/`);
    expect([user.status, user.body.id]).toEqual([200, userId]);
    const group = await t.client.request('PATCH', `/groups/${groupId}/`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Route Group' }] });
    expect(group.status).toBe(204);
    expect((await t.client.request('POST', '/Users/.search/', { schemas: [SEARCH_REQUEST] })).status).toBe(200);
    expect((await t.client.request('GET', '/ServiceProviderConfig/')).status).toBe(200);
    expect((await t.client.request('GET', '/schemas/')).status).toBe(200);
    expect((await t.app.request('/scim/v2/', withToken())).status).toBe(404);
    const bulk = await t.client.request('POST', '/bulk/', {
      schemas: [BULK_REQUEST],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'b', data: userBody('route.bulk.slash@example.com') }],
    });
    expect([bulk.status, bulk.body.Operations[0].status]).toEqual([200, '201']);
  });

  it('only one: two slashes, or an empty segment, are no endpoint', async () => {
    for (const path of ['/Users//', `/Users//${userId}`, '//Users']) {
      const response = await t.client.request('GET', path);
      expect(response.status, path).toBe(404);
    }
  });
});

describe('Bulk operation paths in any case and with a trailing slash', () => {
  it('"/users", "/GROUPS/", "/Users/{id}/" and "/groups/bulkId:x" run, with canonical locations', async () => {
    const response = await t.client.request('POST', '/Bulk', {
      schemas: [BULK_REQUEST],
      Operations: [
        { method: 'POST', path: '/users', bulkId: 'u', data: userBody('route.bulk@example.com') },
        { method: 'POST', path: '/GROUPS/', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'Route Bulk', members: [{ value: 'bulkId:u' }] } },
        { method: 'PATCH', path: `/Users/${userId}/`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Bulked' }] } },
        { method: 'PATCH', path: '/groups/bulkId:g', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Route Bulk 2' }] } },
      ],
    });
    expect(response.status).toBe(200);
    const operations = response.body.Operations as { status: string; location: string }[];
    expect(operations.map((o) => o.status)).toEqual(['201', '201', '200', '204']);
    const [u, g] = operations.map((o) => o.location.split('/').pop()!);
    expect(operations.map((o) => o.location)).toEqual([`${BASE}/Users/${u}`, `${BASE}/Groups/${g}`, `${BASE}/Users/${userId}`, `${BASE}/Groups/${g}`]);
    expect((await t.client.request('GET', `/Groups/${g}`)).body).toMatchObject({ displayName: 'Route Bulk 2', members: [{ value: u }] });
    expect((await t.client.request('GET', `/Users/${userId}`)).body.title).toBe('Bulked');
  });

  it('a path with two trailing slashes is still 400 invalidPath', async () => {
    const response = await t.client.request('POST', '/Bulk', {
      schemas: [BULK_REQUEST],
      Operations: [{ method: 'POST', path: '/Users//', bulkId: 'x', data: userBody('route.never@example.com') }],
    });
    expect(response.body.Operations[0]).toMatchObject({ status: '400', response: { scimType: 'invalidPath' } });
  });
});

describe('405 Method Not Allowed with Allow for a known path', () => {
  it.each([
    ['PUT', '/Users', 'GET, HEAD, POST'],
    ['DELETE', '/Users', 'GET, HEAD, POST'],
    ['PATCH', '/groups', 'GET, HEAD, POST'],
    ['POST', '/Users/{user}', 'GET, HEAD, PUT, PATCH, DELETE'],
    ['POST', '/Groups/{group}/', 'GET, HEAD, PUT, PATCH, DELETE'],
    ['GET', '/Bulk', 'POST'],
    ['DELETE', '/bulk', 'POST'],
    ['POST', '/ServiceProviderConfig', 'GET, HEAD'],
    ['PUT', '/Schemas', 'GET, HEAD'],
    ['DELETE', '/ResourceTypes/User', 'GET, HEAD'],
    ['GET', '/Users/.search', undefined],
    ['PUT', '/Users/.search', undefined],
    ['GET', '/Users/{user}/password-reset', 'POST'],
  ])('%s %s', async (method, template, allow) => {
    const path = template.replace('{user}', userId).replace('{group}', groupId);
    const before = await t.store.query('select id, version from users where tenant_id = $1 order by id', [t.client.tenantId]);
    const response = await t.client.request(method, path, method === 'GET' || method === 'DELETE' ? undefined : { schemas: [GROUP_SCHEMA] });
    if (allow === undefined) {
      // /Users/.search is matched as /Users/{id} by GET and PUT: no user has that id.
      expect(response.status).toBe(404);
      return;
    }
    expect(response.status, JSON.stringify(response.body)).toBe(405);
    expect(response.headers.get('allow')).toBe(allow);
    expect(response.headers.get('content-type')).toBe(SCIM_JSON);
    // RFC 7644 §3.12 names no scimType for 405.
    expect(response.body).toEqual({ schemas: [ERROR_SCHEMA], status: '405', detail: expect.stringContaining(`it allows ${allow}`) });
    expect(response.body.detail).toContain(method);
    expect(await t.store.query('select id, version from users where tenant_id = $1 order by id', [t.client.tenantId])).toEqual(before);
  });

  it('asks for authentication first, as for an unknown path', async () => {
    const response = await raw('/scim/v2/Users', { method: 'PUT' });
    expect(response.status).toBe(401);
  });

  it('/Me and /History keep their own words, with Allow', async () => {
    const me = await t.client.request('DELETE', '/Me');
    expect([me.status, me.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect(me.body.detail).toContain('/auth/password');
    const history = await t.client.request('OPTIONS', '/History');
    expect([history.status, history.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect(history.body.detail).toContain('cannot be changed');
  });

  it('on /auth, a JSON error like the other /auth errors', async () => {
    const response = await raw('/auth/login');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'method_not_allowed', detail: 'GET is not allowed on /auth/login; it allows POST.' });
    const session = await raw('/auth/session', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect([session.status, session.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });

  it('elsewhere, a JSON error', async () => {
    const response = await raw('/healthz', { method: 'POST' });
    expect([response.status, response.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect(await response.json()).toEqual({ error: 'method_not_allowed', detail: 'POST is not allowed on /healthz; it allows GET, HEAD.' });
    expect((await raw('/admin', { method: 'DELETE' })).headers.get('allow')).toBe('GET, HEAD');
  });

  it('HEAD where GET is allowed answers as GET does, without a body', async () => {
    for (const path of ['/scim/v2/Users', '/scim/v2/users/', `/scim/v2/Users/${userId}`, '/scim/v2/ServiceProviderConfig']) {
      const response = await raw(path, withToken({ method: 'HEAD' }));
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type'), path).toBe(SCIM_JSON);
      expect(await response.text()).toBe('');
    }
    expect((await raw('/healthz', { method: 'HEAD' })).status).toBe(200);
  });

  it('404 stays for unknown paths', async () => {
    for (const path of ['/Printers', `/Users/${userId}/extra`, '/Users/.search/more', '/scim']) {
      const response = await t.client.request('PUT', path, {});
      expect(response.status, path).toBe(404);
      expect(response.headers.get('allow'), path).toBeNull();
    }
    const outside = await raw('/nothing-here', { method: 'DELETE' });
    expect([outside.status, outside.headers.get('allow')]).toEqual([404, null]);
    expect((await raw('/auth/nothing')).status).toBe(404);
  });
});

describe('GET /', () => {
  it('redirects to the admin console with 302', async () => {
    for (const method of ['GET', 'HEAD']) {
      const response = await raw('/', { method });
      expect(response.status, method).toBe(302);
      expect(response.headers.get('location')).toBe('/admin');
    }
    const other = await raw('/', { method: 'POST' });
    expect([other.status, other.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});
