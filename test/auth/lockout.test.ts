// Sign-in throttling and lockout through the app (ASVS 2.2.1): one address is slowed down before an account is
// locked for everyone, failed sign-ins never end sessions, a lock's end resets its count, a wrong currentPassword
// counts, and an administrator's lock ends sessions for good.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, requestFrom, userBody, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';
const PASSWORD = 'correct horse battery staple';


let t: TestContext;
// The service's clock; the tests move it to let throttles and locks run out.
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
let adminToken: string;
let admins: string;

const request = (method: string, path: string, body?: unknown, options: { token?: string; address?: string } = {}) =>
  requestFrom(t.app, method, path, body, { ...options, address: options.address ?? '198.51.100.1' });

const login = (userName: string, password: string, address = '198.51.100.1') =>
  request('POST', '/auth/login', { tenant: 'acme', userName, password }, { address });
const me = (token: string) => request('GET', '/scim/v2/Me', undefined, { token });

async function createUser(userName: string): Promise<string> {
  const created = await t.client.request('POST', '/Users', userBody(userName, { password: PASSWORD }));
  expect(created.status).toBe(201);
  return created.body.id;
}

async function failedLogins(id: string): Promise<number> {
  const rows = await t.store.query<{ failed_logins: number }>('select failed_logins from users where id = $1', [id]);
  return rows[0]!.failed_logins;
}

beforeAll(async () => {
  // Defaults but a small account-wide threshold: 5 per address and pair, 12 for the account, 15-minute locks.
  t = await createTestContext({
    clock,
    auth: { lockoutThreshold: 12, lockoutSeconds: 15 * 60, throttleThreshold: 5, throttleSeconds: 60, throttleMaxSeconds: 15 * 60 },
    limits: { authFailuresPerMinute: 1000 },
  });
  const groups = await t.client.request('GET', '/Groups?count=100');
  admins = groups.body.Resources.find((g: { displayName: string }) => g.displayName === 'Administrator').id;
  const adminId = await createUser('the.admin@example.com');
  await t.client.request('PATCH', `/Groups/${admins}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: adminId }] }] });
  adminToken = (await login('the.admin@example.com', PASSWORD, '203.0.113.250')).body.token;
});
afterAll(() => t.close());

describe('a stranger who knows the user name', () => {
  it('cannot lock the account with wrong passwords from one address: that address is slowed down, 429 with Retry-After', async () => {
    const id = await createUser('victim@example.com');
    const session = (await login('victim@example.com', PASSWORD, '203.0.113.7')).body.token;
    for (let i = 0; i < 5; i++) expect((await login('victim@example.com', `guess ${i}`, '198.51.100.66')).status).toBe(401);
    const throttled = await login('victim@example.com', `guess 5`, '198.51.100.66');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('60');
    expect(throttled.body).toEqual({ error: 'too_many_attempts', detail: 'Too many attempts; try again in 1 minute.', retryAfter: 60 });
    // The right password too, from that address: the answer must not tell a good guess.
    expect((await login('victim@example.com', PASSWORD, '198.51.100.66')).status).toBe(429);

    // The owner, elsewhere, is not in the way: still signed in, and able to sign in again.
    expect((await me(session)).status).toBe(200);
    expect((await login('victim@example.com', PASSWORD, '203.0.113.7')).status).toBe(200);
    const user = await t.client.request('GET', `/Users/${id}`);
    expect(user.body.active).toBe(true);
  });

  it('gets the same 429 for an account that does not exist, and for a tenant that does not exist', async () => {
    await createUser('known@example.com');
    const answers = [];
    for (const [tenant, userName] of [['acme', 'known@example.com'], ['acme', 'nobody@example.com'], ['no-such-tenant', 'known@example.com']] as const) {
      for (let i = 0; i < 5; i++) {
        const failed = await request('POST', '/auth/login', { tenant, userName, password: `guess ${i}` }, { address: '198.51.100.77' });
        expect(failed.status).toBe(401);
      }
      const throttled = await request('POST', '/auth/login', { tenant, userName, password: PASSWORD }, { address: '198.51.100.77' });
      answers.push([throttled.status, throttled.headers.get('retry-after'), throttled.body]);
    }
    expect(answers[0]![0]).toBe(429);
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('waits longer after each further failure: the delays double up to the cap', async () => {
    await createUser('doubling@example.com');
    for (let i = 0; i < 5; i++) await login('doubling@example.com', `guess ${i}`, '198.51.100.88');
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const refused = await login('doubling@example.com', 'still guessing', '198.51.100.88');
      expect(refused.status).toBe(429);
      const seconds = Number(refused.headers.get('retry-after'));
      delays.push(seconds);
      offsetMs += seconds * 1000;
      expect((await login('doubling@example.com', `guess after ${seconds}`, '198.51.100.88')).status).toBe(401);
    }
    expect(delays).toEqual([60, 120, 240, 480, 900, 900]);
    const refused = await login('doubling@example.com', 'still guessing', '198.51.100.88');
    expect(refused.body.detail).toBe('Too many attempts; try again in 15 minutes.');
  });

  it('locks the account for everyone only after many failures from many addresses; sessions stay; the lock ends by itself', async () => {
    const id = await createUser('popular@example.com');
    const session = (await login('popular@example.com', PASSWORD, '203.0.113.8')).body.token;
    // 12 failures from 4 addresses, 3 each: none of them is throttled, the account locks.
    for (let i = 0; i < 12; i++) expect((await login('popular@example.com', `guess ${i}`, `192.0.2.${10 + (i % 4)}`)).status).toBe(401);
    expect(await failedLogins(id)).toBe(12);
    const user = await t.client.request('GET', `/Users/${id}`);
    expect([user.body.active, user.body[ACCOUNT].lockReason]).toEqual([false, 'failedLogins']);
    // A new sign-in is refused, with the right password too, from anywhere; the open session goes on.
    expect((await login('popular@example.com', PASSWORD, '203.0.113.9')).status).toBe(401);
    expect((await me(session)).status).toBe(200);

    // When the lock ends, its count ends with it: one more typo does not lock the account again.
    offsetMs += 15 * 60 * 1000 + 1000;
    expect((await login('popular@example.com', 'one typo', '203.0.113.9')).status).toBe(401);
    expect(await failedLogins(id)).toBe(1);
    expect((await login('popular@example.com', PASSWORD, '203.0.113.9')).status).toBe(200);
    expect(await failedLogins(id)).toBe(0);
  });

  it('a successful sign-in resets the count of its address', async () => {
    await createUser('typist@example.com');
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect((await login('typist@example.com', `typo ${i}`, '198.51.100.99')).status).toBe(401);
      expect((await login('typist@example.com', PASSWORD, '198.51.100.99')).status).toBe(200);
    }
  });
});

describe('a wrong currentPassword on /auth/password', () => {
  it('counts against the account, and ends the session after 3', async () => {
    const id = await createUser('stolen.session@example.com');
    const token = (await login('stolen.session@example.com', PASSWORD)).body.token;
    const change = (currentPassword: string) => request('POST', '/auth/password', { currentPassword, newPassword: 'a brand new passphrase' }, { token });
    expect((await change('guess 1')).status).toBe(401);
    expect((await change('guess 2')).status).toBe(401);
    expect(await failedLogins(id)).toBe(2);
    expect((await me(token)).status).toBe(200);
    const third = await change('guess 3');
    expect([third.status, third.body.error]).toEqual([401, 'session_ended']);
    expect((await me(token)).status).toBe(401);
    // Even with the right password now: the session is gone.
    expect((await change(PASSWORD)).status).toBe(401);
    expect(await failedLogins(id)).toBe(3);
  });
});

describe("an administrator's lock", () => {
  it('ends the sessions for good: unlocking does not revive them', async () => {
    // Signed in now: the clock has moved on by more than the idle time since beforeAll.
    adminToken = (await login('the.admin@example.com', PASSWORD, '203.0.113.250')).body.token;
    const id = await createUser('locked.out@example.com');
    const token = (await login('locked.out@example.com', PASSWORD)).body.token;
    const lock = await request('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] }, { token: adminToken });
    expect(lock.status).toBe(200);
    expect((await me(token)).status).toBe(401);
    const unlock = await request('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] }, { token: adminToken });
    expect(unlock.status).toBe(200);
    expect((await me(token)).status).toBe(401);
    const ended = await t.store.query<{ n: number }>('select count(*)::int as n from sessions where user_id = $1 and ended_at is null', [id]);
    expect(ended[0]!.n).toBe(0);
    expect((await login('locked.out@example.com', PASSWORD)).status).toBe(200);
  });

  it('of an account locked out after failed sign-ins ends its sessions too, and becomes an administrator\'s lock', async () => {
    const id = await createUser('both.locks@example.com');
    const token = (await login('both.locks@example.com', PASSWORD, '203.0.113.20')).body.token;
    for (let i = 0; i < 12; i++) await login('both.locks@example.com', `guess ${i}`, `192.0.2.${30 + (i % 4)}`);
    expect((await me(token)).status).toBe(200);
    const lock = await request('PATCH', `/scim/v2/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] }, { token: adminToken });
    expect([lock.status, lock.body[ACCOUNT].lockReason]).toEqual([200, 'admin']);
    expect((await me(token)).status).toBe(401);
  });

  it('by the identity provider (an API token) ends them too', async () => {
    const id = await createUser('deprovisioned@example.com');
    const token = (await login('deprovisioned@example.com', PASSWORD)).body.token;
    const lock = await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    expect(lock.status).toBe(200);
    await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] });
    expect((await me(token)).status).toBe(401);
  });
});
