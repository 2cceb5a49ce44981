// Filters on extension schemas (RFC 7644 §3.4.2.2, §3.10): `<schema URN> pr` and `<schema URN>:<attribute> <op> <value>`
// for the enterprise, account and persona extensions, through the app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, createTestContext, groupBody, userBody, type Client, type TestContext } from '../helpers/app.js';

const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

let t: TestContext;
let ext: Client;
const users: Record<string, string> = {};

async function names(client: Client, type: 'Users' | 'Groups', filter: string): Promise<string[]> {
  const response = await client.request('GET', `/${type}?count=100&filter=${encodeURIComponent(filter)}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const resources = response.body.Resources as { userName?: string; displayName?: string }[];
  expect(response.body.totalResults).toBe(resources.length);
  return resources.map((r) => (type === 'Users' ? r.userName! : r.displayName!)).sort();
}

beforeAll(async () => {
  t = await createTestContext();
  ext = await t.newTenant('ext', { withoutPersonas: true });
  const create = async (userName: string, extra: Record<string, unknown> = {}) => {
    const response = await ext.request('POST', '/Users', userBody(userName, extra));
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    users[userName] = response.body.id;
  };
  await create('boss', { [ENTERPRISE_SCHEMA]: { department: 'Board' } });
  await create('ann', {
    [ENTERPRISE_SCHEMA]: {
      employeeNumber: '701984',
      costCenter: '4130',
      organization: 'Universal Studios',
      division: 'Theme Park',
      department: 'Tour Operations',
      manager: { value: users.boss },
    },
  });
  await create('bob', { [ENTERPRISE_SCHEMA]: { employeeNumber: '42', department: 'tour operations' } });
  await create('cid');
  const group = async (displayName: string, persona?: Record<string, unknown>) => {
    const body = persona ? groupBody(displayName, { schemas: [GROUP_SCHEMA, PERSONA], [PERSONA]: persona }) : groupBody(displayName);
    const response = await ext.request('POST', '/Groups', body);
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  };
  await group('Admins', { description: 'Runs the place', permissions: ['users:read', 'users:write'] });
  await group('Readers', { permissions: ['users:read', 'reports:read'] });
  await group('Described', { description: 'No permissions yet' });
  await group('Plain');
  await group('Also plain');
});
afterAll(() => t.close());

describe('persona extension (Groups)', () => {
  it.each([
    [`${PERSONA} pr`, ['Admins', 'Described', 'Readers']],
    [`${PERSONA.toUpperCase().replace('URN:', 'urn:')} pr`, ['Admins', 'Described', 'Readers']],
    [`not (${PERSONA} pr)`, ['Also plain', 'Plain']],
    [`schemas eq "${PERSONA}"`, ['Admins', 'Described', 'Readers']],
    [`${PERSONA} pr and displayName sw "A"`, ['Admins']],
    [`${PERSONA}:permissions eq "users:write"`, ['Admins']],
    [`${PERSONA}:permissions eq users:write`, ['Admins']],
    [`${PERSONA}:permissions eq "users:read"`, ['Admins', 'Readers']],
    [`${PERSONA}:permissions eq "USERS:WRITE"`, []],
    // As for any multi-valued attribute: some element is not "users:write".
    [`${PERSONA}:permissions ne "users:write"`, ['Admins', 'Readers']],
    [`not (${PERSONA}:permissions eq "users:write")`, ['Also plain', 'Described', 'Plain', 'Readers']],
    [`${PERSONA}:permissions sw "reports:"`, ['Readers']],
    [`${PERSONA}:permissions co "write"`, ['Admins']],
    [`${PERSONA}:permissions pr`, ['Admins', 'Readers']],
    [`${PERSONA}:permissions eq "users:read" and ${PERSONA}:permissions eq "reports:read"`, ['Readers']],
    [`permissions eq "users:write"`, ['Admins']],
    [`${PERSONA}:description pr`, ['Admins', 'Described']],
    [`${PERSONA}:description co "place"`, ['Admins']],
    [`${PERSONA}:description eq "no permissions yet"`, ['Described']],
    [`urn:ietf:params:scim:schemas:core:2.0:Group pr`, ['Admins', 'Also plain', 'Described', 'Plain', 'Readers']],
  ])('%s', async (filter, expected) => {
    expect(await names(ext, 'Groups', filter)).toEqual([...expected].sort());
  });

  it('answers the console: personas by displayName, cursor paged, with the extension', async () => {
    const query = new URLSearchParams({ filter: `${PERSONA} pr`, attributes: `displayName,${PERSONA}`, sortBy: 'displayName', count: '2', cursor: '' });
    const first = await ext.request('GET', `/Groups?${query}`);
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.totalResults).toBe(3);
    expect(first.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Admins', 'Described']);
    expect(first.body.Resources[0][PERSONA]).toEqual({ description: 'Runs the place', permissions: ['users:read', 'users:write'] });
    query.set('cursor', first.body.nextCursor);
    const second = await ext.request('GET', `/Groups?${query}`);
    expect(second.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Readers']);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it("counts only the tenant's own personas", async () => {
    // acme starts with the eight default personas; ext's three are not among them.
    const acme = await names(t.client, 'Groups', `${PERSONA} pr`);
    expect(acme).toHaveLength(8);
    expect(acme).not.toContain('Admins');
    expect(await names(t.client, 'Groups', `${PERSONA}:permissions eq "users:write"`)).toEqual(['Administrator']);
  });

  it('a persona that loses its last extension attribute is a plain group again', async () => {
    const created = await ext.request('POST', '/Groups', groupBody('Short-lived', { schemas: [GROUP_SCHEMA, PERSONA], [PERSONA]: { description: 'x' } }));
    expect(await names(ext, 'Groups', `${PERSONA} pr and displayName eq "Short-lived"`)).toEqual(['Short-lived']);
    const patched = await ext.request('PATCH', `/Groups/${created.body.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'remove', path: `${PERSONA}:description` }],
    });
    expect(patched.status).toBeLessThan(300);
    expect(await names(ext, 'Groups', `${PERSONA} pr and displayName eq "Short-lived"`)).toEqual([]);
    await ext.request('DELETE', `/Groups/${created.body.id}`);
  });
});

describe('enterprise and account extensions (Users)', () => {
  it.each([
    [`${ENTERPRISE_SCHEMA} pr`, ['ann', 'bob', 'boss']],
    [`not (${ENTERPRISE_SCHEMA} pr)`, ['cid']],
    [`${ENTERPRISE_SCHEMA}:employeeNumber eq "701984"`, ['ann']],
    [`${ENTERPRISE_SCHEMA}:employeeNumber pr`, ['ann', 'bob']],
    [`${ENTERPRISE_SCHEMA}:costCenter eq "4130"`, ['ann']],
    [`${ENTERPRISE_SCHEMA}:organization sw "universal"`, ['ann']],
    [`${ENTERPRISE_SCHEMA}:division eq "Theme Park"`, ['ann']],
    [`${ENTERPRISE_SCHEMA}:department eq "Tour Operations"`, ['ann', 'bob']],
    [`${ENTERPRISE_SCHEMA}:department eq Board`, ['boss']],
    [`${ENTERPRISE_SCHEMA}:manager pr`, ['ann']],
    [`${ENTERPRISE_SCHEMA}:manager.value pr`, ['ann']],
    [`department ne "Board"`, ['ann', 'bob', 'cid']],
    [`${ACCOUNT} pr`, ['ann', 'bob', 'boss', 'cid']],
    [`not (${ACCOUNT} pr)`, []],
    [`schemas eq "${ACCOUNT}"`, ['ann', 'bob', 'boss', 'cid']],
    [`${ACCOUNT}:mfaEnabled eq false and ${ACCOUNT}:failedLogins eq 0`, ['ann', 'bob', 'boss', 'cid']],
    [`${ACCOUNT}:lastLogin pr`, []],
    [`${CORE_USER} pr`, ['ann', 'bob', 'boss', 'cid']],
  ])('%s', async (filter, expected) => {
    expect(await names(ext, 'Users', filter)).toEqual([...expected].sort());
  });

  it('manager.value eq <id> finds the reports of a manager', async () => {
    expect(await names(ext, 'Users', `${ENTERPRISE_SCHEMA}:manager.value eq "${users.boss}"`)).toEqual(['ann']);
  });
});

describe('refused', () => {
  it.each([
    [`/Users`, `${ENTERPRISE_SCHEMA} eq "x"`, `"${ENTERPRISE_SCHEMA}" is a schema, not an attribute: "${ENTERPRISE_SCHEMA} pr" tests that a resource has it, or compare one of its attributes ("${ENTERPRISE_SCHEMA}:<attribute> eq ...").`],
    [`/Groups`, `${PERSONA} co "users"`, `"${PERSONA}" is a schema, not an attribute: "${PERSONA} pr" tests that a resource has it, or compare one of its attributes ("${PERSONA}:<attribute> co ...").`],
    [`/Users`, `${PERSONA} pr`, `Unknown attribute "${PERSONA}" for resource type User.`],
    [`/Groups`, `${ENTERPRISE_SCHEMA}:department eq "x"`, `Unknown attribute "${ENTERPRISE_SCHEMA}:department" for resource type Group.`],
    [`/Groups`, `urn:example:params:scim:schemas:extension:other:2.0:Group pr`, 'Unknown attribute "urn:example:params:scim:schemas:extension:other:2.0:Group" for resource type Group.'],
    [`/Groups`, `${PERSONA}:permissions gt 1`, `Attribute "${PERSONA}:permissions" is a string; compare it with a quoted string, not 1.`],
  ])('%s?filter=%s -> 400 invalidFilter', async (path, filter, detail) => {
    const response = await ext.request('GET', `${path}?filter=${encodeURIComponent(filter)}`);
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidFilter']);
    expect(response.body.detail).toBe(detail);
  });
});
