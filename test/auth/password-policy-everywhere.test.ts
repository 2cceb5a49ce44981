// One password policy on every path that sets a password (SCIM POST/PUT/PATCH and Bulk, with an API token or an
// administrator's session; temporary passwords; /auth/password; /auth/reset), what any password change does
// (other sessions end, every link is void, history, a notice), and temporary passwords that expire.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, PUBLIC_URL, userBody, type TestContext } from '../helpers/app.js';

const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const HOUR = 3_600_000;

let t: TestContext;
let offsetMs = 0;
let administrator: string;
let adminSession: string;
let serial = 0;

beforeAll(async () => {
  t = await createTestContext({ clock: () => new Date(Date.now() + offsetMs), auth: { temporaryPasswordSeconds: 72 * 3600 } });
  const groups = await t.client.request('GET', '/Groups?count=100');
  administrator = groups.body.Resources.find((g: { displayName: string }) => g.displayName === 'Administrator').id;
  const admin = await newUser('root-admin', 'lantern orchard velvet cascade');
  await t.client.request('PATCH', `/Groups/${administrator}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: admin }] }] });
  adminSession = (await login('root-admin', 'lantern orchard velvet cascade')).body.token;
});
afterAll(async () => {
  await t?.close();
});

async function call(method: string, path: string, body?: unknown, token?: string) {
  const response = await t.app.request(path, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

const login = (userName: string, password: string) => call('POST', '/auth/login', { tenant: 'acme', userName, password });

/** A user with an e-mail address (so that it is sent notices) and, when given, a password; returns its id. */
async function newUser(userName: string, password?: string): Promise<string> {
  const created = await t.client.request(
    'POST',
    '/Users',
    userBody(userName, { emails: [{ value: `${userName}@acme.example`, primary: true }], ...(password ? { password } : {}) }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.id;
}

const fresh = (stem: string) => `${stem}-${++serial}`;

async function mails(userId: string): Promise<{ kind: string; text_body: string }[]> {
  return t.store.query('select kind, text_body from outbox where tenant_id = $1 and user_id = $2 order by created_at', [t.client.tenantId, userId]);
}

async function resetLinkOf(userId: string): Promise<string> {
  const reset = await call('POST', `/scim/v2/Users/${userId}/password-reset`, undefined, adminSession);
  expect(reset.status).toBe(202);
  const mail = (await mails(userId)).filter((m) => m.kind === 'reset').at(-1)!;
  return decodeURIComponent(new RegExp(`${PUBLIC_URL}/reset\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text_body)![1]!);
}

const patchPassword = (password: string) => ({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'password', value: password }] });

describe('the policy on the SCIM path', () => {
  it('refuses PATCH password "x" with an API token (it used to be accepted and sign in)', async () => {
    const name = fresh('pat');
    const id = await newUser(name, 'quiet meadow lantern drift');
    const patched = await t.client.request('PATCH', `/Users/${id}`, patchPassword('x'));
    expect(patched.status).toBe(400);
    expect(patched.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue', detail: expect.stringContaining('at least 12 characters') });
    expect((await login(name, 'x')).status).toBe(401);
  });

  it('refuses a common password, or one close to it, on PATCH, PUT, POST and Bulk', async () => {
    const name = fresh('pcm');
    const id = await newUser(name, 'quiet meadow lantern drift');
    for (const weak of ['Password123!', 'qwertyuiop123', 'iloveyou2024', 'passwordpassword']) {
      const patched = await t.client.request('PATCH', `/Users/${id}`, patchPassword(weak));
      expect([patched.status, patched.body.scimType], weak).toEqual([400, 'invalidValue']);
      expect(patched.body.detail).toContain('too easy to guess');
    }
    const put = await t.client.request('PUT', `/Users/${id}`, userBody(name, { password: 'letmein12345' }));
    expect([put.status, put.body.scimType]).toEqual([400, 'invalidValue']);
    // A new user: refused from a portal session, as at the portal's "Add Account".
    const posted = await call('POST', '/scim/v2/Users', userBody(fresh('pcm'), { password: 'welcome12345' }), adminSession);
    expect([posted.status, posted.body.scimType]).toEqual([400, 'invalidValue']);
    const bulk = await call(
      'POST',
      '/scim/v2/Bulk',
      { schemas: [BULK], Operations: [{ method: 'POST', path: '/Users', bulkId: 'b1', data: userBody(fresh('pcm'), { password: 'admin1234567' }) }] },
      adminSession,
    );
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations[0].status).toBe('400');
    expect(bulk.body.Operations[0].response).toMatchObject({ scimType: 'invalidValue', detail: expect.stringContaining('too easy to guess') });
    expect((await login(name, 'quiet meadow lantern drift')).status).toBe(200);
  });

  it("creates an identity provider's new user without the placeholder password it sends when that breaks the policy", async () => {
    // Okta sends a password with every new user even when it syncs none, made to its own policy (its docs show
    // "1mz050nq"): the user is created, without it, and welcomed so that the person chooses a password.
    for (const [i, placeholder] of ['1mz050nq', 'welcome12345'].entries()) {
      const name = fresh(`okta${i}`);
      const created = await t.client.request('POST', '/Users', userBody(name, { password: placeholder, emails: [{ value: `${name}@acme.example`, primary: true }] }));
      expect(created.status).toBe(201);
      expect(created.body[ACCOUNT]).toMatchObject({ welcomeEmailSentAt: expect.any(String) });
      expect(created.body[ACCOUNT].passwordSetAt).toBeUndefined();
      expect((await login(name, placeholder)).status).toBe(401);
      expect((await mails(created.body.id)).map((m) => m.kind)).toEqual(['welcome']);
      const history = await t.client.request('GET', `/Users/${created.body.id}/History`);
      expect(history.body.Resources).toContainEqual(
        expect.objectContaining({ event: 'passwordNotSet', eventDescription: 'Password not set: it does not meet the password policy', attribute: 'password' }),
      );
      expect(JSON.stringify(history.body)).not.toContain(placeholder);
    }
    // In a Bulk too; and a password that meets the policy is set as before.
    const bulk = await t.client.request('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'p1', data: userBody(fresh('oktab'), { password: 'admin1234567' }) },
        { method: 'POST', path: '/Users', bulkId: 'p2', data: userBody(fresh('oktac'), { password: 'amber falcon quietly sings' }) },
      ],
    });
    expect(bulk.body.Operations.map((op: { status: string }) => op.status)).toEqual(['201', '201']);
    const strong = bulk.body.Operations[1].location.split('/').at(-1);
    expect((await t.client.request('GET', `/Users/${strong}`)).body[ACCOUNT].passwordSetAt).toEqual(expect.any(String));
  });

  it("refuses the user's name or e-mail local part, whatever the case, with an administrator's session too", async () => {
    const name = fresh('marguerite');
    const id = await newUser(name);
    const patched = await call('PATCH', `/scim/v2/Users/${id}`, patchPassword(`Blue ${name.toUpperCase()} river stone`), adminSession);
    expect([patched.status, patched.body.scimType]).toEqual([400, 'invalidValue']);
    expect(patched.body.detail).toContain('must not contain the user name');
    const weak = await call('PATCH', `/scim/v2/Users/${id}`, patchPassword('x'), adminSession);
    expect([weak.status, weak.body.scimType]).toEqual([400, 'invalidValue']);
    const good = await call('PATCH', `/scim/v2/Users/${id}`, patchPassword('copper kettle whistles at dawn'), adminSession);
    expect(good.status).toBe(200);
    expect((await login(name, 'copper kettle whistles at dawn')).status).toBe(200);
  });
});

describe('a password set through SCIM', () => {
  it('ends the open sessions, voids the reset link, is in history, and tells the user', async () => {
    const name = fresh('scimset');
    const id = await newUser(name, 'amber falcon river quartz');
    const session = (await login(name, 'amber falcon river quartz')).body.token;
    expect((await call('GET', '/auth/session', undefined, session)).status).toBe(200);
    const link = await resetLinkOf(id);

    const patched = await t.client.request('PATCH', `/Users/${id}`, patchPassword('granite willow ember harbor'));
    expect(patched.status).toBe(200);

    expect((await call('GET', '/auth/session', undefined, session)).status).toBe(401);
    // The old link would override what the identity provider set.
    const late = await call('POST', '/auth/reset', { token: link, newPassword: 'someone elses chosen phrase' });
    expect([late.status, late.body.error]).toEqual([400, 'invalid_token']);
    expect((await login(name, 'granite willow ember harbor')).status).toBe(200);
    const history = await t.client.request('GET', `/Users/${id}/History`);
    expect(history.body.Resources.map((e: { event: string }) => e.event)).toContain('passwordChanged');
    expect((await mails(id)).map((m) => m.kind)).toEqual(['reset', 'password-changed']);
  });

  it('over ACCOUNT_MAIL_LIMIT, the notice is left out and recorded as mailSkipped; the change is made', async () => {
    const name = fresh('limited');
    const id = await newUser(name, 'ember quill saddle harbor');
    for (let i = 0; i < 5; i++) expect((await call('POST', `/scim/v2/Users/${id}/password-reset`, undefined, adminSession)).status).toBe(202);
    expect((await t.client.request('PATCH', `/Users/${id}`, patchPassword('lilac summit ferret anchor'))).status).toBe(200);
    expect((await mails(id)).map((m) => m.kind)).toEqual(['reset', 'reset', 'reset', 'reset', 'reset']);
    const history = await t.client.request('GET', `/Users/${id}/History`);
    expect(history.body.Resources).toContainEqual(expect.objectContaining({ event: 'mailSkipped', attribute: 'password' }));
    expect((await login(name, 'lilac summit ferret anchor')).status).toBe(200);
  });

  it('refuses a session that sets its own password, a temporary one, a reset link or a second-factor reset through SCIM: 403 pointing to /auth', async () => {
    const name = fresh('selfset');
    const id = await newUser(name, 'mosaic tundra pepper lagoon');
    await t.client.request('PATCH', `/Groups/${administrator}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] });
    const mine = (await login(name, 'mosaic tundra pepper lagoon')).body.token;
    const other = (await login(name, 'mosaic tundra pepper lagoon')).body.token;
    // A stolen session alone must not change how the account signs in: /auth/password asks for the current password.
    const patched = await call('PATCH', `/scim/v2/Users/${id}`, patchPassword('saffron glacier puppet orbit'), mine);
    expect([patched.status, patched.body.detail]).toEqual([403, expect.stringContaining('POST /auth/password')]);
    const temporary = await call('POST', `/scim/v2/Users/${id}/temporary-password`, {}, mine);
    expect([temporary.status, temporary.body.detail]).toEqual([403, expect.stringContaining('POST /auth/password')]);
    const reset = await call('POST', `/scim/v2/Users/${id}/password-reset`, undefined, mine);
    expect([reset.status, reset.body.detail]).toEqual([403, expect.stringContaining('POST /auth/password')]);
    const mfa = await call('POST', `/scim/v2/Users/${id}/mfa-reset`, undefined, mine);
    expect([mfa.status, mfa.body.detail]).toEqual([403, expect.stringContaining('/auth/mfa/disable')]);
    // Nothing changed: the password, both sessions, no mail.
    expect((await login(name, 'mosaic tundra pepper lagoon')).status).toBe(200);
    expect((await call('GET', '/auth/session', undefined, mine)).status).toBe(200);
    expect((await call('GET', '/auth/session', undefined, other)).status).toBe(200);
    expect(await mails(id)).toEqual([]);
    // Re-sending its current password (as a full-profile PUT may) changes nothing and is no change of password.
    const same = await call('PATCH', `/scim/v2/Users/${id}`, patchPassword('mosaic tundra pepper lagoon'), mine);
    expect(same.status).toBe(200);
  });

  it('re-sent unchanged by an identity provider (a full-profile PUT) changes nothing: sessions stay, no notice', async () => {
    const name = fresh('resend');
    const id = await newUser(name, 'violet compass thunder meadow');
    const session = (await login(name, 'violet compass thunder meadow')).body.token;
    const put = await t.client.request('PUT', `/Users/${id}`, userBody(name, { emails: [{ value: `${name}@acme.example`, primary: true }], password: 'violet compass thunder meadow' }));
    expect(put.status).toBe(200);
    expect((await call('GET', '/auth/session', undefined, session)).status).toBe(200);
    expect((await mails(id)).map((m) => m.kind)).toEqual([]);
  });
});

describe('temporary passwords', () => {
  it('are held to the policy when the administrator gives one', async () => {
    const id = await newUser(fresh('tmpweak'));
    const weak = await call('POST', `/scim/v2/Users/${id}/temporary-password`, { password: 'Password123!' }, adminSession);
    expect([weak.status, weak.body.scimType]).toEqual([400, 'invalidValue']);
    expect(weak.body.detail).toContain('too easy to guess');
  });

  it('cannot become the new password at the forced change; a different one can, and the user is told', async () => {
    const name = fresh('forced');
    const id = await newUser(name, 'first own passphrase here');
    const temporary = 'walnut prairie signal canyon';
    expect((await call('POST', `/scim/v2/Users/${id}/temporary-password`, { password: temporary }, adminSession)).status).toBe(204);
    const signIn = await login(name, temporary);
    expect([signIn.status, signIn.body.error]).toEqual([403, 'password_change_required']);
    const same = await call('POST', '/auth/password', { changeToken: signIn.body.changeToken, newPassword: temporary });
    expect([same.status, same.body.error]).toEqual([400, 'weak_password']);
    expect(same.body.detail).toContain('temporary');
    const common = await call('POST', '/auth/password', { changeToken: signIn.body.changeToken, newPassword: 'trustno1trustno1' });
    expect([common.status, common.body.error]).toEqual([400, 'weak_password']);
    const changed = await call('POST', '/auth/password', { changeToken: signIn.body.changeToken, newPassword: 'hazel beacon tide mirror' });
    expect(changed.status).toBe(200);
    expect((await login(name, temporary)).status).toBe(401);
    expect((await mails(id)).map((m) => m.kind)).toEqual(['password-changed', 'password-changed']);
    expect((await mails(id))[0]!.text_body).toContain('temporary password');
  });

  it(`sign in no more after TEMP_PASSWORD_HOURS, answering as a wrong password does`, async () => {
    const name = fresh('expiry');
    const id = await newUser(name);
    const temporary = 'orchid lattice marble sparrow';
    expect((await call('POST', `/scim/v2/Users/${id}/temporary-password`, { password: temporary }, adminSession)).status).toBe(204);
    offsetMs = 71 * HOUR;
    try {
      expect((await login(name, temporary)).status).toBe(403);
      offsetMs = 72 * HOUR + 60_000;
      const expired = await login(name, temporary);
      const wrong = await login(name, 'not the password at all');
      expect(expired).toEqual(wrong);
      expect(expired.status).toBe(401);
    } finally {
      offsetMs = 0;
    }
  });
});

describe('/auth/password and /auth/reset', () => {
  it('refuse the current password as the new one, and common passwords; a good change tells the user', async () => {
    const name = fresh('change');
    const id = await newUser(name, 'cobalt ferry lantern moss');
    const session = (await login(name, 'cobalt ferry lantern moss')).body.token;
    const same = await call('POST', '/auth/password', { currentPassword: 'cobalt ferry lantern moss', newPassword: 'cobalt ferry lantern moss' }, session);
    expect([same.status, same.body.error]).toEqual([400, 'weak_password']);
    const common = await call('POST', '/auth/password', { currentPassword: 'cobalt ferry lantern moss', newPassword: 'Password1234' }, session);
    expect([common.status, common.body.error]).toEqual([400, 'weak_password']);
    const changed = await call('POST', '/auth/password', { currentPassword: 'cobalt ferry lantern moss', newPassword: 'pebble orbit saffron crane' }, session);
    expect(changed.status).toBe(200);
    expect((await mails(id)).map((m) => m.kind)).toEqual(['password-changed']);
  });

  it('a reset link refuses a common password and the current one, and a reset tells the user', async () => {
    const name = fresh('reset');
    const id = await newUser(name, 'thistle harbor copper wren');
    const token = await resetLinkOf(id);
    const common = await call('POST', '/auth/reset', { token, newPassword: 'abcdefghijkl' });
    expect([common.status, common.body.error]).toEqual([400, 'weak_password']);
    const same = await call('POST', '/auth/reset', { token, newPassword: 'thistle harbor copper wren' });
    expect([same.status, same.body.error]).toEqual([400, 'weak_password']);
    expect((await call('POST', '/auth/reset', { token, newPassword: 'juniper socket meadow flint' })).status).toBe(204);
    expect((await mails(id)).map((m) => m.kind)).toEqual(['reset', 'password-changed']);
    expect((await mails(id))[1]!.text_body).toContain('was reset');
  });

  it('a welcome link (also how `usher admin create` users get a password) is held to the policy, and sends no notice', async () => {
    const name = fresh('welcome');
    const id = await newUser(name);
    const mail = (await mails(id)).find((m) => m.kind === 'welcome')!;
    const token = decodeURIComponent(new RegExp(`${PUBLIC_URL}/welcome\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text_body)![1]!);
    const named = await call('POST', '/auth/reset', { token, newPassword: `my ${name} passphrase here` });
    expect([named.status, named.body.error]).toEqual([400, 'weak_password']);
    expect(named.body.detail).toContain('must not contain the user name');
    const common = await call('POST', '/auth/reset', { token, newPassword: 'sunshine2024!' });
    expect([common.status, common.body.error]).toEqual([400, 'weak_password']);
    expect((await call('POST', '/auth/reset', { token, newPassword: 'meadow circuit pillow falcon' })).status).toBe(204);
    expect((await mails(id)).map((m) => m.kind)).toEqual(['welcome']);
  });
});
