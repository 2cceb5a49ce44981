// The security log through the app: one JSON line per authentication decision, with event, tenant, user, client
// address (TRUST_PROXY applied), user agent and request id, and never a secret.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logger.js';
import { PUBLIC_URL, createTestContext, userBody, type TestContext } from '../helpers/app.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a fresh and longer passphrase';
const AGENT = 'Mozilla/5.0 (security log test)';

let t: TestContext;
let lines: string[] = [];
let userId: string;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const security = (): any[] => lines.map((line) => JSON.parse(line)).filter((entry) => entry.msg === 'security');

/** A request through one trusted proxy: the client address is the X-Forwarded-For entry the proxy wrote. */
async function request(method: string, path: string, body: unknown, options: { token?: string; address?: string; requestId?: string } = {}) {
  const response = await t.app.request(path, {
    method,
    headers: {
      'User-Agent': AGENT,
      'X-Forwarded-For': `10.9.9.9, ${options.address ?? '203.0.113.5'}`,
      ...(options.requestId ? { 'X-Request-Id': options.requestId } : {}),
      ...(body !== undefined ? { 'Content-Type': path.startsWith('/scim/') ? 'application/scim+json' : 'application/json' } : {}),
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const login = (userName: string, password: string, options: { address?: string; requestId?: string; tenant?: string } = {}) =>
  request('POST', '/auth/login', { tenant: options.tenant ?? 'acme', userName, password }, options);

beforeAll(async () => {
  t = await createTestContext({
    logger: createLogger('debug', (line) => lines.push(line)),
    limits: { trustProxy: 1, authFailuresPerMinute: 1000 },
    auth: { throttleThreshold: 2, lockoutThreshold: 4 },
  });
  const created = await t.client.request('POST', '/Users', userBody('sam@example.com', { password: PASSWORD, emails: [{ value: 'sam@example.com', primary: true }] }));
  userId = created.body.id;
});
beforeEach(() => {
  lines = [];
});
afterAll(() => t.close());

describe('sign-in', () => {
  it('records a success with tenant, user, the proxied client address, user agent and request id', async () => {
    expect((await login('sam@example.com', PASSWORD, { requestId: 'req-login-1' })).status).toBe(200);
    expect(security()).toEqual([
      {
        time: expect.any(String),
        level: 'info',
        msg: 'security',
        event: 'login.succeeded',
        tenant: t.client.tenantId,
        userId,
        address: '203.0.113.5',
        userAgent: AGENT,
        requestId: 'req-login-1',
      },
    ]);
  });

  it('records each failure with its reason; an unknown user or tenant has no id, and the typed name is not logged', async () => {
    await login('sam@example.com', 'wrong guess number one', { address: '198.51.100.1' });
    await login('nobody@example.com', 'wrong guess number two', { address: '198.51.100.2' });
    await login('sam@example.com', 'wrong guess number three', { address: '198.51.100.3', tenant: 'no-such-tenant' });
    expect(security().map((e) => [e.level, e.event, e.reason, e.tenant, e.userId, e.address])).toEqual([
      ['warn', 'login.failed', 'wrongPassword', t.client.tenantId, userId, '198.51.100.1'],
      ['warn', 'login.failed', 'unknownUser', t.client.tenantId, null, '198.51.100.2'],
      ['warn', 'login.failed', 'unknownTenant', null, null, '198.51.100.3'],
    ]);
    expect(lines.join('\n')).not.toContain('nobody@example.com');
    expect(lines.join('\n')).not.toContain('wrong guess');
    // A success clears the count, for the tests after this one.
    expect((await login('sam@example.com', PASSWORD, { address: '198.51.100.1' })).status).toBe(200);
  });

  it('records a throttled attempt with the wait, and the account-wide lockout', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('max@example.com', { password: PASSWORD }))).body.id;
    await login('max@example.com', 'guess 1', { address: '198.51.100.10' });
    await login('max@example.com', 'guess 2', { address: '198.51.100.10' });
    const throttled = await login('max@example.com', 'guess 3', { address: '198.51.100.10' });
    expect(throttled.status).toBe(429);
    await login('max@example.com', 'guess 4', { address: '198.51.100.11' });
    await login('max@example.com', 'guess 5', { address: '198.51.100.11' });
    const entries = security();
    expect(entries.map((e) => e.event)).toEqual(['login.failed', 'login.failed', 'login.throttled', 'login.failed', 'account.lockedOut', 'login.failed']);
    expect(entries[2]).toMatchObject({ level: 'warn', userId: id, address: '198.51.100.10', retryAfter: 60 });
    expect(entries[4]).toMatchObject({ level: 'warn', userId: id, tenant: t.client.tenantId, failures: 4, address: '198.51.100.11' });
  });

  it('records the per-address limit of /auth', async () => {
    const limited = await createTestContext({
      logger: createLogger('info', (line) => lines.push(line)),
      limits: { trustProxy: 1, authFailuresPerMinute: 1 },
    });
    try {
      const send = () =>
        limited.app.request('/auth/login', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': '192.0.2.99', 'User-Agent': AGENT },
          body: JSON.stringify({ tenant: 'acme', userName: 'someone', password: 'a guess' }),
        });
      expect((await send()).status).toBe(401);
      expect((await send()).status).toBe(429);
      expect(security().at(-1)).toMatchObject({ event: 'auth.rateLimited', address: '192.0.2.99', path: '/auth/login', userAgent: AGENT });
    } finally {
      await limited.close();
    }
  });
});

describe('passwords and sessions', () => {
  it('records a wrong current password, a change, a logout and a refused session, with no password in any line', async () => {
    const session = (await login('sam@example.com', PASSWORD)).body.token;
    expect((await request('POST', '/auth/password', { currentPassword: 'not it at all', newPassword: NEW_PASSWORD }, { token: session })).status).toBe(401);
    const changed = await request('POST', '/auth/password', { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, { token: session, requestId: 'req-change' });
    expect(changed.status).toBe(200);
    expect((await request('POST', '/auth/logout', {}, { token: changed.body.token })).status).toBe(204);
    expect((await request('GET', '/auth/session', undefined, { token: changed.body.token })).status).toBe(401);
    expect(security().map((e) => [e.event, e.reason ?? e.how, e.userId])).toEqual([
      ['login.succeeded', undefined, userId],
      ['password.changeFailed', 'wrongCurrentPassword', userId],
      ['password.changed', 'change', userId],
      ['session.ended', 'logout', userId],
      ['session.refused', 'invalidSession', null],
    ]);
    expect(security()[2]).toMatchObject({ requestId: 'req-change', tenant: t.client.tenantId });
    const all = lines.join('\n');
    for (const secret of [PASSWORD, NEW_PASSWORD, 'not it at all', session, changed.body.token]) expect(all).not.toContain(secret);
  });

  it('records a reset by link and a refused link, never the link', async () => {
    expect((await t.client.request('POST', `/Users/${userId}/password-reset`)).status).toBeLessThan(300);
    const [mail] = await t.store.query<{ text_body: string }>('select text_body from outbox where recipient = $1 order by created_at desc limit 1', ['sam@example.com']);
    const token = new RegExp(`${PUBLIC_URL}/reset\\?token=([A-Za-z0-9_%-]+)`).exec(mail!.text_body)![1]!;
    lines = [];
    expect((await request('POST', '/auth/reset', { token: decodeURIComponent(token), newPassword: 'yet another passphrase here' })).status).toBe(204);
    expect((await request('POST', '/auth/reset', { token: decodeURIComponent(token), newPassword: 'yet another passphrase here' })).status).toBe(400);
    expect(security().map((e) => [e.event, e.reason ?? e.how, e.userId])).toEqual([
      ['password.reset', 'reset', userId],
      ['password.resetFailed', 'invalidLink', userId],
    ]);
    expect(lines.join('\n')).not.toContain(decodeURIComponent(token));
    expect(lines.join('\n')).not.toContain('yet another passphrase');
  });
});

describe('/scim/v2', () => {
  it('records a refused API token or session with the address and path, never the token', async () => {
    const bogus = 'not-a-real-token-but-long-enough-to-look-like-one';
    expect((await request('GET', '/scim/v2/Users', undefined, { token: bogus, address: '192.0.2.44' })).status).toBe(401);
    expect((await request('GET', '/scim/v2/Users', undefined, { token: 'usess_gone', address: '192.0.2.44' })).status).toBe(401);
    expect((await request('GET', '/scim/v2/Users', undefined, { address: '192.0.2.44' })).status).toBe(401);
    expect(security().map((e) => [e.level, e.event, e.reason, e.address, e.path, e.userAgent])).toEqual([
      ['warn', 'token.refused', 'invalidToken', '192.0.2.44', '/scim/v2/Users', AGENT],
      ['warn', 'token.refused', 'invalidSession', '192.0.2.44', '/scim/v2/Users', AGENT],
      ['warn', 'token.refused', 'noToken', '192.0.2.44', '/scim/v2/Users', AGENT],
    ]);
    expect(lines.join('\n')).not.toContain(bogus);
    expect(lines.join('\n')).not.toContain('usess_gone');
  });
});

describe('changes made through SCIM', () => {
  const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  const patch = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });
  const scim = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    t.app.request(`/scim/v2${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${t.client.token}`,
        'User-Agent': AGENT,
        'X-Forwarded-For': '10.9.9.9, 198.51.100.20',
        'X-Request-Id': 'req-scim-1',
        ...(body !== undefined ? { 'Content-Type': 'application/scim+json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });

  it('records a password set, a lock and an unlock by the identity provider, with the token as the actor', async () => {
    const { body: user } = await t.client.request('POST', '/Users', userBody('lena@example.com'));
    lines = [];
    expect((await scim('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path: 'password', value: 'violet harbour lantern 42' }))).status).toBe(200);
    expect((await scim('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path: 'active', value: false }))).status).toBe(200);
    expect((await scim('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path: 'active', value: true }))).status).toBe(200);
    const common = { tenant: t.client.tenantId, userId: user.id, by: 'token', actorId: expect.any(String), address: '198.51.100.20', userAgent: AGENT, requestId: 'req-scim-1' };
    expect(security()).toEqual([
      expect.objectContaining({ event: 'password.changed', how: 'scim', ...common }),
      expect.objectContaining({ event: 'account.locked', reason: 'provisioning', ...common }),
      expect.objectContaining({ event: 'account.unlocked', ...common }),
    ]);
    expect(lines.join('\n')).not.toContain('violet harbour lantern 42');
  });

  it('records a temporary password set by an administrator action, and nothing for a change that was refused', async () => {
    const { body: user } = await t.client.request('POST', '/Users', userBody('omar@example.com'));
    lines = [];
    expect((await scim('PATCH', `/Users/${user.id}`, patch({ op: 'replace', path: 'active', value: false }), { 'If-Match': 'W/"999"' })).status).toBe(412);
    expect(security()).toEqual([]);
    expect((await scim('POST', `/Users/${user.id}/temporary-password`, { password: 'copper meadow whistle 19' })).status).toBe(204);
    expect(security()).toEqual([expect.objectContaining({ event: 'password.temporarySet', userId: user.id, by: 'token', requestId: 'req-scim-1' })]);
    expect(lines.join('\n')).not.toContain('copper meadow whistle 19');
  });
});

describe('two-step verification', () => {
  it('records the set-up, the code asked for, a wrong code, a right one and a reset, never a key, code or token', async () => {
    const { decodeBase32IgnorePadding } = await import('@oslojs/encoding');
    const { totpCode } = await import('../../src/auth/totp.js');
    const { body: user } = await t.client.request('POST', '/Users', userBody('tess@example.com', { password: PASSWORD }));
    const session = (await login('tess@example.com', PASSWORD)).body.token;
    lines = [];
    const enrolment = await request('POST', '/auth/mfa/enrol', { currentPassword: PASSWORD }, { token: session });
    const secret = decodeBase32IgnorePadding(enrolment.body.secret);
    const confirmed = await request('POST', '/auth/mfa/confirm', { code: totpCode(secret, new Date()) }, { token: session });
    expect(confirmed.status).toBe(200);
    const started = await login('tess@example.com', PASSWORD, { requestId: 'req-mfa-1' });
    const right = totpCode(secret, new Date(Date.now() + 30_000));
    const wrong = right === '123456' ? '654321' : '123456';
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, code: wrong })).status).toBe(401);
    expect((await request('POST', '/auth/mfa/verify', { mfaToken: started.body.mfaToken, recoveryCode: confirmed.body.recoveryCodes[0] })).status).toBe(200);
    expect((await t.client.request('POST', `/Users/${user.id}/mfa-reset`)).status).toBe(204);
    const who = { tenant: t.client.tenantId, userId: user.id };
    expect(security().map((e) => e.event)).toEqual([
      'mfa.enrolmentStarted',
      'mfa.enabled',
      'login.mfaRequired',
      'mfa.failed',
      'mfa.recoveryCodeUsed',
      'login.succeeded',
      'mfa.reset',
    ]);
    expect(security()).toContainEqual(expect.objectContaining({ event: 'login.mfaRequired', ...who, requestId: 'req-mfa-1', level: 'info' }));
    expect(security()).toContainEqual(expect.objectContaining({ event: 'mfa.failed', ...who, reason: 'wrongCode', level: 'warn' }));
    expect(security()).toContainEqual(expect.objectContaining({ event: 'mfa.reset', ...who, by: 'token', actorId: expect.any(String), level: 'warn' }));
    const text = lines.join('\n');
    for (const secretText of [enrolment.body.secret, started.body.mfaToken, wrong, confirmed.body.recoveryCodes[0], PASSWORD]) expect(text).not.toContain(secretText);
  });
});
