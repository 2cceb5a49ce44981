// Deactivate is no lock: POST /Users/{id}/deactivate sets active false with lockReason "deactivated", a portal
// administrator's Unlock (PATCH active: true) does not undo it, /reactivate does; an identity provider's active:false
// stays "provisioning". The list filters by lockReason, the history says who, events fire on the flips, and the user
// who knows the password is told why sign-in is refused. POST /auth/link checks a link without using it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCIM_EVENT } from '../../src/scim/events/index.js';
import { createTestContext, requestFrom, userBody, type TestContext } from '../helpers/app.js';
import { clearEvents, eventsOf, insertStream } from '../events/helpers.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const PASSWORD = 'correct horse battery staple';

let t: TestContext;
let adminToken: string;

const request = (method: string, path: string, body?: unknown, token?: string) =>
  requestFrom(t.app, method, path, body, { token, address: '198.51.100.1' });
const asAdmin = (method: string, path: string, body?: unknown) => request(method, `/scim/v2${path}`, body, adminToken);
const login = (userName: string, password: string) => request('POST', '/auth/login', { tenant: 'acme', userName, password });
const setActive = (active: boolean) => ({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: active }] });

async function createUser(userName: string): Promise<string> {
  const created = await t.client.request('POST', '/Users', userBody(userName, { password: PASSWORD }));
  expect(created.status).toBe(201);
  return created.body.id;
}

async function state(id: string): Promise<[boolean, string | undefined]> {
  const user = await t.client.request('GET', `/Users/${id}`);
  return [user.body.active, user.body[ACCOUNT].lockReason];
}

beforeAll(async () => {
  t = await createTestContext({ limits: { authFailuresPerMinute: 1000 }, auth: { throttleThreshold: 100 } });
  const groups = await t.client.request('GET', '/Groups?count=100');
  const admins = groups.body.Resources.find((g: { displayName: string }) => g.displayName === 'Administrator').id;
  const adminId = await createUser('the.admin@example.com');
  await t.client.request('PATCH', `/Groups/${admins}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: adminId }] }] });
  adminToken = (await login('the.admin@example.com', PASSWORD)).body.token;
});
afterAll(() => t.close());

describe('deactivate and reactivate', () => {
  it('deactivates with its own reason; Unlock refuses it; Reactivate undoes it; the history names who', async () => {
    const id = await createUser('leaver@example.com');
    expect((await asAdmin('POST', `/Users/${id}/deactivate`)).status).toBe(204);
    expect(await state(id)).toEqual([false, 'deactivated']);

    const unlock = await asAdmin('PATCH', `/Users/${id}`, setActive(true));
    expect(unlock.status).toBe(409);
    expect(unlock.body.detail).toContain('deactivated, not locked');
    expect(await state(id)).toEqual([false, 'deactivated']);

    expect((await asAdmin('POST', `/Users/${id}/reactivate`)).status).toBe(204);
    expect(await state(id)).toEqual([true, undefined]);

    const history = await t.client.request('GET', `/Users/${id}/History?count=50`);
    expect(history.status).toBe(200);
    const events = history.body.Resources.map((e: Record<string, unknown>) => [e.event, e.newValue ?? e.oldValue]);
    expect(events).toContainEqual(['locked', 'Deactivated by an administrator']);
    expect(events).toContainEqual(['unlocked', 'Deactivated by an administrator']);
  });

  it('turns a lock into a deactivation; a lock (PATCH active false by a session) stays admin; the IdP\'s stays provisioning', async () => {
    const locked = await createUser('locked@example.com');
    expect((await asAdmin('PATCH', `/Users/${locked}`, setActive(false))).status).toBe(200);
    expect(await state(locked)).toEqual([false, 'admin']);
    expect((await asAdmin('POST', `/Users/${locked}/deactivate`)).status).toBe(204);
    expect(await state(locked)).toEqual([false, 'deactivated']);
    // Deactivating again changes nothing.
    expect((await asAdmin('POST', `/Users/${locked}/deactivate`)).status).toBe(204);
    expect(await state(locked)).toEqual([false, 'deactivated']);

    const byIdp = await createUser('idp-off@example.com');
    expect((await t.client.request('PATCH', `/Users/${byIdp}`, setActive(false))).status).toBe(200);
    expect(await state(byIdp)).toEqual([false, 'provisioning']);
    // An administrator may still unlock what the identity provider turned off (as before).
    const admin = await createUser('admin-locked@example.com');
    expect((await asAdmin('PATCH', `/Users/${admin}`, setActive(false))).status).toBe(200);
    expect((await asAdmin('PATCH', `/Users/${admin}`, setActive(true))).status).toBe(200);
    expect(await state(admin)).toEqual([true, undefined]);
  });

  it('lets the list filter Active, Locked and Deactivated by lockReason', async () => {
    const filter = async (expression: string) => {
      const page = await t.client.request('GET', `/Users?count=200&filter=${encodeURIComponent(expression)}`);
      expect(page.status).toBe(200);
      return new Set<string>(page.body.Resources.map((u: { userName: string }) => u.userName));
    };
    const deactivated = await filter(`${ACCOUNT}:lockReason eq "deactivated" or ${ACCOUNT}:lockReason eq "provisioning"`);
    expect(deactivated.has('locked@example.com')).toBe(true);
    expect(deactivated.has('idp-off@example.com')).toBe(true);
    expect(deactivated.has('the.admin@example.com')).toBe(false);
    const lockedOnes = await createUser('locked2@example.com');
    await asAdmin('PATCH', `/Users/${lockedOnes}`, setActive(false));
    const locked = await filter(`${ACCOUNT}:lockReason eq "admin" or ${ACCOUNT}:lockReason eq "failedLogins"`);
    expect([...locked]).toEqual(['locked2@example.com']);
    const active = await filter('active eq true');
    expect(active.has('locked2@example.com') || active.has('locked@example.com')).toBe(false);
    expect(active.has('the.admin@example.com')).toBe(true);
  });

  it('answers 404 for an unknown user, and 403 without users:write', async () => {
    expect((await asAdmin('POST', '/Users/00000000-0000-4000-8000-000000000000/deactivate')).status).toBe(404);
    const id = await createUser('reader@example.com');
    const session = (await login('reader@example.com', PASSWORD)).body.token;
    expect((await request('POST', `/scim/v2/Users/${id}/deactivate`, undefined, session)).status).toBe(403);
    expect(await state(id)).toEqual([true, undefined]);
  });
});

describe('SCIM events (RFC 9967) of deactivate and reactivate', () => {
  it('fire deactivate and activate on the flips, and nothing for a lock turned into a deactivation', async () => {
    await insertStream(t.store, t.client.tenantId);
    const types = async () => (await eventsOf(t.store, t.client.tenantId)).map((e) => e.event_type);
    const id = await createUser('evented@example.com');
    await clearEvents(t.store, t.client.tenantId);
    expect((await asAdmin('POST', `/Users/${id}/deactivate`)).status).toBe(204);
    expect(await types()).toEqual([SCIM_EVENT.deactivate, SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
    await clearEvents(t.store, t.client.tenantId);
    expect((await asAdmin('POST', `/Users/${id}/reactivate`)).status).toBe(204);
    expect(await types()).toEqual([SCIM_EVENT.activate, SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);

    await asAdmin('PATCH', `/Users/${id}`, setActive(false));
    await clearEvents(t.store, t.client.tenantId);
    expect((await asAdmin('POST', `/Users/${id}/deactivate`)).status).toBe(204);
    expect(await types()).toEqual([]);
  });
});

describe('sign-in of an inactive account', () => {
  it('tells the one who knows the password that the account is deactivated or locked; a wrong password learns nothing', async () => {
    const off = await createUser('off@example.com');
    await asAdmin('POST', `/Users/${off}/deactivate`);
    const wrong = await login('off@example.com', 'not the password');
    const unknown = await login('nobody-at-all@example.com', 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    const right = await login('off@example.com', PASSWORD);
    expect(right.status).toBe(403);
    expect(right.body.error).toBe('account_deactivated');
    expect(right.body.detail).toBe('Your account is deactivated. Contact your administrator if you need access again.');

    const locked = await createUser('held@example.com');
    await asAdmin('PATCH', `/Users/${locked}`, setActive(false));
    const held = await login('held@example.com', PASSWORD);
    expect([held.status, held.body.error, held.body.detail]).toEqual([403, 'account_locked', 'Your account is locked. Contact your administrator to unlock it.']);
  });
});

describe('POST /auth/link', () => {
  it('says whether a reset link works, without using it, and names the organization', async () => {
    const created = await t.client.request('POST', '/Users', userBody('linked@example.com', { emails: [{ value: 'linked@example.com', primary: true }] }));
    const id = created.body.id as string;
    expect((await asAdmin('POST', `/Users/${id}/password-reset`)).status).toBe(202);
    const rows = await t.store.query<{ text_body: string }>("select text_body from outbox where user_id = $1 and kind = 'reset'", [id]);
    const link = /http:\/\/usher\.test\/reset\?token=([A-Za-z0-9_%-]+)&org=acme/.exec(rows[0]!.text_body);
    expect(link).not.toBeNull();
    const token = decodeURIComponent(link![1]!);
    for (let i = 0; i < 2; i++) {
      const checked = await request('POST', '/auth/link', { token });
      expect([checked.status, checked.body]).toEqual([200, { purpose: 'reset', organization: 'acme' }]);
    }
    expect((await request('POST', '/auth/reset', { token, newPassword: 'a brand new passphrase 42' })).status).toBe(204);
    const spent = await request('POST', '/auth/link', { token });
    expect([spent.status, spent.body.error]).toEqual([400, 'invalid_token']);
    expect((await request('POST', '/auth/link', { token: 'made-up' })).status).toBe(400);
  });
});
