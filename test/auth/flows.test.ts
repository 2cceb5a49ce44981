// Portal sign-in through the app: personas grant permissions, sessions carry them, lockout, /Me, password change, logout.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS } from '../../src/auth/permissions.js';
import { createTestContext, groupBody, postJson, scimRequest, type TestContext, userBody } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const PASSWORD = 'correct horse battery staple';

let t: TestContext;
let personas: Record<string, string>;

const post = (path: string, body: unknown, token?: string) => postJson(t.app, path, body, token);

const scim = (method: string, path: string, token: string, body?: unknown) => scimRequest(t.app, token, method, path, body);

async function createUser(userName: string, persona?: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await t.client.request('POST', '/Users', userBody(userName, { password: PASSWORD, displayName: userName.split('@')[0], ...extra }));
  expect(created.status).toBe(201);
  if (persona) {
    const added = await t.client.request('PATCH', `/Groups/${personas[persona]}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: created.body.id }] }],
    });
    expect(added.status).toBe(204);
  }
  return created.body.id;
}

const login = (userName: string, password = PASSWORD) => post('/auth/login', { tenant: 'acme', userName, password });

beforeAll(async () => {
  t = await createTestContext({ auth: { lockoutThreshold: 3, lockoutSeconds: 0 } });
  const groups = await t.client.request('GET', '/Groups?count=100');
  personas = Object.fromEntries(groups.body.Resources.map((g: { displayName: string; id: string }) => [g.displayName, g.id]));
});
afterAll(() => t.close());

describe('personas', () => {
  it('every new tenant starts with the portals\' eight, with descriptions and permissions', async () => {
    expect(Object.keys(personas).sort()).toEqual(
      ['Administrator', 'Bandwidth On Demand', 'Billing', 'Network Admin', 'Order Management', 'Reporting', 'Sales', 'Trouble Management and Repair'].sort(),
    );
    const admin = await t.client.request('GET', `/Groups/${personas.Administrator}`);
    // The Administrator holds every permission of the other personas, so it may act on any user (see privilege.test.ts).
    expect(admin.body[PERSONA]).toMatchObject({ description: expect.any(String), permissions: ALL_PERMISSIONS });
    const byPermission = await t.client.request('GET', `/Groups?filter=${encodeURIComponent(`${PERSONA}:permissions eq "users:write"`)}`);
    expect(byPermission.body.Resources.map((g: { displayName: string }) => g.displayName)).toEqual(['Administrator']);
  });
});

describe('sessions carry the permissions of the user\'s personas', () => {
  it('an Administrator reads and writes users; /Me is the user', async () => {
    const id = await createUser('admin.one@example.com', 'Administrator');
    const session = await login('ADMIN.ONE@example.com');
    expect(session.status).toBe(200);
    expect(session.body).toMatchObject({ token: expect.stringMatching(/^usess_/), expiresAt: expect.any(String), user: { id, userName: 'admin.one@example.com', displayName: 'admin.one' } });
    expect(session.headers.get('cache-control')).toBe('no-store');
    const me = await scim('GET', '/Me', session.body.token);
    expect([me.status, me.body.id]).toEqual([200, id]);
    expect(me.body[ACCOUNT].lastLogin).toEqual(expect.any(String));
    expect((await scim('GET', '/Users?count=1', session.body.token)).status).toBe(200);
    const created = await scim('POST', '/Users', session.body.token, userBody('made.by.admin@example.com'));
    expect(created.status).toBe(201);

    const who = await t.app.request('/auth/session', { headers: { Authorization: `Bearer ${session.body.token}` } });
    expect(who.status).toBe(200);
    expect(who.headers.get('cache-control')).toBe('no-store');
    expect(await who.json()).toEqual({
      user: { id, userName: 'admin.one@example.com', displayName: 'admin.one' },
      permissions: ALL_PERMISSIONS,
      expiresAt: session.body.expiresAt,
      mfa: { enabled: false, required: false, recoveryCodesLeft: 0 },
    });
    expect((await t.app.request('/auth/session')).status).toBe(401);
    expect((await t.app.request('/auth/session', { headers: { Authorization: `Bearer ${t.client.token}` } })).status).toBe(401);
  });

  it('a user whose personas grant neither gets 403 on users, and still reads /Me', async () => {
    const id = await createUser('billing.one@example.com', 'Billing');
    const { token } = (await login('billing.one@example.com')).body;
    expect((await scim('GET', '/Users', token)).status).toBe(403);
    expect((await scim('GET', `/Users/${id}`, token)).status).toBe(403);
    expect((await scim('POST', '/Groups', token, groupBody('Nope'))).status).toBe(403);
    const denied = await scim('POST', '/Bulk', token, { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: [] });
    expect(denied.status).toBe(403);
    expect(denied.body.detail).toContain('users:write');
    expect((await scim('GET', '/Me', token)).body.id).toBe(id);
    expect((await scim('GET', '/ServiceProviderConfig', token)).status).toBe(200);
  });

  it('permissions come through nested groups too', async () => {
    const id = await createUser('nested.reader@example.com');
    const team = await t.client.request('POST', '/Groups', groupBody('Readers Team', { members: [{ value: id }] }));
    const readers = await t.client.request('POST', '/Groups', groupBody('Readers', { [PERSONA]: { permissions: ['users:read'] }, members: [{ value: team.body.id }], schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', PERSONA] }));
    expect(readers.status).toBe(201);
    const { token } = (await login('nested.reader@example.com')).body;
    expect((await scim('GET', '/Users', token)).status).toBe(200);
    expect((await scim('DELETE', `/Users/${id}`, token)).status).toBe(403);
  });

  it('/Me with an API token is 501: a token is not a user', async () => {
    expect((await t.client.request('GET', '/Me')).status).toBe(501);
  });
});

describe('login refusals say nothing about why', () => {
  // The right password of an inactive account is told why (403 account_deactivated): see test/resources/deactivate.test.ts.
  it('unknown user, wrong password and inactive user with a wrong password get the same 401', async () => {
    await createUser('inactive@example.com', undefined, { active: false });
    await createUser('known@example.com');
    const answers = await Promise.all([
      login('nobody@example.com'),
      login('known@example.com', 'wrong password!!'),
      login('inactive@example.com', 'wrong password!!'),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(answers[0]!.body);
    }
    expect((await post('/auth/login', { tenant: 'no-such-tenant', userName: 'known@example.com', password: PASSWORD })).body).toEqual(answers[0]!.body);
  });

  it('bad bodies are 400', async () => {
    expect((await post('/auth/login', { tenant: 'acme' })).status).toBe(400);
    const raw = await t.app.request('/auth/login', { method: 'POST', body: '{not json' });
    expect(raw.status).toBe(400);
  });
});

describe('lockout after failed logins (threshold 3, until an administrator unlocks)', () => {
  it('locks, reads as inactive with the reason, refuses the right password, and an admin\'s active: true unlocks', async () => {
    const id = await createUser('forgetful@example.com');
    for (let i = 0; i < 3; i++) expect((await login('forgetful@example.com', `wrong password ${i}!`)).status).toBe(401);
    expect((await login('forgetful@example.com')).status).toBe(401);
    const locked = await t.client.request('GET', `/Users/${id}`);
    expect(locked.body.active).toBe(false);
    expect(locked.body[ACCOUNT]).toMatchObject({ lockReason: 'failedLogins', failedLogins: 3 });
    const inactive = await t.client.request('GET', `/Users?filter=${encodeURIComponent(`active eq false and ${ACCOUNT}:lockReason eq "failedLogins"`)}`);
    expect(inactive.body.Resources.map((u: { id: string }) => u.id)).toContain(id);

    const unlock = await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] });
    expect(unlock.body.active).toBe(true);
    expect(unlock.body[ACCOUNT].failedLogins).toBe(0);
    expect(unlock.body[ACCOUNT].lockReason).toBeUndefined();
    expect((await login('forgetful@example.com')).status).toBe(200);

    const history = await t.store.query<{ event: string; actor: string }>('select event, actor from history where resource_id = $1 order by seq', [id]);
    expect(history.map((h) => h.event)).toContain('lockedOut');
  });

  it('an administrator\'s lock says so, and ends the user\'s sessions at once', async () => {
    const id = await createUser('to.lock@example.com', 'Administrator');
    const { token } = (await login('to.lock@example.com')).body;
    const admin = await createUser('the.admin@example.com', 'Administrator');
    const adminToken = (await login('the.admin@example.com')).body.token;
    const locked = await scim('PATCH', `/Users/${id}`, adminToken, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(locked.body[ACCOUNT].lockReason).toBe('admin');
    expect((await scim('GET', '/Me', token)).status).toBe(401);
    const byToken = await t.client.request('PATCH', `/Users/${admin}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(byToken.body[ACCOUNT].lockReason).toBe('provisioning');
  });
});

describe('password changes and sessions', () => {
  it('a signed-in user changes its password: a fresh session, the old one ends, the policy applies', async () => {
    await createUser('changer@example.com');
    const first = (await login('changer@example.com')).body.token;
    const weak = await post('/auth/password', { currentPassword: PASSWORD, newPassword: 'short' }, first);
    expect([weak.status, weak.body.error]).toEqual([400, 'weak_password']);
    expect(weak.body.detail).toContain('12 characters');
    const named = await post('/auth/password', { currentPassword: PASSWORD, newPassword: 'my name is changer, ok?' }, first);
    expect(named.body.detail).toContain('user name');
    const wrong = await post('/auth/password', { currentPassword: 'not my password', newPassword: 'a much better passphrase' }, first);
    expect(wrong.status).toBe(401);
    const changed = await post('/auth/password', { currentPassword: PASSWORD, newPassword: 'a much better passphrase' }, first);
    expect(changed.status).toBe(200);
    expect(changed.body.token).not.toBe(first);
    expect((await scim('GET', '/Me', first)).status).toBe(401);
    expect((await scim('GET', '/Me', changed.body.token)).status).toBe(200);
    expect((await login('changer@example.com')).status).toBe(401);
    expect((await login('changer@example.com', 'a much better passphrase')).status).toBe(200);
  });

  it('logout ends the session', async () => {
    await createUser('leaver@example.com');
    const { token } = (await login('leaver@example.com')).body;
    expect((await post('/auth/logout', {}, token)).status).toBe(204);
    expect((await scim('GET', '/Me', token)).status).toBe(401);
    expect((await post('/auth/logout', {}, token)).status).toBe(401);
  });

  it('a temporary password forces a change before any session', async () => {
    const id = await createUser('temporary@example.com');
    await t.store.query('update users set password_change_required = true where id = $1', [id]);
    const refused = await login('temporary@example.com');
    expect([refused.status, refused.body.error]).toEqual([403, 'password_change_required']);
    expect(refused.body.changeToken).toEqual(expect.any(String));
    expect(refused.body.token).toBeUndefined();
    const changed = await post('/auth/password', { changeToken: refused.body.changeToken, newPassword: 'brand new passphrase' });
    expect(changed.status).toBe(200);
    expect((await post('/auth/password', { changeToken: refused.body.changeToken, newPassword: 'another new passphrase' })).status).toBe(401);
    const me = await scim('GET', '/Me', changed.body.token);
    expect(me.body[ACCOUNT].passwordChangeRequired).toBe(false);
  });
});
