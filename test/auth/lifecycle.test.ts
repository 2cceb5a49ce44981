// The portal's account lifecycle end to end: the app, its mail worker and a real SMTP server in the test process.
// Welcome mail and its link, temporary passwords, lockout and unlock, reset by mail, the e-mail change notice,
// permissions, and each step read back from history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/http/logger.js';
import { createMailWorker, createSmtpTransport, type MailTransport, type MailWorker } from '../../src/mail/index.js';
import { createTestContext, PUBLIC_URL, scimRequest, type TestContext, userBody } from '../helpers/app.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../mail/smtp-sink.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

let t: TestContext;
let relay: SmtpSink;
let transport: MailTransport;
let worker: MailWorker | undefined;
let personas: Record<string, string>;

beforeAll(async () => {
  relay = await startSmtpSink();
  t = await createTestContext({ auth: { lockoutThreshold: 3, lockoutSeconds: 0 }, notifyMail: () => worker?.notify() });
  transport = createSmtpTransport(`smtp://127.0.0.1:${relay.port}`);
  worker = createMailWorker({ store: t.store, transport, clock: () => new Date(), logger: silentLogger, from: 'Acme <no-reply@acme.example>', pollIntervalMs: 60_000 });
  worker.start();
  const groups = await t.client.request('GET', '/Groups?count=100');
  personas = Object.fromEntries(groups.body.Resources.map((g: { displayName: string; id: string }) => [g.displayName, g.id]));
});
afterAll(async () => {
  await worker?.stop();
  await transport?.close();
  await relay?.close();
  await t?.close();
});

async function post(path: string, body: unknown, token?: string, headers: Record<string, string> = {}) {
  const response = await t.app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** A SCIM request with a portal session's token. */
const asUser = (token: string, method: string, path: string, body?: unknown) => scimRequest(t.app, token, method, path, body);

const login = (userName: string, password: string, requestId?: string) =>
  post('/auth/login', { tenant: 'acme', userName, password }, undefined, requestId ? { 'X-Request-Id': requestId } : {});

/** Waits for the next mail to this address and returns it. */
async function mailTo(address: string, after = 0): Promise<ReceivedMail> {
  for (;;) {
    const found = relay.received.slice(after).find((m) => m.envelopeTo.includes(address));
    if (found) return found;
    await relay.arrivals(relay.received.length + 1);
  }
}

/** The link of the given kind in a mail's plain text, and its token. */
function linkIn(mail: ReceivedMail, path: '/welcome' | '/reset'): { link: string; token: string } {
  const match = new RegExp(`${PUBLIC_URL}${path}\\?token=([A-Za-z0-9_%-]+)`).exec(mail.text);
  expect(match, `a ${path} link in:\n${mail.text}`).not.toBeNull();
  return { link: match![0], token: decodeURIComponent(match![1]!) };
}

async function createAdmin(userName: string, password: string): Promise<string> {
  const created = await t.client.request('POST', '/Users', userBody(userName, { password, displayName: 'Ada Admin' }));
  await t.client.request('PATCH', `/Groups/${personas.Administrator}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: created.body.id }] }] });
  const session = await login(userName, password);
  expect(session.status).toBe(200);
  return session.body.token;
}

type Entry = { event: string; attribute?: string; oldValue?: string; newValue?: string; updatedBy: string };

async function historyOf(id: string): Promise<Entry[]> {
  const response = await t.client.request('GET', `/Users/${id}/History?count=200&sortOrder=ascending`);
  expect(response.status).toBe(200);
  return response.body.Resources;
}

describe('the account lifecycle, by mail', () => {
  let admin: string;
  const ADMIN_PASSWORD = 'the administrators passphrase';

  beforeAll(async () => {
    admin = await createAdmin('ada@acme.example', ADMIN_PASSWORD);
  });

  it('welcomes a user created with an e-mail and no password; the link sets the password once, then the user signs in', async () => {
    const sent = relay.received.length;
    const created = await asUser(admin, 'POST', '/Users', userBody('wendy@acme.example', { displayName: 'Wendy Welcome', emails: [{ value: 'wendy@acme.example', type: 'work', primary: true }] }));
    expect(created.status).toBe(201);
    expect(created.body[ACCOUNT].welcomeEmailSentAt).toEqual(expect.any(String));

    const mail = await mailTo('wendy@acme.example', sent);
    expect(mail.subject).toBe('Welcome to acme');
    expect(mail.text).toContain('Wendy Welcome');
    const { token, link } = linkIn(mail, '/welcome');
    expect(mail.html).toContain(link.replace(/&/g, '&amp;'));

    expect((await login('wendy@acme.example', 'first chosen passphrase')).status).toBe(401);
    expect((await post('/auth/reset', { token, newPassword: 'short' })).body).toMatchObject({ error: 'weak_password' });
    expect((await post('/auth/reset', { token, newPassword: 'first chosen passphrase' })).status).toBe(204);
    expect((await post('/auth/reset', { token, newPassword: 'other chosen passphrase' })).status).toBe(400);
    expect((await login('wendy@acme.example', 'first chosen passphrase')).status).toBe(200);

    const entries = await historyOf(created.body.id);
    expect(entries.map((e) => e.event)).toEqual(['created', 'welcomeEmailSent', 'passwordChanged']);
    expect(entries[0]!.updatedBy).toBe('Ada Admin');
    expect(entries[1]).toMatchObject({ attribute: 'email', newValue: 'wendy@acme.example', updatedBy: 'Ada Admin' });
    expect(entries[2]).toMatchObject({ attribute: 'password', updatedBy: 'Wendy Welcome' });
    expect(entries[2]!.newValue).toBeUndefined();
    expect(JSON.stringify(entries)).not.toContain(token);
  });

  it('sends no welcome to a user created with a password, and re-sends one on request with a new link that voids the old', async () => {
    const created = await t.client.request('POST', '/Users', userBody('rita@acme.example', { password: 'an own passphrase', emails: [{ value: 'rita@acme.example' }] }));
    expect(created.body[ACCOUNT].welcomeEmailSentAt).toBeUndefined();
    const id = created.body.id;

    const sent = relay.received.length;
    expect((await asUser(admin, 'POST', `/Users/${id}/welcome-email`)).status).toBe(202);
    const first = linkIn(await mailTo('rita@acme.example', sent), '/welcome');
    const resent = relay.received.length;
    expect((await asUser(admin, 'POST', `/Users/${id}/welcome-email`)).status).toBe(202);
    const second = linkIn(await mailTo('rita@acme.example', resent), '/welcome');
    expect(second.token).not.toBe(first.token);

    expect((await post('/auth/reset', { token: first.token, newPassword: 'a brand new passphrase' })).status).toBe(400);
    expect((await post('/auth/reset', { token: second.token, newPassword: 'a brand new passphrase' })).status).toBe(204);
    expect((await t.client.request('GET', `/Users/${id}`)).body[ACCOUNT].welcomeEmailSentAt).toEqual(expect.any(String));
    expect((await historyOf(id)).filter((e) => e.event === 'welcomeEmailSent')).toHaveLength(2);
  });

  it('sets a temporary password that must be replaced at the next login, and ends the user\'s sessions', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('tom@acme.example', { password: 'usual daily passphrase' }))).body.id;
    const before = await login('tom@acme.example', 'usual daily passphrase');
    expect(before.status).toBe(200);

    expect((await asUser(admin, 'POST', `/Users/${id}/temporary-password`, { password: 'Temporary-Pass-2026' })).status).toBe(204);
    // The session Tom had is over, and so is the old password.
    expect((await asUser(before.body.token, 'GET', '/Me')).status).toBe(401);
    expect((await login('tom@acme.example', 'usual daily passphrase')).status).toBe(401);
    expect((await t.client.request('GET', `/Users/${id}`)).body[ACCOUNT].passwordChangeRequired).toBe(true);

    const forced = await login('tom@acme.example', 'Temporary-Pass-2026');
    expect(forced.status).toBe(403);
    expect(forced.body).toMatchObject({ error: 'password_change_required', changeToken: expect.any(String) });
    expect(forced.body.token).toBeUndefined();
    const changed = await post('/auth/password', { changeToken: forced.body.changeToken, newPassword: 'freshly chosen passphrase' });
    expect(changed.status).toBe(200);
    expect((await asUser(changed.body.token, 'GET', '/Me')).body.userName).toBe('tom@acme.example');
    expect((await login('tom@acme.example', 'freshly chosen passphrase')).status).toBe(200);
    expect((await t.client.request('GET', `/Users/${id}`)).body[ACCOUNT].passwordChangeRequired).toBe(false);

    const events = (await historyOf(id)).map((e) => [e.event, e.updatedBy]);
    expect(events).toEqual([
      ['created', 'test'],
      ['temporaryPasswordSet', 'Ada Admin'],
      ['passwordChanged', 'tom@acme.example'],
    ]);
  });

  it('generates a temporary password when the body is empty, shown once and never stored in the clear', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('gina@acme.example'))).body.id;
    for (const body of [undefined, {}]) {
      const response = await t.app.request(`/scim/v2/Users/${id}/temporary-password`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${admin}`, ...(body ? { 'Content-Type': 'application/scim+json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const { password } = (await response.json()) as { password: string };
      expect(password).toMatch(/^[A-Za-z0-9]{20}$/);
      expect((await login('gina@acme.example', password)).body.error).toBe('password_change_required');
      const [row] = await t.store.query<{ password_hash: string }>('select password_hash from users where id = $1', [id]);
      expect(row!.password_hash).toMatch(/^\$argon2id\$/);
      expect(JSON.stringify(await historyOf(id))).not.toContain(password);
    }
  });

  it('refuses a temporary password the policy does not accept, and a malformed body, with the rule in detail', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('paula@acme.example'))).body.id;
    const short = await asUser(admin, 'POST', `/Users/${id}/temporary-password`, { password: 'short' });
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidValue', detail: expect.stringContaining('at least 12 characters') });
    const named = await asUser(admin, 'POST', `/Users/${id}/temporary-password`, { password: 'paula-is-my-password' });
    expect(named.body.detail).toContain('must not contain the user name');
    const malformed = await asUser(admin, 'POST', `/Users/${id}/temporary-password`, { password: 42 });
    expect([malformed.status, malformed.body.scimType]).toEqual([400, 'invalidValue']);
    const notJson = await t.client.request('POST', `/Users/${id}/temporary-password`, '{"password":');
    expect([notJson.status, notJson.body.scimType]).toEqual([400, 'invalidSyntax']);
    expect((await historyOf(id)).map((e) => e.event)).toEqual(['created']);
  });

  it('locks the account after failed logins; an administrator unlocks it and the history says who and why', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('larry@acme.example', { password: 'the real passphrase' }))).body.id;
    for (let i = 0; i < 3; i++) expect((await login('larry@acme.example', 'not the passphrase', `larry-failure-${i}`)).status).toBe(401);
    expect((await login('larry@acme.example', 'the real passphrase')).status).toBe(401);
    const locked = await asUser(admin, 'GET', `/Users/${id}`);
    expect([locked.body.active, locked.body[ACCOUNT].lockReason, locked.body[ACCOUNT].failedLogins]).toEqual([false, 'failedLogins', 3]);

    const unlocked = await asUser(admin, 'PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] });
    expect([unlocked.status, unlocked.body.active]).toEqual([200, true]);
    expect((await login('larry@acme.example', 'the real passphrase')).status).toBe(200);

    const entries = await historyOf(id);
    expect(entries.map((e) => [e.event, e.updatedBy])).toEqual([
      ['created', 'test'],
      ['lockedOut', 'Usher'],
      ['unlocked', 'Ada Admin'],
    ]);
    expect(entries[2]).toMatchObject({ attribute: 'lockReason', oldValue: 'Too many failed logins' });
    // The lockout names the request that caused it: the third failure.
    expect(entries[1]).toMatchObject({ requestId: 'larry-failure-2' });
  });

  it('resets a password by mail: the old password stops working, sessions end, the link works once', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('rob@acme.example', { password: 'long forgotten passphrase', emails: [{ value: 'rob.private@example.net', primary: true }, { value: 'rob@acme.example' }] }))).body.id;
    const session = await login('rob@acme.example', 'long forgotten passphrase');

    const sent = relay.received.length;
    const response = await asUser(admin, 'POST', `/Users/${id}/password-reset`);
    expect([response.status, response.body]).toEqual([202, undefined]);
    // The primary address gets it.
    const mail = await mailTo('rob.private@example.net', sent);
    expect(mail.subject).toBe('Reset your acme password');
    const { token } = linkIn(mail, '/reset');

    expect((await post('/auth/reset', { token, newPassword: 'well remembered passphrase' })).status).toBe(204);
    expect((await asUser(session.body.token, 'GET', '/Me')).status).toBe(401);
    expect((await login('rob@acme.example', 'long forgotten passphrase')).status).toBe(401);
    expect((await login('rob@acme.example', 'well remembered passphrase')).status).toBe(200);
    expect((await post('/auth/reset', { token, newPassword: 'yet another passphrase' })).status).toBe(400);

    const entries = await historyOf(id);
    expect(entries.map((e) => e.event)).toEqual(['created', 'passwordResetSent', 'passwordChanged']);
    expect(entries[1]).toMatchObject({ newValue: 'rob.private@example.net', updatedBy: 'Ada Admin' });
  });

  it('tells the old address when the e-mail changes, and voids the links sent there', async () => {
    const created = await t.client.request('POST', '/Users', userBody('eve.adams', { emails: [{ value: 'eve.typo@acme.example', primary: true }] }));
    const id = created.body.id;
    const welcome = linkIn(await mailTo('eve.typo@acme.example'), '/welcome');

    const sent = relay.received.length;
    const updated = await asUser(admin, 'PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'emails[primary eq true].value', value: 'eve@acme.example' }],
    });
    expect(updated.status).toBe(200);
    const notice = await mailTo('eve.typo@acme.example', sent);
    expect(notice.subject).toBe('Your acme e-mail address was changed');
    expect(notice.text).toContain('e***e@acme.example');
    expect(notice.text).not.toContain('eve@acme.example');
    expect(notice.text).not.toMatch(/token=/);
    expect((await post('/auth/reset', { token: welcome.token, newPassword: 'a first passphrase' })).status).toBe(400);

    const entries = await historyOf(id);
    expect(entries.at(-1)).toMatchObject({ event: 'attributeChanged', attribute: 'emails', updatedBy: 'Ada Admin' });
    expect(entries.at(-1)!.oldValue).toContain('eve.typo@acme.example');
    expect(entries.at(-1)!.newValue).toContain('eve@acme.example');
  });

  it('creates a user whose e-mail is no address without a welcome, and never fails for it', async () => {
    const [before] = await t.store.query<{ n: number }>('select count(*)::int as n from outbox');
    const created = await t.client.request('POST', '/Users', userBody('odd@acme.example', { emails: [{ value: 'not an address', primary: true }, { value: 'a@b@c' }] }));
    expect(created.status).toBe(201);
    expect(created.body[ACCOUNT].welcomeEmailSentAt).toBeUndefined();
    const [after] = await t.store.query<{ n: number }>('select count(*)::int as n from outbox');
    expect(after!.n).toBe(before!.n);
    expect((await asUser(admin, 'POST', `/Users/${created.body.id}/password-reset`)).status).toBe(409);
  });

  it('answers the actions on a user without e-mail with 409, on an unknown user with 404, and writes nothing', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('nomail@acme.example'))).body.id;
    for (const action of ['password-reset', 'welcome-email']) {
      const response = await asUser(admin, 'POST', `/Users/${id}/${action}`);
      expect(response.status).toBe(409);
      expect(response.body).toMatchObject({ schemas: [ERROR], status: '409', detail: expect.stringContaining('no e-mail address') });
    }
    expect((await historyOf(id)).map((e) => e.event)).toEqual(['created']);
    for (const action of ['password-reset', 'welcome-email', 'temporary-password']) {
      for (const missing of ['5b8d7b3e-0000-4000-8000-000000000000', 'not-a-uuid']) {
        const response = await asUser(admin, 'POST', `/Users/${missing}/${action}`);
        expect([response.status, response.body.schemas]).toEqual([404, [ERROR]]);
      }
    }
  });
});

describe('who may use the account actions', () => {
  it('a session without users:write is refused; one with it may; another tenant\'s users are not found', async () => {
    const viewer = await t.client.request('POST', '/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group', PERSONA], displayName: 'Viewer', [PERSONA]: { description: 'Reads users.', permissions: ['users:read'] } });
    const user = await t.client.request('POST', '/Users', userBody('vic@acme.example', { password: 'viewing only passphrase', emails: [{ value: 'vic@acme.example' }] }));
    await t.client.request('PATCH', `/Groups/${viewer.body.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] });
    const session = (await login('vic@acme.example', 'viewing only passphrase')).body.token;

    expect((await asUser(session, 'GET', `/Users/${user.body.id}/History`)).status).toBe(200);
    for (const action of ['password-reset', 'welcome-email', 'temporary-password']) {
      const refused = await asUser(session, 'POST', `/Users/${user.body.id}/${action}`);
      expect([refused.status, refused.body.schemas]).toEqual([403, [ERROR]]);
    }
    const events = (await historyOf(user.body.id)).map((e) => e.event);
    for (const refusedEvent of ['passwordResetSent', 'welcomeEmailSent', 'temporaryPasswordSet']) expect(events).not.toContain(refusedEvent);

    const other = await t.newTenant('globex');
    const stranger = await other.request('POST', '/Users', userBody('stranger@globex.example', { emails: [{ value: 'stranger@globex.example' }] }));
    for (const action of ['password-reset', 'welcome-email', 'temporary-password']) {
      expect((await t.client.request('POST', `/Users/${stranger.body.id}/${action}`)).status).toBe(404);
    }
  });
});
