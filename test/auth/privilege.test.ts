// The privilege rule through the app: a session acts on a user only when it holds every permission the user holds,
// and gives a persona (membership or a permission) only when it holds all that persona carries.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PERSONAS } from '../../src/auth/permissions.js';
import { createTestContext, groupBody, postJson, scimRequest, type TestContext, userBody } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
const PASSWORD = 'correct horse battery staple';
const ALL_PERMISSIONS = [...new Set(DEFAULT_PERSONAS.flatMap((p) => p.permissions))].sort();

let t: TestContext;
let personas: Record<string, string>;
const ids: Record<string, string> = {};
let helper: string;
let boss: string;

const scim = (method: string, path: string, token: string, body?: unknown) => scimRequest(t.app, token, method, path, body);

const patch = (...operations: unknown[]) => ({ schemas: [PATCH], Operations: operations });
const addMember = (id: string | undefined) => patch({ op: 'add', path: 'members', value: [{ value: id }] });

async function createUser(userName: string, persona?: string): Promise<string> {
  const created = await t.client.request('POST', '/Users', userBody(userName, { password: PASSWORD, emails: [{ value: userName, primary: true }] }));
  expect(created.status).toBe(201);
  if (persona) expect((await t.client.request('PATCH', `/Groups/${personas[persona]}`, addMember(created.body.id))).status).toBe(204);
  return created.body.id;
}

async function signIn(userName: string, password = PASSWORD): Promise<string> {
  const session = await postJson(t.app, '/auth/login', { tenant: 'acme', userName, password });
  expect(session.status).toBe(200);
  return session.body.token;
}

async function membersOf(group: string): Promise<string[]> {
  const got = await t.client.request('GET', `/Groups/${personas[group]}`);
  return (got.body.members ?? []).map((m: { value: string }) => m.value).sort();
}

function expectForbidden(response: { status: number; body: { detail?: string; status?: string } }, permission?: string): void {
  expect(response.status).toBe(403);
  expect(response.body.status).toBe('403');
  expect(response.body.detail).toMatch(permission ? new RegExp(`"${permission}"`) : /"[a-z]+:[a-z]+"/);
}

beforeAll(async () => {
  t = await createTestContext();
  const helpdesk = await t.client.request('POST', '/Groups', groupBody('Helpdesk', { [PERSONA]: { permissions: ['users:read', 'users:write'] } }));
  expect(helpdesk.status).toBe(201);
  const groups = await t.client.request('GET', '/Groups?count=100');
  personas = Object.fromEntries(groups.body.Resources.map((g: { displayName: string; id: string }) => [g.displayName, g.id]));
  ids.boss = await createUser('boss@example.com', 'Administrator');
  ids.boss2 = await createUser('boss2@example.com', 'Administrator');
  ids.helper = await createUser('helper@example.com', 'Helpdesk');
  ids.plain = await createUser('plain@example.com');
  ids.payer = await createUser('payer@example.com', 'Billing');
  helper = await signIn('helper@example.com');
  boss = await signIn('boss@example.com');
});
afterAll(() => t.close());

describe('the Administrator persona', () => {
  it('holds every permission of the default personas', async () => {
    const admin = await t.client.request('GET', `/Groups/${personas.Administrator}`);
    expect([...admin.body[PERSONA].permissions].sort()).toEqual(ALL_PERMISSIONS);
  });
});

describe('a users:read + users:write persona that is not Administrator cannot escalate', () => {
  it('cannot add itself to the Administrator persona', async () => {
    expectForbidden(await scim('PATCH', `/Groups/${personas.Administrator}`, helper, addMember(ids.helper)));
    expect(await membersOf('Administrator')).not.toContain(ids.helper);
  });

  it('cannot add itself to Administrator with PUT either, nor by nesting its own persona in it', async () => {
    const admin = await t.client.request('GET', `/Groups/${personas.Administrator}`);
    const body = { ...admin.body, members: [...admin.body.members, { value: ids.helper }] };
    expectForbidden(await scim('PUT', `/Groups/${personas.Administrator}`, helper, body));
    expectForbidden(await scim('PATCH', `/Groups/${personas.Administrator}`, helper, addMember(personas.Helpdesk)));
    expect(await membersOf('Administrator')).toEqual([ids.boss, ids.boss2].sort());
  });

  it('cannot give itself a persona through its own User\'s groups, which are read-only', async () => {
    const response = await scim('PATCH', `/Users/${ids.helper}`, helper, patch({ op: 'add', path: 'groups', value: [{ value: personas.Administrator }] }));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(await membersOf('Administrator')).not.toContain(ids.helper);
  });

  it('cannot add billing:pay to its own persona', async () => {
    const response = await scim('PATCH', `/Groups/${personas.Helpdesk}`, helper, patch({ op: 'add', path: `${PERSONA}:permissions`, value: ['billing:pay'] }));
    expectForbidden(response, 'billing:pay');
    const helpdesk = await t.client.request('GET', `/Groups/${personas.Helpdesk}`);
    expect(helpdesk.body[PERSONA].permissions).toEqual(['users:read', 'users:write']);
  });

  it('cannot create a persona with permissions it does not hold', async () => {
    expectForbidden(await scim('POST', '/Groups', helper, groupBody('Payers', { [PERSONA]: { permissions: ['billing:pay'] } })), 'billing:pay');
  });

  it('cannot set an Administrator\'s password and sign in as them', async () => {
    const response = await scim('PATCH', `/Users/${ids.boss}`, helper, patch({ op: 'replace', path: 'password', value: 'helper knows this one now' }));
    expectForbidden(response);
    expect((await postJson(t.app, '/auth/login', { tenant: 'acme', userName: 'boss@example.com', password: 'helper knows this one now' })).status).toBe(401);
    const user = await t.client.request('GET', `/Users/${ids.boss}`);
    expectForbidden(await scim('PUT', `/Users/${ids.boss}`, helper, { ...user.body, password: 'helper knows this one now' }));
    expectForbidden(await scim('POST', `/Users/${ids.boss}/temporary-password`, helper, { password: 'helper knows this one now' }));
  });

  it('cannot change another Administrator\'s e-mail to its own and send it a reset mail', async () => {
    const response = await scim('PATCH', `/Users/${ids.boss2}`, helper, patch({ op: 'replace', path: 'emails', value: [{ value: 'helper@example.com', primary: true }] }));
    expectForbidden(response);
    expectForbidden(await scim('POST', `/Users/${ids.boss2}/password-reset`, helper));
    expectForbidden(await scim('POST', `/Users/${ids.boss2}/welcome-email`, helper));
    const mail = await t.store.query<{ recipient: string }>(`select recipient from outbox where tenant_id = $1 and recipient = 'helper@example.com'`, [t.client.tenantId]);
    expect(mail).toEqual([]);
  });

  it('cannot lock or delete an Administrator, nor a user with permissions it does not hold', async () => {
    expectForbidden(await scim('PATCH', `/Users/${ids.boss2}`, helper, patch({ op: 'replace', path: 'active', value: false })));
    expectForbidden(await scim('DELETE', `/Users/${ids.boss2}`, helper));
    expectForbidden(await scim('PATCH', `/Users/${ids.payer}`, helper, patch({ op: 'replace', path: 'displayName', value: 'x' })), 'billing:(read|pay)');
    expect((await t.client.request('GET', `/Users/${ids.boss2}`)).body.active).toBe(true);
  });

  it('cannot escalate through Bulk: each operation is checked the same way', async () => {
    const response = await scim('POST', '/Bulk', helper, {
      schemas: [BULK],
      Operations: [
        { method: 'PATCH', path: `/Groups/${personas.Administrator}`, data: addMember(ids.helper) },
        { method: 'PATCH', path: `/Users/${ids.boss}`, data: patch({ op: 'replace', path: 'password', value: 'helper knows this one now' }) },
        { method: 'PATCH', path: `/Users/${ids.plain}`, data: patch({ op: 'replace', path: 'displayName', value: 'Plain' }) },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.Operations.map((op: { status: string }) => op.status)).toEqual(['403', '403', '200']);
    expect(await membersOf('Administrator')).not.toContain(ids.helper);
  });

  it('still manages users who hold nothing it lacks, and gives its own persona', async () => {
    expect((await scim('PATCH', `/Users/${ids.plain}`, helper, patch({ op: 'replace', path: 'displayName', value: 'Plainer' }))).status).toBe(200);
    expect((await scim('PATCH', `/Groups/${personas.Helpdesk}`, helper, addMember(ids.plain))).status).toBe(204);
    expect((await scim('POST', `/Users/${ids.plain}/password-reset`, helper)).status).toBe(202);
    expect((await scim('PATCH', `/Groups/${personas.Helpdesk}`, helper, patch({ op: 'remove', path: `members[value eq "${ids.plain}"]` }))).status).toBe(204);
  });

  it('cannot take a persona away from a user it may not act on', async () => {
    expectForbidden(await scim('PATCH', `/Groups/${personas.Billing}`, helper, patch({ op: 'remove', path: `members[value eq "${ids.payer}"]` })));
    expect(await membersOf('Billing')).toContain(ids.payer);
  });
});

describe('an Administrator manages everyone', () => {
  it('gives any persona, sets any user\'s password, adds a permission it holds', async () => {
    expect((await scim('PATCH', `/Groups/${personas.Billing}`, boss, addMember(ids.plain))).status).toBe(204);
    expect((await scim('PATCH', `/Users/${ids.payer}`, boss, patch({ op: 'replace', path: 'password', value: 'violet harbour lantern 42' }))).status).toBe(200);
    expect((await scim('PATCH', `/Groups/${personas.Helpdesk}`, boss, patch({ op: 'add', path: `${PERSONA}:permissions`, value: ['reports:read'] }))).status).toBe(204);
    expect((await scim('PATCH', `/Users/${ids.boss2}`, boss, patch({ op: 'replace', path: 'displayName', value: 'Boss Two' }))).status).toBe(200);
  });

  it('cannot add a permission outside everything it holds', async () => {
    const response = await scim('PATCH', `/Groups/${personas.Helpdesk}`, boss, patch({ op: 'add', path: `${PERSONA}:permissions`, value: ['rockets:launch'] }));
    expectForbidden(response, 'rockets:launch');
  });

  it('API tokens keep full power', async () => {
    expect((await t.client.request('PATCH', `/Groups/${personas.Helpdesk}`, patch({ op: 'add', path: `${PERSONA}:permissions`, value: ['rockets:launch'] }))).status).toBe(204);
  });
});
