// The last administrator stays: through the app, a session cannot leave its tenant without an active administrator,
// nor lock, deactivate, delete or demote its own account; an API token can, and the attempt is logged.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/http/logger.js';
import { type Client, createTestContext, postJson, scimRequest, type TestContext, userBody } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
const PASSWORD = 'correct horse battery staple';

let t: TestContext;
/** A fresh tenant for each test, so each starts with no administrator. */
let client: Client;
let slug: string;
let tenants = 0;
let personas: Record<string, string>;
let warnings: { msg: string; fields: Record<string, unknown> | undefined }[];

const logger: Logger = {
  debug() {},
  info() {},
  warn: (msg, fields) => void warnings.push({ msg, fields }),
  error() {},
};

const scim = (method: string, path: string, token: string, body?: unknown) => scimRequest(t.app, token, method, path, body);

const patch = (...operations: unknown[]) => ({ schemas: [PATCH], Operations: operations });
const removeMember = (id: string) => patch({ op: 'remove', path: `members[value eq "${id}"]` });

async function createAdministrator(userName: string): Promise<{ id: string; token: string }> {
  const created = await client.request('POST', '/Users', userBody(userName, { password: PASSWORD }));
  expect(created.status).toBe(201);
  const added = await client.request('PATCH', `/Groups/${personas.Administrator}`, patch({ op: 'add', path: 'members', value: [{ value: created.body.id }] }));
  expect(added.status).toBe(204);
  const session = await postJson(t.app, '/auth/login', { tenant: slug, userName, password: PASSWORD });
  expect(session.status).toBe(200);
  return { id: created.body.id, token: session.body.token };
}

function expectConflict(response: { status: number; body: { detail?: string; status?: string; scimType?: string } }): void {
  expect(response.status).toBe(409);
  expect(response.body.status).toBe('409');
  expect(response.body.scimType).toBeUndefined();
  expect(response.body.detail).toMatch(/ask another administrator/);
}

const isActive = async (id: string) => (await client.request('GET', `/Users/${id}`)).body.active;
const adminMembers = async () => ((await client.request('GET', `/Groups/${personas.Administrator}`)).body.members ?? []).map((m: { value: string }) => m.value);

beforeAll(async () => {
  t = await createTestContext({ logger });
});
afterAll(() => t.close());

beforeEach(async () => {
  warnings = [];
  slug = `tenant-${++tenants}`;
  client = await t.newTenant(slug);
  const groups = await client.request('GET', '/Groups?count=100');
  personas = Object.fromEntries(groups.body.Resources.map((g: { displayName: string; id: string }) => [g.displayName, g.id]));
});

describe('a session and its own account', () => {
  it('cannot lock, deactivate (PATCH or PUT), delete or demote itself, even with another administrator about', async () => {
    const me = await createAdministrator('me@example.com');
    await createAdministrator('other@example.com');
    expectConflict(await scim('PATCH', `/Users/${me.id}`, me.token, patch({ op: 'replace', path: 'active', value: false })));
    const current = await client.request('GET', `/Users/${me.id}`);
    const { meta: _meta, groups: _groups, ...body } = current.body;
    expectConflict(await scim('PUT', `/Users/${me.id}`, me.token, { ...body, active: false }));
    expectConflict(await scim('DELETE', `/Users/${me.id}`, me.token));
    expectConflict(await scim('PATCH', `/Groups/${personas.Administrator}`, me.token, removeMember(me.id)));
    expect(await isActive(me.id)).toBe(true);
    expect(await adminMembers()).toContain(me.id);
  });

  it('cannot demote itself through Bulk either', async () => {
    const me = await createAdministrator('me@example.com');
    const response = await scim('POST', '/Bulk', me.token, {
      schemas: [BULK],
      Operations: [{ method: 'PATCH', path: `/Groups/${personas.Administrator}`, data: removeMember(me.id) }],
    });
    expect(response.body.Operations[0].status).toBe('409');
    expect(await adminMembers()).toContain(me.id);
  });

  it('may still change its own profile', async () => {
    const me = await createAdministrator('me@example.com');
    expect((await scim('PATCH', `/Users/${me.id}`, me.token, patch({ op: 'replace', path: 'displayName', value: 'Me' }))).status).toBe(200);
  });
});

describe('the tenant keeps an administrator', () => {
  it('one administrator locks, deletes or demotes another while one remains', async () => {
    const me = await createAdministrator('me@example.com');
    const other = await createAdministrator('other@example.com');
    const third = await createAdministrator('third@example.com');
    expect((await scim('PATCH', `/Users/${other.id}`, me.token, patch({ op: 'replace', path: 'active', value: false }))).status).toBe(200);
    expect((await scim('PATCH', `/Groups/${personas.Administrator}`, me.token, removeMember(third.id))).status).toBe(204);
    expect((await scim('DELETE', `/Users/${third.id}`, me.token)).status).toBe(204);
  });

  it('a session cannot take the administrators\' permissions away from the persona, nor delete the persona', async () => {
    const me = await createAdministrator('me@example.com');
    await createAdministrator('other@example.com');
    const strip = patch({ op: 'remove', path: `${PERSONA}:permissions[value eq "billing:pay"]` });
    const stripped = await scim('PATCH', `/Groups/${personas.Administrator}`, me.token, strip);
    expect(stripped.status).toBe(409);
    expect(stripped.body.detail).toMatch(/ask another administrator/);
    expect((await scim('DELETE', `/Groups/${personas.Administrator}`, me.token)).status).toBe(409);
    const admin = await client.request('GET', `/Groups/${personas.Administrator}`);
    expect(admin.body[PERSONA].permissions).toContain('billing:pay');
  });
});

describe('at the same time', () => {
  it('two administrators removing each other at once leave one of them', async () => {
    const a = await createAdministrator('a@example.com');
    const b = await createAdministrator('b@example.com');
    const [first, second] = await Promise.all([
      scim('PATCH', `/Groups/${personas.Administrator}`, a.token, removeMember(b.id)),
      scim('PATCH', `/Groups/${personas.Administrator}`, b.token, removeMember(a.id)),
    ]);
    // The loser is refused by whichever rule sees it first: 409 (the last administrator) when its session was
    // read before the winner committed, 403 (it no longer holds the permissions) when after.
    const statuses = [first.status, second.status].sort();
    expect(statuses[0]).toBe(204);
    expect([403, 409]).toContain(statuses[1]);
    expect(await adminMembers()).toHaveLength(1);
  });
});

describe('API tokens are the source of truth', () => {
  it('may remove the last administrator, and the attempt is in the security log at warn', async () => {
    const me = await createAdministrator('me@example.com');
    expect((await client.request('PATCH', `/Groups/${personas.Administrator}`, removeMember(me.id))).status).toBe(204);
    const removals = () => warnings.filter((w) => w.msg === 'security' && w.fields?.event === 'tenant.lastAdministratorRemoved').map((w) => w.fields);
    expect(removals()).toEqual([
      expect.objectContaining({ tenant: client.tenantId, tokenId: expect.any(String), groupId: personas.Administrator, requestId: expect.any(String), address: null }),
    ]);
    expect((await client.request('PATCH', `/Groups/${personas.Administrator}`, patch({ op: 'add', path: 'members', value: [{ value: me.id }] }))).status).toBe(204);
    expect((await client.request('DELETE', `/Users/${me.id}`)).status).toBe(204);
    expect(removals()).toHaveLength(2);
    expect(removals()[1]).toMatchObject({ userId: me.id, action: 'delete' });
  });
});
