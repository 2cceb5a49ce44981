// /Users through the real app on a real database (RFC 7644 §3.3-§3.6, §3.14; RFC 7643 §4.1, §8.2, §8.3).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASE,
  ENTERPRISE_SCHEMA,
  ERROR_SCHEMA,
  LIST_SCHEMA,
  USER_SCHEMA,
  createTestContext,
  userBody,
  type Client,
  type ScimResponse,
  type TestContext,
} from '../helpers/app.js';

const SCIM_JSON = 'application/scim+json; charset=utf-8';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const X509 =
  'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMxEzARBgNVBAgMCkNhbGlmb3JuaWExFDASBgNVBAoMC2V4YW1wbGUuY29tMRQwEgYDVQQDDAtleGFtcGxlLmNvbTAeFw0xMTEwMjIwNjI0MzFaFw0xMjEwMDQwNjI0MzFaMH8xCzAJBgNVBAYTAlVTMRMwEQYDVQQIDApDYWxpZm9ybmlhMRQwEgYDVQQKDAtleGFtcGxlLmNvbTEhMB8GA1UEAwwYTXMuIEJhcmJhcmEgSiBKZW5zZW4gSUlJMSIwIAYJKoZIhvcNAQkBFhNiamVuc2VuQGV4YW1wbGUuY29tMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA7Kr+Dcds/JQ5GwejJFcBIP682X3xpjis56AK02bc1FLgzdLI8auoR+cC9/Vrh5t66HkQIOdA4unHh0AaZ4xL5PhVbXIPMB5vAPKpzz5iPSi8xO8SL7I7SDhcBVJhqVqr3HgllEG6UClDdHO7nkLuwXq8HcISKkbT5WFTVfFZzidPl8HZ7DhXkZIRtJwBweq4bvm3hM1Os7UQH05ZS6cVDgweKNwdLLrT51ikSQG3DYrl+ft781UQRIqxgwqCfXEuDiinPh0kkvIi5jivVu1Z9QiwlYEdRbLJ4zJQBmDrSGTMYn4lRc2HgHO4DqB/bnMVorHB0CC6AV1QoFK4GPe1LwIDAQABo3sweTAJBgNVHRMEAjAAMCwGCWCGSAGG+EIBDQQfFh1PcGVuU1NMIEdlbmVyYXRlZCBDZXJ0aWZpY2F0ZTAdBgNVHQ4EFgQU8pD0U0vsZIsaA16lL8En8bx0F/gwHwYDVR0jBBgwFoAUdGeKitcaF7gnzsNwDx708kqaVt0wDQYJKoZIhvcNAQEFBQADgYEAA81SsFnOdYJtNg5Tcq+/ByEDrBgnusx0jloUhByPMEVkoMZ3J7j1ZgI8rAbOkNngX8+pKfTiDz1RC4+dx8oU6Za+4NJXUjlL5CvV6BEYb1+QAEJwitTVvxB/A67g42/vzgAtoRUeDov1+GFiBZ+GNF/cAYKcMtGcrs2i97ZkJMo=';

/**
 * RFC 7643 §8.2 "Full User Representation" with the Enterprise User extension of §8.3, as the RFC prints
 * them (the certificate's line breaks removed). The manager's value and $ref are replaced at run time by a
 * user this file creates, since a manager must exist.
 */
function rfc7643FullUser(managerId: string): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
    id: '2819c223-7f76-453a-919d-413861904646',
    externalId: '701984',
    userName: 'bjensen@example.com',
    name: {
      formatted: 'Ms. Barbara J Jensen, III',
      familyName: 'Jensen',
      givenName: 'Barbara',
      middleName: 'Jane',
      honorificPrefix: 'Ms.',
      honorificSuffix: 'III',
    },
    displayName: 'Babs Jensen',
    nickName: 'Babs',
    profileUrl: 'https://login.example.com/bjensen',
    emails: [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ],
    addresses: [
      {
        type: 'work',
        streetAddress: '100 Universal City Plaza',
        locality: 'Hollywood',
        region: 'CA',
        postalCode: '91608',
        country: 'USA',
        formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA',
        primary: true,
      },
      {
        type: 'home',
        streetAddress: '456 Hollywood Blvd',
        locality: 'Hollywood',
        region: 'CA',
        postalCode: '91608',
        country: 'USA',
        formatted: '456 Hollywood Blvd\nHollywood, CA 91608 USA',
      },
    ],
    phoneNumbers: [
      { value: '555-555-5555', type: 'work' },
      { value: '555-555-4444', type: 'mobile' },
    ],
    ims: [{ value: 'someaimhandle', type: 'aim' }],
    photos: [
      { value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo' },
      { value: 'https://photos.example.com/profilephoto/72930000000Ccne/T', type: 'thumbnail' },
    ],
    userType: 'Employee',
    title: 'Tour Guide',
    preferredLanguage: 'en-US',
    locale: 'en-US',
    timezone: 'America/Los_Angeles',
    active: true,
    // RFC 7643 §8.2 has 't1meMa$heen', 11 characters: shorter than the password policy allows.
    password: 't1meMa$heen-by-the-river',
    groups: [
      { value: 'e9e30dba-f08f-4109-8486-d5c6a331660a', $ref: 'https://example.com/v2/Groups/e9e30dba-f08f-4109-8486-d5c6a331660a', display: 'Tour Guides' },
      { value: 'fc348aa8-3835-40eb-a20b-c726e15c55b5', $ref: 'https://example.com/v2/Groups/fc348aa8-3835-40eb-a20b-c726e15c55b5', display: 'Employees' },
      { value: '71ddacd2-a8e7-49b8-a5db-ae50d0a5bfd7', $ref: 'https://example.com/v2/Groups/71ddacd2-a8e7-49b8-a5db-ae50d0a5bfd7', display: 'US Employees' },
    ],
    x509Certificates: [{ value: X509 }],
    [ENTERPRISE_SCHEMA]: {
      employeeNumber: '701984',
      costCenter: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: 'Tour Operations',
      manager: { value: managerId, $ref: `../Users/${managerId}`, displayName: 'John Smith' },
    },
    meta: {
      resourceType: 'User',
      created: '2010-01-23T04:56:22Z',
      lastModified: '2011-05-13T04:42:34Z',
      version: 'W/"a330bc54f0671c9"',
      location: 'https://example.com/v2/Users/2819c223-7f76-453a-919d-413861904646',
    },
  };
}

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

const q = encodeURIComponent;

async function create(client: Client, body: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await client.request('POST', '/Users', body);
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
  expect(typeof response.body.detail).toBe('string');
}

async function userRow(id: string): Promise<Record<string, any> | undefined> {
  const rows = await t.store.query('select user_name, external_id, display_name, active, password_hash, attributes, version from users where id = $1', [id]);
  return rows[0];
}

async function countUsers(tenantId: string, userName?: string): Promise<number> {
  const rows = await t.store.query<{ n: number }>(
    `select count(*)::int as n from users where tenant_id = $1${userName === undefined ? '' : ' and lower(user_name) = lower($2)'}`,
    userName === undefined ? [tenantId] : [tenantId, userName],
  );
  return rows[0]!.n;
}

const ACCOUNT_SCHEMA = 'urn:usher:params:scim:schemas:extension:account:2.0:User';

/** The resource without what the server keeps itself: id, meta, and the read-only account extension. */
function withoutServerAttributes(resource: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, meta: _meta, [ACCOUNT_SCHEMA]: account, schemas, ...rest } = resource;
  expect(account).toMatchObject({ failedLogins: expect.any(Number), passwordChangeRequired: expect.any(Boolean) });
  return { schemas: (schemas as string[]).filter((urn) => urn !== ACCOUNT_SCHEMA), ...rest };
}

describe('POST /Users with RFC 7643 §8.2 Full User Representation and §8.3 Enterprise User', () => {
  let manager: Record<string, any>;
  let created: ScimResponse;

  beforeAll(async () => {
    manager = await create(t.client, userBody('jsmith@example.com', { displayName: 'John Smith' }));
    created = await t.client.request('POST', '/Users', rfc7643FullUser(manager.id));
  });

  it('answers 201 with Location = meta.location, ETag = meta.version and the SCIM media type', () => {
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('content-type')).toBe(SCIM_JSON);
    expect(created.body.id).toMatch(UUID);
    expect(created.body.id).not.toBe('2819c223-7f76-453a-919d-413861904646');
    expect(created.headers.get('location')).toBe(`${BASE}/Users/${created.body.id}`);
    expect(created.body.meta.location).toBe(created.headers.get('location'));
    expect(created.headers.get('etag')).toBe('W/"1"');
    expect(created.body.meta.version).toBe(created.headers.get('etag'));
    expect(created.body.meta.resourceType).toBe('User');
    // The client's meta is ignored: the dates are the server's, and a new resource was never modified.
    expect(created.body.meta.created).not.toBe('2010-01-23T04:56:22Z');
    expect(Date.now() - Date.parse(created.body.meta.created)).toBeLessThan(60_000);
    expect(created.body.meta.lastModified).toBe(created.body.meta.created);
  });

  it('round-trips every attribute except the readOnly (id, meta, groups, manager.displayName) and writeOnly (password) ones', () => {
    const vector = rfc7643FullUser(manager.id);
    const { id: _id, meta: _meta, groups: _groups, password: _password, ...writable } = vector;
    const expected = {
      ...writable,
      [ENTERPRISE_SCHEMA]: {
        ...(vector[ENTERPRISE_SCHEMA] as Record<string, unknown>),
        // $ref is the server's absolute URL; displayName (readOnly) is copied from the manager's own User.
        manager: { value: manager.id, $ref: `${BASE}/Users/${manager.id}`, displayName: 'John Smith' },
      },
    };
    expect(withoutServerAttributes(created.body)).toEqual(expected);
    expect(created.body).not.toHaveProperty('password');
    expect(created.body).not.toHaveProperty('groups');
  });

  it('returns the same representation on GET by id', async () => {
    const got = await t.client.request('GET', `/Users/${created.body.id}`);
    expect(got.status).toBe(200);
    expect(got.headers.get('content-type')).toBe(SCIM_JSON);
    expect(got.headers.get('etag')).toBe('W/"1"');
    expect(got.headers.get('location')).toBeNull();
    expect(got.body).toEqual(created.body);
  });

  it('stores a password hash, never the password, and indexes the multi-valued attributes', async () => {
    const row = await userRow(created.body.id);
    expect(row?.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(row?.attributes)).not.toContain('t1meMa$heen-by-the-river');
    expect(row?.attributes).not.toHaveProperty('password');
    expect(row?.external_id).toBe('701984');
    expect(row?.display_name).toBe('Babs Jensen');
    const values = await t.store.query<{ attribute: string; value: string; type: string; is_primary: boolean }>(
      'select attribute, value, type, is_primary from user_values where user_id = $1 order by attribute, position',
      [created.body.id],
    );
    expect(values).toEqual([
      { attribute: 'emails', value: 'bjensen@example.com', type: 'work', is_primary: true },
      { attribute: 'emails', value: 'babs@jensen.org', type: 'home', is_primary: false },
      { attribute: 'ims', value: 'someaimhandle', type: 'aim', is_primary: false },
      { attribute: 'phoneNumbers', value: '555-555-5555', type: 'work', is_primary: false },
      { attribute: 'phoneNumbers', value: '555-555-4444', type: 'mobile', is_primary: false },
      { attribute: 'photos', value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo', is_primary: false },
      { attribute: 'photos', value: 'https://photos.example.com/profilephoto/72930000000Ccne/T', type: 'thumbnail', is_primary: false },
    ]);
  });

  it('never returns the password, even when asked for it', async () => {
    const got = await t.client.request('GET', `/Users/${created.body.id}?attributes=password,userName`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual({ schemas: [USER_SCHEMA], id: created.body.id, userName: 'bjensen@example.com' });
    const listed = await t.client.request('GET', `/Users?filter=${q('userName eq "bjensen@example.com"')}&attributes=password`);
    expect(listed.body.Resources).toEqual([{ schemas: [USER_SCHEMA], id: created.body.id }]);
    const filtered = await t.client.request('GET', `/Users?filter=${q('password eq "t1meMa$heen-by-the-river"')}`);
    expectScimError(filtered, 400, 'invalidFilter');
  });
});

describe('PUT /Users/{id}', () => {
  it('replaces the resource: attributes not sent disappear, the password is kept when omitted and never returned', async () => {
    const manager = await create(t.client, userBody('put-manager'));
    const user = await create(
      t.client,
      userBody('put-user', {
        externalId: 'put-ext',
        displayName: 'Put User',
        title: 'Before',
        nickName: 'Putty',
        password: 'correct horse battery staple',
        emails: [{ value: 'put@example.com', type: 'work' }],
        [ENTERPRISE_SCHEMA]: { employeeNumber: '42', manager: { value: manager.id } },
      }),
    );
    const before = await userRow(user.id);
    expect(before?.password_hash).toMatch(/^\$argon2id\$/);

    const replaced = await t.client.request('PUT', `/Users/${user.id}`, userBody('put-user-renamed', { title: 'After', active: false }));
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.headers.get('content-type')).toBe(SCIM_JSON);
    expect(replaced.headers.get('etag')).toBe('W/"2"');
    expect(replaced.body.meta.version).toBe('W/"2"');
    expect(replaced.body.meta.created).toBe(user.meta.created);
    expect(Date.parse(replaced.body.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(user.meta.created));
    expect(withoutServerAttributes(replaced.body)).toEqual({ schemas: [USER_SCHEMA], userName: 'put-user-renamed', title: 'After', active: false });
    expect(replaced.body.id).toBe(user.id);

    const got = await t.client.request('GET', `/Users/${user.id}`);
    expect(got.body).toEqual(replaced.body);

    const after = await userRow(user.id);
    expect(after?.password_hash).toBe(before?.password_hash);
    expect(after).toMatchObject({ user_name: 'put-user-renamed', external_id: null, display_name: null, active: false, version: 2 });
    expect(after?.attributes).not.toHaveProperty(ENTERPRISE_SCHEMA);
    const values = await t.store.query('select 1 from user_values where user_id = $1', [user.id]);
    expect(values).toHaveLength(0);

    // A PUT with a password replaces the hash, and still does not echo it.
    const withPassword = await t.client.request('PUT', `/Users/${user.id}`, userBody('put-user-renamed', { password: 'another one of my passphrases' }));
    expect(withPassword.status).toBe(200);
    expect(JSON.stringify(withPassword.body)).not.toContain('another one of my passphrases');
    expect(withPassword.body).not.toHaveProperty('password');
    const rehashed = await userRow(user.id);
    expect(rehashed?.password_hash).toMatch(/^\$argon2id\$/);
    expect(rehashed?.password_hash).not.toBe(before?.password_hash);
  });

  it('answers 404 for a user that does not exist and writes nothing', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expectScimError(await t.client.request('PUT', `/Users/${id}`, userBody('ghost')), 404);
    expect(await countUsers(t.client.tenantId, 'ghost')).toBe(0);
  });

  it('answers 409 when renaming onto another user\'s userName, in any case, and changes nothing', async () => {
    await create(t.client, userBody('put-taken'));
    const user = await create(t.client, userBody('put-free'));
    expectScimError(await t.client.request('PUT', `/Users/${user.id}`, userBody('PUT-TAKEN')), 409, 'uniqueness');
    expect(await userRow(user.id)).toMatchObject({ user_name: 'put-free', version: 1 });
  });
});

describe('DELETE /Users/{id}', () => {
  it('answers 204 with no body, then 404 on GET, PUT and DELETE', async () => {
    const user = await create(t.client, userBody('delete-me', { emails: [{ value: 'delete@example.com' }] }));
    const deleted = await t.client.request('DELETE', `/Users/${user.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeUndefined();
    expectScimError(await t.client.request('GET', `/Users/${user.id}`), 404);
    expectScimError(await t.client.request('PUT', `/Users/${user.id}`, userBody('delete-me')), 404);
    expectScimError(await t.client.request('DELETE', `/Users/${user.id}`), 404);
    expect(await userRow(user.id)).toBeUndefined();
    expect(await t.store.query('select 1 from user_values where user_id = $1', [user.id])).toHaveLength(0);
  });

  it('answers 404 for a path id that is not a UUID, on every method', async () => {
    for (const id of ['not-a-uuid', '12345', "1' or '1'='1", '2819c223-7f76-453a-919d-41386190464']) {
      expectScimError(await t.client.request('GET', `/Users/${q(id)}`), 404);
      expectScimError(await t.client.request('PUT', `/Users/${q(id)}`, userBody('x')), 404);
      expectScimError(await t.client.request('DELETE', `/Users/${q(id)}`), 404);
    }
  });
});

describe('userName uniqueness (RFC 7643 §4.1.1: uniqueness "server", caseExact false)', () => {
  it('refuses a userName that differs only in case with 409 uniqueness, and writes nothing', async () => {
    await create(t.client, userBody('Unique.Person@example.com', { emails: [{ value: 'unique@example.com' }] }));
    const usersBefore = await countUsers(t.client.tenantId);
    const valuesBefore = await t.store.query('select 1 from user_values');
    const duplicate = await t.client.request('POST', '/Users', userBody('unique.person@EXAMPLE.com', { emails: [{ value: 'dup@example.com' }] }));
    expectScimError(duplicate, 409, 'uniqueness');
    expect(duplicate.body.detail).toContain('unique.person@EXAMPLE.com');
    expect(await countUsers(t.client.tenantId)).toBe(usersBefore);
    expect(await t.store.query('select 1 from user_values')).toHaveLength(valuesBefore.length);
    expect(await t.store.query(`select 1 from user_values where value = 'dup@example.com'`)).toHaveLength(0);
  });
});

describe('request bodies', () => {
  it('matches attribute names and schema URNs case-insensitively and stores the schema\'s spelling', async () => {
    const response = await t.client.request('POST', '/Users', {
      SCHEMAS: ['URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER', 'Urn:Ietf:Params:Scim:Schemas:Extension:Enterprise:2.0:User'],
      UserName: 'casey@example.com',
      NAME: { GivenName: 'Casey' },
      Emails: [{ Value: 'casey@example.com', Primary: 'True', TYPE: 'work' }],
      'URN:IETF:PARAMS:SCIM:SCHEMAS:EXTENSION:ENTERPRISE:2.0:USER': { EmployeeNumber: 'E-7' },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(withoutServerAttributes(response.body)).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
      userName: 'casey@example.com',
      name: { givenName: 'Casey' },
      emails: [{ value: 'casey@example.com', type: 'work', primary: true }],
      active: true,
      [ENTERPRISE_SCHEMA]: { employeeNumber: 'E-7' },
    });
    const row = await userRow(response.body.id);
    expect(row?.attributes).toMatchObject({ userName: 'casey@example.com', emails: [{ value: 'casey@example.com', primary: true }] });
    const primary = await t.store.query('select is_primary from user_values where user_id = $1', [response.body.id]);
    expect(primary).toEqual([{ is_primary: true }]);
  });

  it('accepts an extension attribute written as one URN-qualified key', async () => {
    const response = await t.client.request('POST', '/Users', {
      schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
      userName: 'qualified@example.com',
      [`${ENTERPRISE_SCHEMA}:department`]: 'Tour Operations',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body[ENTERPRISE_SCHEMA]).toEqual({ department: 'Tour Operations' });
  });

  it('ignores readOnly attributes a client sends (id, meta, groups) and unknown attributes', async () => {
    const group = await t.client.request('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'readonly-probe' });
    expect(group.status).toBe(201);
    const response = await t.client.request(
      'POST',
      '/Users',
      userBody('readonly@example.com', {
        id: '11111111-1111-4111-8111-111111111111',
        meta: { resourceType: 'Group', version: 'W/"99"', created: '2000-01-01T00:00:00Z' },
        groups: [{ value: group.body.id, display: 'readonly-probe' }],
        favouriteColour: 'green',
        name: { givenName: 'Read', shoeSize: 44 },
      }),
    );
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.id).not.toBe('11111111-1111-4111-8111-111111111111');
    expect(response.body.meta.resourceType).toBe('User');
    expect(response.body.meta.version).toBe('W/"1"');
    expect(response.body).not.toHaveProperty('groups');
    expect(response.body).not.toHaveProperty('favouriteColour');
    expect(response.body.name).toEqual({ givenName: 'Read' });
    expect(await t.store.query('select 1 from users where id = $1', ['11111111-1111-4111-8111-111111111111'])).toHaveLength(0);
    expect(await t.store.query('select 1 from group_members where user_id = $1', [response.body.id])).toHaveLength(0);
    const row = await userRow(response.body.id);
    expect(Object.keys(row!.attributes).sort()).toEqual(['name', 'userName']);
  });

  it.each([
    { field: 'active', value: 'yes', path: 'active', expected: 'a boolean' },
    { field: 'userName', value: true, path: 'userName', expected: 'a string' },
    { field: 'name', value: 'Barbara Jensen', path: 'name', expected: 'an object' },
    { field: 'emails', value: [{ value: 'x@example.com', primary: 'sometimes' }], path: 'emails[0].primary', expected: 'a boolean' },
    { field: 'x509Certificates', value: [{ value: 'not base64!' }], path: 'x509Certificates[0].value', expected: 'base64' },
  ])('answers 400 invalidValue naming the attribute when $path has the wrong type', async ({ field, value, path, expected }) => {
    const body = userBody(`wrong-type-${path}`, { [field]: value });
    const response = await t.client.request('POST', '/Users', body);
    expectScimError(response, 400, 'invalidValue');
    expect(response.body.detail).toContain(`'${path}'`);
    expect(response.body.detail).toContain(expected);
    expect(await countUsers(t.client.tenantId, `wrong-type-${path}`)).toBe(0);
  });

  it('answers 400 invalidValue when userName is missing or empty', async () => {
    const missing = await t.client.request('POST', '/Users', { schemas: [USER_SCHEMA], displayName: 'No Name' });
    expectScimError(missing, 400, 'invalidValue');
    expect(missing.body.detail).toContain('userName');
    const nulled = await t.client.request('POST', '/Users', { schemas: [USER_SCHEMA], userName: null });
    expectScimError(nulled, 400, 'invalidValue');
    const empty = await t.client.request('POST', '/Users', userBody(''));
    expectScimError(empty, 400, 'invalidValue');
    expect(empty.body.detail).toContain('userName');
    expect(await countUsers(t.client.tenantId, '')).toBe(0);
  });

  it('answers 400 when schemas is missing, lacks the core schema, or names an unknown schema', async () => {
    const missing = await t.client.request('POST', '/Users', { userName: 'no-schemas' });
    expectScimError(missing, 400, 'invalidSyntax');
    expect(missing.body.detail).toContain(USER_SCHEMA);
    expectScimError(await t.client.request('POST', '/Users', { schemas: [ENTERPRISE_SCHEMA], userName: 'no-core' }), 400, 'invalidSyntax');
    expectScimError(await t.client.request('POST', '/Users', { schemas: 'not an array', userName: 'bad-schemas' }), 400, 'invalidSyntax');
    const unknown = await t.client.request('POST', '/Users', { schemas: [USER_SCHEMA, 'urn:example:unknown:2.0:User'], userName: 'unknown-schema' });
    expectScimError(unknown, 400, 'invalidValue');
    expect(unknown.body.detail).toContain('urn:example:unknown:2.0:User');
    for (const name of ['no-schemas', 'no-core', 'bad-schemas', 'unknown-schema']) expect(await countUsers(t.client.tenantId, name)).toBe(0);
  });

  it('answers 400 invalidSyntax for malformed JSON, an empty body and a body that is not an object', async () => {
    expectScimError(await t.client.request('POST', '/Users', '{"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": '), 400, 'invalidSyntax');
    expectScimError(await t.client.request('POST', '/Users', ''), 400, 'invalidSyntax');
    expectScimError(await t.client.request('POST', '/Users', '[1, 2]'), 400, 'invalidSyntax');
    expectScimError(await t.client.request('PUT', `/Users/00000000-0000-4000-8000-000000000000`, '{oops'), 400, 'invalidSyntax');
  });

  it('answers 415 for a Content-Type other than application/scim+json or application/json', async () => {
    const response = await t.client.request('POST', '/Users', JSON.stringify(userBody('wrong-media')), { 'Content-Type': 'text/plain' });
    expectScimError(response, 415);
    expect(response.body.detail).toContain('text/plain');
    expect(await countUsers(t.client.tenantId, 'wrong-media')).toBe(0);
    const json = await t.client.request('POST', '/Users', JSON.stringify(userBody('plain-json')), { 'Content-Type': 'application/json; charset=utf-8' });
    expect(json.status).toBe(201);
  });

  it('accepts Microsoft Entra ID\'s string booleans ("False", "True")', async () => {
    const response = await t.client.request('POST', '/Users', userBody('entra@example.com', { active: 'False', emails: [{ value: 'entra@example.com', primary: 'True' }] }));
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.active).toBe(false);
    expect(response.body.emails).toEqual([{ value: 'entra@example.com', primary: true }]);
    expect(await userRow(response.body.id)).toMatchObject({ active: false });
  });

  it('takes a single value where a list belongs as a list of one', async () => {
    const response = await t.client.request('POST', '/Users', userBody('single@example.com', { emails: { value: 'single@example.com', type: 'work' } }));
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.emails).toEqual([{ value: 'single@example.com', type: 'work' }]);
    const found = await t.client.request('GET', `/Users?filter=${q('emails.value eq "single@example.com"')}`);
    expect(found.body.totalResults).toBe(1);
  });

  it('answers 400 invalidValue for two primary values', async () => {
    const response = await t.client.request(
      'POST',
      '/Users',
      userBody('two-primaries', { emails: [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: true }] }),
    );
    expectScimError(response, 400, 'invalidValue');
    expect(response.body.detail).toContain('emails');
    expect(await countUsers(t.client.tenantId, 'two-primaries')).toBe(0);
  });

  it('answers 400 invalidValue for a user made its own manager (a manager not yet provisioned is kept: users-manager.test.ts)', async () => {
    const self = await create(t.client, userBody('self-managed'));
    const selfManaged = await t.client.request('PUT', `/Users/${self.id}`, userBody('self-managed', { [ENTERPRISE_SCHEMA]: { manager: { value: self.id } } }));
    expectScimError(selfManaged, 400, 'invalidValue');
    expect(await userRow(self.id)).toMatchObject({ version: 1 });
  });
});

describe('conditional requests (RFC 7644 §3.14)', () => {
  it('answers 304 with the ETag to a GET whose If-None-Match names the current version', async () => {
    const user = await create(t.client, userBody('etag-get'));
    const notModified = await t.client.request('GET', `/Users/${user.id}`, undefined, { 'If-None-Match': 'W/"1"' });
    expect(notModified.status).toBe(304);
    expect(notModified.headers.get('etag')).toBe('W/"1"');
    expect(notModified.body).toBeUndefined();
    const stale = await t.client.request('GET', `/Users/${user.id}`, undefined, { 'If-None-Match': 'W/"7"' });
    expect(stale.status).toBe(200);
    expect(stale.body.userName).toBe('etag-get');
  });

  it('answers 412 to a PUT or DELETE whose If-Match names a stale version, and changes nothing', async () => {
    const user = await create(t.client, userBody('etag-write'));
    const updated = await t.client.request('PUT', `/Users/${user.id}`, userBody('etag-write', { title: 'v2' }), { 'If-Match': 'W/"1"' });
    expect(updated.status).toBe(200);
    expect(updated.headers.get('etag')).toBe('W/"2"');

    const stalePut = await t.client.request('PUT', `/Users/${user.id}`, userBody('etag-write', { title: 'v3' }), { 'If-Match': 'W/"1"' });
    expectScimError(stalePut, 412);
    const staleDelete = await t.client.request('DELETE', `/Users/${user.id}`, undefined, { 'If-Match': 'W/"1"' });
    expectScimError(staleDelete, 412);
    expect(await userRow(user.id)).toMatchObject({ version: 2, attributes: { title: 'v2' } });

    const deleted = await t.client.request('DELETE', `/Users/${user.id}`, undefined, { 'If-Match': 'W/"2"' });
    expect(deleted.status).toBe(204);
  });
});

describe('GET /Users (RFC 7644 §3.4.2)', () => {
  let c: Client;
  const users: Record<string, any>[] = [];
  let alice: Record<string, any>;
  let firstModified: string;

  beforeAll(async () => {
    c = await t.newTenant('users-list');
    for (const [userName, extra] of [
      ['alice', { externalId: 'EXT-alice', title: 'Engineer', emails: [{ value: 'alice@example.com', type: 'work', primary: true }] }],
      ['bob', { externalId: 'EXT-bob', title: 'Engineer', emails: [{ value: 'bob@example.com', type: 'work' }] }],
      ['carol', { title: 'Manager', active: false, emails: [{ value: 'carol@other.org', type: 'work' }, { value: 'carol@example.com', type: 'home' }] }],
      ['dave', { title: 'Engineer', [ENTERPRISE_SCHEMA]: { employeeNumber: '701984' } }],
      ['erin', { emails: [{ value: 'erin@example.com', type: 'home' }] }],
    ] as const) {
      users.push(await create(c, userBody(userName, { ...extra })));
      // Distinct lastModified values, so that `gt` has something to tell apart.
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    alice = users[0]!;
    firstModified = users[0]!.meta.lastModified;
  });

  const names = (response: ScimResponse): string[] => response.body.Resources.map((r: { userName: string }) => r.userName);

  async function list(query: string): Promise<ScimResponse> {
    const response = await c.request('GET', `/Users${query}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers.get('content-type')).toBe(SCIM_JSON);
    expect(response.body.schemas).toEqual([LIST_SCHEMA]);
    return response;
  }

  const filter = async (f: string) => names(await list(`?filter=${q(f)}`)).sort();

  it('lists all users of the tenant in creation order with exact totalResults', async () => {
    const response = await list('');
    expect(response.body).toMatchObject({ totalResults: 5, startIndex: 1, itemsPerPage: 5 });
    expect(names(response)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(response.body.Resources[0]).toEqual(users[0]);
  });

  it('pages with 1-based startIndex and count (RFC 7644 §3.4.2.4)', async () => {
    const page = await list('?startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(names(page)).toEqual(['bob', 'carol']);
    const last = await list('?startIndex=5&count=2');
    expect(last.body).toMatchObject({ totalResults: 5, startIndex: 5, itemsPerPage: 1 });
    expect(names(last)).toEqual(['erin']);
  });

  it('answers count=0 with totalResults only', async () => {
    const response = await list('?count=0');
    expect(response.body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
  });

  it('answers a startIndex beyond the total with empty Resources and the true total', async () => {
    const response = await list('?startIndex=6');
    expect(response.body).toMatchObject({ totalResults: 5, startIndex: 6, itemsPerPage: 0, Resources: [] });
  });

  it('treats a negative count as 0 and a startIndex below 1 as 1', async () => {
    expect((await list('?count=-3')).body).toMatchObject({ totalResults: 5, itemsPerPage: 0, Resources: [] });
    const start = await list('?startIndex=0&count=1');
    expect(start.body.startIndex).toBe(1);
    expect(names(start)).toEqual(['alice']);
    expect((await list('?startIndex=-9&count=1')).body.startIndex).toBe(1);
  });

  it('answers 400 for a count or startIndex that is not an integer', async () => {
    expectScimError(await c.request('GET', '/Users?count=ten'), 400, 'invalidValue');
    expectScimError(await c.request('GET', '/Users?startIndex=1.5'), 400, 'invalidValue');
  });

  it('filters userName eq case-insensitively', async () => {
    expect(await filter('userName eq "ALICE"')).toEqual(['alice']);
    expect(await filter('UserName Eq "bob"')).toEqual(['bob']);
  });

  it('filters externalId eq case-exactly', async () => {
    expect(await filter('externalId eq "EXT-alice"')).toEqual(['alice']);
    expect(await filter('externalId eq "ext-alice"')).toEqual([]);
  });

  it('filters emails[type eq "work"].value eq', async () => {
    expect(await filter('emails[type eq "work"].value eq "BOB@example.com"')).toEqual(['bob']);
    // carol's example.com address is her home one.
    expect(await filter('emails[type eq "work"].value eq "carol@example.com"')).toEqual([]);
  });

  it('matches both conditions of a value filter against one and the same element', async () => {
    expect(await filter('emails[type eq "work" and value co "@example.com"]')).toEqual(['alice', 'bob']);
    // Across elements carol matches both conditions: the filter must not.
    expect(await filter('emails[type eq "work"] and emails[value co "@example.com"]')).toEqual(['alice', 'bob', 'carol']);
  });

  it('filters with not, ne and pr', async () => {
    expect(await filter('not (title eq "Engineer")')).toEqual(['carol', 'erin']);
    expect(await filter('title ne "Engineer"')).toEqual(['carol', 'erin']);
    expect(await filter('title pr')).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect(await filter('not (emails pr)')).toEqual(['dave']);
    expect(await filter('externalId pr and not (userName sw "b")')).toEqual(['alice']);
    expect(await filter('id pr')).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
  });

  it('filters meta.lastModified gt', async () => {
    expect(await filter(`meta.lastModified gt "${firstModified}"`)).toEqual(['bob', 'carol', 'dave', 'erin']);
    expect(await filter(`meta.lastModified ge "${firstModified}"`)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(await filter('meta.lastModified gt "2999-01-01T00:00:00Z"')).toEqual([]);
    const touched = await c.request('PUT', `/Users/${alice.id}`, userBody('alice', { externalId: 'EXT-alice', title: 'Engineer', emails: alice.emails }));
    expect(touched.status).toBe(200);
    const after = touched.body.meta.lastModified;
    expect(await filter(`meta.lastModified ge "${after}"`)).toEqual(['alice']);
  });

  it('filters active eq false', async () => {
    expect(await filter('active eq false')).toEqual(['carol']);
    expect(await filter('active eq true')).toEqual(['alice', 'bob', 'dave', 'erin']);
  });

  it('filters on an Enterprise User attribute by its full URN', async () => {
    expect(await filter(`${ENTERPRISE_SCHEMA}:employeeNumber eq "701984"`)).toEqual(['dave']);
    expect(await filter(`${ENTERPRISE_SCHEMA}:employeeNumber eq "1"`)).toEqual([]);
  });

  it.each(['userName eq', 'userName zz "x"', 'favouriteColour eq "green"', '(userName eq "a"', 'active eq "yes"', 'meta.lastModified gt "yesterday"'])(
    'answers 400 invalidFilter for %s',
    async (bad) => {
      expectScimError(await c.request('GET', `/Users?filter=${q(bad)}`), 400, 'invalidFilter');
    },
  );

  it('returns only the asked-for attributes with id and schemas, on GET and list', async () => {
    const one = await c.request('GET', `/Users/${alice.id}?attributes=userName`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ schemas: [USER_SCHEMA], id: alice.id, userName: 'alice' });
    const listed = await list('?attributes=userName&count=2');
    expect(listed.body.Resources).toEqual([
      { schemas: [USER_SCHEMA], id: users[0]!.id, userName: 'alice' },
      { schemas: [USER_SCHEMA], id: users[1]!.id, userName: 'bob' },
    ]);
    const sub = await c.request('GET', `/Users/${alice.id}?attributes=emails.value,meta.version`);
    expect(sub.body).toEqual({ schemas: [USER_SCHEMA], id: alice.id, emails: [{ value: 'alice@example.com' }], meta: { version: one.headers.get('etag') } });
    const enterprise = await c.request('GET', `/Users/${users[3]!.id}?attributes=${q(`${ENTERPRISE_SCHEMA}:employeeNumber`)}`);
    expect(enterprise.body).toEqual({ schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], id: users[3]!.id, [ENTERPRISE_SCHEMA]: { employeeNumber: '701984' } });
  });

  it('leaves out excludedAttributes but never id or schemas', async () => {
    const one = await c.request('GET', `/Users/${alice.id}?excludedAttributes=emails,id,schemas`);
    expect(one.status).toBe(200);
    const { emails: _emails, ...rest } = alice;
    expect(one.body).toEqual({ ...rest, meta: one.body.meta });
    expect(one.body.id).toBe(alice.id);
    expect(one.body.schemas).toEqual([USER_SCHEMA, ACCOUNT_SCHEMA]);
    const listed = await list(`?excludedAttributes=emails&filter=${q('userName eq "carol"')}`);
    expect(listed.body.Resources).toHaveLength(1);
    expect(listed.body.Resources[0]).not.toHaveProperty('emails');
    expect(listed.body.Resources[0].title).toBe('Manager');
  });

  it('sorts by userName ascending and descending', async () => {
    expect(names(await list('?sortBy=userName'))).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(names(await list('?sortBy=userName&sortOrder=descending'))).toEqual(['erin', 'dave', 'carol', 'bob', 'alice']);
    expect(names(await list('?sortBy=UserName&sortOrder=ASCENDING&startIndex=2&count=2'))).toEqual(['bob', 'carol']);
    expectScimError(await c.request('GET', '/Users?sortBy=userName&sortOrder=sideways'), 400, 'invalidValue');
    expectScimError(await c.request('GET', '/Users?sortBy=password'), 400, 'invalidValue');
  });

  it('breaks ties by id, so that paging through equal sort keys neither skips nor repeats', async () => {
    const engineers = users.filter((u) => u.title === 'Engineer').map((u) => u.id as string);
    const ids = (response: ScimResponse): string[] => response.body.Resources.map((r: { id: string }) => r.id);
    const ascending = ids(await list(`?sortBy=title&filter=${q('title eq "Engineer"')}`));
    expect(ascending).toEqual([...engineers].sort());
    const descending = ids(await list(`?sortBy=title&sortOrder=descending&filter=${q('title eq "Engineer"')}`));
    expect(descending).toEqual([...engineers].sort().reverse());
    const paged: string[] = [];
    for (let start = 1; start <= 5; start++) paged.push(...ids(await list(`?sortBy=title&startIndex=${start}&count=1`)));
    const whole = ids(await list('?sortBy=title'));
    expect(paged).toEqual(whole);
    expect(new Set(paged).size).toBe(5);
    // Unassigned titles sort last when ascending.
    expect(whole[4]).toBe(users[4]!.id);
  });

  it('answers POST /Users/.search like GET, with parameters in a SearchRequest body', async () => {
    const response = await c.request('POST', '/Users/.search', {
      schemas: [SEARCH_REQUEST],
      filter: 'emails[type eq "work" and value co "@example.com"]',
      attributes: ['userName'],
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 1,
      count: 10,
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.headers.get('content-type')).toBe(SCIM_JSON);
    expect(response.body).toEqual({
      schemas: [LIST_SCHEMA],
      totalResults: 2,
      startIndex: 1,
      itemsPerPage: 2,
      Resources: [
        { schemas: [USER_SCHEMA], id: users[1]!.id, userName: 'bob' },
        { schemas: [USER_SCHEMA], id: users[0]!.id, userName: 'alice' },
      ],
    });
    // A bare comma-separated string where the RFC has a list of strings is taken too.
    const bare = await c.request('POST', '/Users/.search', { schemas: [SEARCH_REQUEST], filter: 'userName eq "bob"', attributes: 'userName,title' });
    expect(bare.body.Resources).toEqual([{ schemas: [USER_SCHEMA], id: users[1]!.id, userName: 'bob', title: 'Engineer' }]);
    expectScimError(await c.request('POST', '/Users/.search', { schemas: [SEARCH_REQUEST], filter: 'userName eq' }), 400, 'invalidFilter');
    expectScimError(await c.request('POST', '/Users/.search', '[]'), 400, 'invalidSyntax');
  });
});

describe('limits', () => {
  let small: TestContext;
  beforeAll(async () => {
    small = await createTestContext({ maxPayloadSize: 1024, maxResults: 2 });
  });
  afterAll(() => small.close());

  it('answers 413 to a body over maxPayloadSize, and writes nothing', async () => {
    const response = await small.client.request('POST', '/Users', userBody('too-big', { title: 'x'.repeat(2048) }));
    expectScimError(response, 413);
    expect(response.body.detail).toContain('1024');
    expect(await small.store.query('select 1 from users')).toHaveLength(0);
    const fits = await small.client.request('POST', '/Users', userBody('fits', { title: 'x'.repeat(100) }));
    expect(fits.status).toBe(201);
  });

  it('caps count at maxResults', async () => {
    for (const name of ['u1', 'u2', 'u3']) expect((await small.client.request('POST', '/Users', userBody(name))).status).toBe(201);
    const response = await small.client.request('GET', '/Users?count=50');
    expect(response.body).toMatchObject({ totalResults: 4, itemsPerPage: 2 });
    expect(response.body.Resources).toHaveLength(2);
    const unasked = await small.client.request('GET', '/Users');
    expect(unasked.body).toMatchObject({ totalResults: 4, itemsPerPage: 2 });
  });
});
