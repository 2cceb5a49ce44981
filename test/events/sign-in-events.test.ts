// What sign-in does to an account, as SCIM events (RFC 9967): a new password is a patch notice naming it; a lock until
// an administrator unlocks deactivates the user; a lockout that ends by itself says nothing.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SCIM_EVENT } from '../../src/scim/events/index.js';
import { createTestContext, requestFrom, userBody, type TestContext } from '../helpers/app.js';
import { clearEvents, eventsOf, insertStream, membersOf } from './helpers.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another horse battery staple 2026';

function context(lockoutSeconds: number) {
  return createTestContext({
    auth: { lockoutThreshold: 3, lockoutSeconds, throttleThreshold: 100, throttleSeconds: 1, throttleMaxSeconds: 1 },
    limits: { authFailuresPerMinute: 1000 },
  });
}

const login = (t: TestContext, userName: string, password: string) =>
  requestFrom(t.app, 'POST', '/auth/login', { tenant: 'acme', userName, password }, { address: '198.51.100.1' });

describe('a lock until an administrator unlocks (no lockout duration)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await context(0);
    await insertStream(t.store, t.client.tenantId);
  });
  afterAll(() => t.close());

  it('deactivates the user: deactivate, and the patch notice and full form naming active, in the failed sign-in\'s transaction', async () => {
    const created = await t.client.request('POST', '/Users', userBody('locked@example.com', { externalId: 'lk', password: PASSWORD }));
    const id = created.body.id;
    await clearEvents(t.store, t.client.tenantId);
    for (let i = 0; i < 2; i++) expect((await login(t, 'locked@example.com', `guess ${i}`)).status).toBe(401);
    expect(await eventsOf(t.store, t.client.tenantId)).toEqual([]);
    const last = await login(t, 'locked@example.com', 'guess 2');
    expect(last.status).toBe(401);
    const list = await eventsOf(t.store, t.client.tenantId);
    expect(list.map((e) => e.event_type)).toEqual([SCIM_EVENT.deactivate, SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
    expect(list[0]!.subject).toEqual({ format: 'scim', uri: `/Users/${id}`, externalId: 'lk' });
    expect(membersOf(list[0]!)).toEqual({});
    expect(membersOf(list[1]!)).toEqual({ attributes: ['active'] });
    const read = await t.client.request('GET', `/Users/${id}`);
    expect(read.body.active).toBe(false);
    expect(membersOf(list[2]!).data).toEqual(read.body);
    expect(new Set(list.map((e) => e.txn))).toEqual(new Set([last.headers.get('x-request-id')]));

    // The administrator's unlock (PATCH active true) activates it again.
    await clearEvents(t.store, t.client.tenantId);
    await t.client.request('PATCH', `/Users/${id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'active', value: true }] });
    const unlocked = await eventsOf(t.store, t.client.tenantId);
    expect(unlocked.map((e) => e.event_type)).toEqual([SCIM_EVENT.activate, SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
    expect(membersOf(unlocked[1]!).attributes).toEqual(['active']);
  });
});

describe('a timed lockout, and a password changed at sign-in', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await context(15 * 60);
    await insertStream(t.store, t.client.tenantId);
  });
  afterAll(() => t.close());
  beforeEach(() => clearEvents(t.store, t.client.tenantId));

  it('a lockout that ends by itself writes no event (no activation could follow its deactivation)', async () => {
    await t.client.request('POST', '/Users', userBody('timed@example.com', { password: PASSWORD }));
    await clearEvents(t.store, t.client.tenantId);
    for (let i = 0; i < 3; i++) await login(t, 'timed@example.com', `guess ${i}`);
    const [row] = await t.store.query<{ locked_until: Date | null }>('select locked_until from users where user_name = $1', ['timed@example.com']);
    expect(row!.locked_until).not.toBeNull();
    expect(await eventsOf(t.store, t.client.tenantId)).toEqual([]);
  });

  it('a user who changes its own password: a patch notice naming password, never a value', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('changer@example.com', { password: PASSWORD }))).body.id;
    const session = (await login(t, 'changer@example.com', PASSWORD)).body.token;
    await clearEvents(t.store, t.client.tenantId);
    const changed = await requestFrom(t.app, 'POST', '/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { token: session, address: '198.51.100.1' });
    expect(changed.status).toBe(200);
    const list = await eventsOf(t.store, t.client.tenantId);
    expect(list.map((e) => e.event_type)).toEqual([SCIM_EVENT.patchNotice]);
    expect(list[0]!.subject).toEqual({ format: 'scim', uri: `/Users/${id}` });
    expect(membersOf(list[0]!)).toEqual({ attributes: ['password'] });
    expect(list[0]!.txn).toBe(changed.headers.get('x-request-id'));
    expect(JSON.stringify(list)).not.toContain(NEW_PASSWORD);
  });

  it('a wrong current password changes nothing and writes nothing', async () => {
    await t.client.request('POST', '/Users', userBody('wrong@example.com', { password: PASSWORD }));
    const session = (await login(t, 'wrong@example.com', PASSWORD)).body.token;
    await clearEvents(t.store, t.client.tenantId);
    const refused = await requestFrom(t.app, 'POST', '/auth/password', { currentPassword: 'not it', newPassword: NEW_PASSWORD }, { token: session, address: '198.51.100.1' });
    expect(refused.status).toBeGreaterThanOrEqual(400);
    expect(await eventsOf(t.store, t.client.tenantId)).toEqual([]);
  });
});
