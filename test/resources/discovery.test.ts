// The discovery endpoints through the real app (RFC 7644 §4; RFC 7643 §5, §6, §7, examples in §8.5-§8.7).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASE,
  ENTERPRISE_SCHEMA,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  LIST_SCHEMA,
  USER_SCHEMA,
  createTestContext,
  userBody,
  type ScimResponse,
  type TestContext,
} from '../helpers/app.js';

const SCIM_JSON = 'application/scim+json; charset=utf-8';
const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const HISTORY_SCHEMA = 'urn:usher:params:scim:schemas:core:2.0:HistoryEntry';
const CHARACTERISTICS = ['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness'];

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ maxResults: 250 });
});
afterAll(() => t.close());

async function get(path: string): Promise<ScimResponse> {
  const response = await t.client.request('GET', path);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.headers.get('content-type')).toBe(SCIM_JSON);
  return response;
}

function expectScimError(response: ScimResponse, status: number): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe(SCIM_JSON);
  expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(response.body.status).toBe(String(status));
  expect(typeof response.body.detail).toBe('string');
}

type Attr = Record<string, any>;

/** Every attribute, at every depth, spells out all RFC 7643 §7 characteristics. */
function expectFullyDescribed(attributes: Attr[], path = ''): void {
  for (const attribute of attributes) {
    for (const key of CHARACTERISTICS) expect(attribute, `${path}${attribute.name}.${key}`).toHaveProperty(key);
    if (attribute.type === 'complex') {
      expect(attribute.subAttributes?.length, `${path}${attribute.name}.subAttributes`).toBeGreaterThan(0);
      expectFullyDescribed(attribute.subAttributes, `${path}${attribute.name}.`);
    } else {
      expect(attribute).not.toHaveProperty('subAttributes');
    }
  }
}

const find = (attributes: Attr[], name: string): Attr => {
  const found = attributes.find((a) => a.name === name);
  expect(found, name).toBeDefined();
  return found!;
};

describe('GET /ServiceProviderConfig (RFC 7643 §5)', () => {
  it('describes the features this server has, from its configuration', async () => {
    const { body } = await get('/ServiceProviderConfig');
    expect(body.schemas).toEqual([SPC_SCHEMA]);
    expect(body.filter).toEqual({ supported: true, maxResults: 250 });
    expect(body.sort).toEqual({ supported: true });
    expect(body.etag).toEqual({ supported: true });
    expect(body.changePassword).toEqual({ supported: true });
    expect(body.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 });
    expect(typeof body.patch.supported).toBe('boolean');
    expect(body.authenticationSchemes).toHaveLength(1);
    expect(body.authenticationSchemes[0]).toMatchObject({ type: 'oauthbearertoken', name: expect.any(String), description: expect.any(String) });
    expect(body.meta).toEqual({ resourceType: 'ServiceProviderConfig', location: `${BASE}/ServiceProviderConfig` });
  });

  it('tells the truth about PATCH', async () => {
    const { body } = await get('/ServiceProviderConfig');
    const user = await t.client.request('POST', '/Users', userBody('patch-probe'));
    expect(user.status).toBe(201);
    const patched = await t.client.request('PATCH', `/Users/${user.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'title', value: 'Patched' }],
    });
    if (body.patch.supported) expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    else expectScimError(patched, 501);
  });
});

describe('GET /ResourceTypes (RFC 7643 §6, §8.6)', () => {
  const user = {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'User',
    name: 'User',
    endpoint: '/Users',
    description: 'User Account',
    schema: USER_SCHEMA,
    schemaExtensions: [
      { schema: ENTERPRISE_SCHEMA, required: false },
      { schema: 'urn:usher:params:scim:schemas:extension:account:2.0:User', required: false },
    ],
    meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/User` },
  };
  const group = {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'Group',
    name: 'Group',
    endpoint: '/Groups',
    description: 'Group',
    schema: GROUP_SCHEMA,
    schemaExtensions: [{ schema: 'urn:usher:params:scim:schemas:extension:persona:2.0:Group', required: false }],
    meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/Group` },
  };

  const history = {
    schemas: [RESOURCE_TYPE_SCHEMA],
    id: 'HistoryEntry',
    name: 'HistoryEntry',
    endpoint: '/History',
    description: 'History of changes to Users and Groups (read-only)',
    schema: HISTORY_SCHEMA,
    meta: { resourceType: 'ResourceType', location: `${BASE}/ResourceTypes/HistoryEntry` },
  };

  it('lists User, Group and HistoryEntry as a ListResponse', async () => {
    const { body } = await get('/ResourceTypes');
    expect(body).toEqual({ schemas: [LIST_SCHEMA], totalResults: 3, startIndex: 1, itemsPerPage: 3, Resources: [user, group, history] });
  });

  it('answers /ResourceTypes/User, /ResourceTypes/Group and /ResourceTypes/HistoryEntry by id', async () => {
    expect((await get('/ResourceTypes/User')).body).toEqual(user);
    expect((await get('/ResourceTypes/Group')).body).toEqual(group);
    expect((await get('/ResourceTypes/HistoryEntry')).body).toEqual(history);
  });

  it('answers 404 with a SCIM error for an unknown resource type', async () => {
    const response = await t.client.request('GET', '/ResourceTypes/Printer');
    expectScimError(response, 404);
    expect(response.body.detail).toContain('Printer');
  });
});

describe('GET /Schemas (RFC 7643 §7, §8.7)', () => {
  let list: ScimResponse;
  beforeAll(async () => {
    list = await get('/Schemas');
  });

  const schema = (id: string) => list.body.Resources.find((s: { id: string }) => s.id === id);

  it('lists the User, Enterprise User and Group schemas (and the meta-schemas) as a ListResponse', () => {
    expect(list.body.schemas).toEqual([LIST_SCHEMA]);
    expect(list.body.totalResults).toBe(list.body.Resources.length);
    expect(list.body.itemsPerPage).toBe(list.body.Resources.length);
    const ids = list.body.Resources.map((s: { id: string }) => s.id);
    expect(ids).toEqual(expect.arrayContaining([USER_SCHEMA, ENTERPRISE_SCHEMA, GROUP_SCHEMA, HISTORY_SCHEMA, SPC_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA]));
    for (const resource of list.body.Resources) {
      expect(resource.schemas).toEqual([SCHEMA_SCHEMA]);
      expect(resource.meta).toEqual({ resourceType: 'Schema', location: `${BASE}/Schemas/${resource.id}` });
      expectFullyDescribed(resource.attributes);
    }
  });

  it('gives the full User definition of RFC 7643 §4.1 / §8.7.1', () => {
    const user = schema(USER_SCHEMA);
    expect(user).toMatchObject({ name: 'User', description: 'User Account' });
    expect(user.attributes.map((a: Attr) => a.name)).toEqual([
      'userName', 'name', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone',
      'active', 'password', 'emails', 'phoneNumbers', 'ims', 'photos', 'addresses', 'groups', 'entitlements', 'roles', 'x509Certificates',
    ]);
    expect(find(user.attributes, 'userName')).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite' });
    expect(find(user.attributes, 'password')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    expect(find(user.attributes, 'active')).toMatchObject({ type: 'boolean', multiValued: false });
    expect(find(user.attributes, 'profileUrl')).toMatchObject({ type: 'reference', referenceTypes: ['external'] });
    const emails = find(user.attributes, 'emails');
    expect(emails).toMatchObject({ type: 'complex', multiValued: true });
    expect(emails.subAttributes.map((a: Attr) => a.name)).toEqual(['value', 'display', 'type', 'primary']);
    expect(find(emails.subAttributes, 'type').canonicalValues).toEqual(['work', 'home', 'other']);
    const groups = find(user.attributes, 'groups');
    expect(groups).toMatchObject({ mutability: 'readOnly', multiValued: true });
    expect(groups.subAttributes.map((a: Attr) => a.name)).toEqual(['value', '$ref', 'display', 'type']);
    expect(find(groups.subAttributes, 'type').canonicalValues).toEqual(['direct', 'indirect']);
    expect(find(find(user.attributes, 'x509Certificates').subAttributes, 'value').type).toBe('binary');
    expect(find(user.attributes, 'name').subAttributes.map((a: Attr) => a.name)).toEqual([
      'formatted', 'familyName', 'givenName', 'middleName', 'honorificPrefix', 'honorificSuffix',
    ]);
  });

  it('gives the full Enterprise User definition of RFC 7643 §4.3 / §8.7.1', () => {
    const enterprise = schema(ENTERPRISE_SCHEMA);
    expect(enterprise).toMatchObject({ name: 'EnterpriseUser', description: 'Enterprise User' });
    expect(enterprise.attributes.map((a: Attr) => a.name)).toEqual(['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager']);
    const manager = find(enterprise.attributes, 'manager');
    expect(manager).toMatchObject({ type: 'complex', multiValued: false });
    expect(manager.subAttributes.map((a: Attr) => a.name)).toEqual(['value', '$ref', 'displayName']);
    expect(find(manager.subAttributes, '$ref')).toMatchObject({ type: 'reference', referenceTypes: ['User'] });
    expect(find(manager.subAttributes, 'displayName').mutability).toBe('readOnly');
  });

  it('gives the full Group definition of RFC 7643 §4.2 / §8.7.1', () => {
    const group = schema(GROUP_SCHEMA);
    expect(group).toMatchObject({ name: 'Group', description: 'Group' });
    expect(group.attributes.map((a: Attr) => a.name)).toEqual(['displayName', 'members']);
    const members = find(group.attributes, 'members');
    expect(members).toMatchObject({ type: 'complex', multiValued: true });
    expect(members.subAttributes.map((a: Attr) => a.name)).toEqual(['value', '$ref', 'display', 'type']);
    expect(find(members.subAttributes, '$ref')).toMatchObject({ type: 'reference', referenceTypes: ['User', 'Group'] });
    expect(find(members.subAttributes, 'type').canonicalValues).toEqual(['User', 'Group']);
  });

  it('gives the HistoryEntry definition: every attribute readOnly, the events as canonical values', () => {
    const history = schema(HISTORY_SCHEMA);
    expect(history).toMatchObject({ name: 'HistoryEntry' });
    expect(history.attributes.map((a: Attr) => a.name)).toEqual([
      'resourceType', 'resourceId', 'userName', 'event', 'eventDescription', 'attribute', 'oldValue', 'newValue', 'created', 'updatedBy', 'actor', 'requestId',
    ]);
    for (const attribute of history.attributes) expect(attribute.mutability, attribute.name).toBe('readOnly');
    expect(find(history.attributes, 'created').type).toBe('dateTime');
    expect(find(history.attributes, 'event').canonicalValues).toEqual(expect.arrayContaining(['created', 'attributeChanged', 'personaAdded', 'locked']));
  });

  it('answers /Schemas/{urn} with the same definition, whatever the case of the URN', async () => {
    for (const id of [USER_SCHEMA, ENTERPRISE_SCHEMA, GROUP_SCHEMA]) {
      expect((await get(`/Schemas/${id}`)).body).toEqual(schema(id));
    }
    expect((await get(`/Schemas/${USER_SCHEMA.toUpperCase()}`)).body).toEqual(schema(USER_SCHEMA));
  });

  it('answers 404 with a SCIM error for an unknown schema', async () => {
    const response = await t.client.request('GET', '/Schemas/urn:example:params:scim:schemas:core:2.0:Printer');
    expectScimError(response, 404);
    expect(response.body.detail).toContain('Printer');
  });
});

describe('filters on discovery endpoints (RFC 7644 §4)', () => {
  it.each(['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/User', '/Schemas', `/Schemas/${USER_SCHEMA}`])(
    'answers 403 to %s?filter=...',
    async (path) => {
      expectScimError(await t.client.request('GET', `${path}?filter=${encodeURIComponent('id eq "User"')}`), 403);
      expectScimError(await t.client.request('GET', `${path}?Filter=${encodeURIComponent('name pr')}`), 403);
    },
  );
});
