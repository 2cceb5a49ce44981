// Rate limits through the real app: failed /auth attempts per client address, SCIM requests per token; 429 with Retry-After.
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { addressKey } from '../../src/http/middleware/rate-limit.js';
import { ERROR_SCHEMA, createTestContext, fromAddress, userBody, type TestContext } from '../helpers/app.js';

const PASSWORD = 'correct horse battery staple';

const from = fromAddress;

afterEach(() => {
  vi.useRealTimers();
});

describe('failed /auth attempts per client address', () => {
  let t: TestContext;
  beforeAll(async () => {
    // No account lockout or throttle here: what is measured is the address limit alone.
    t = await createTestContext({ auth: { lockoutThreshold: 100, throttleThreshold: 99 } });
    expect((await t.client.request('POST', '/Users', userBody('kim@example.com', { password: PASSWORD }))).status).toBe(201);
  });
  afterAll(() => t.close());

  const login = (address: string, password: string, headers: Record<string, string> = {}) =>
    t.app.request(
      '/auth/login',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: JSON.stringify({ tenant: 'acme', userName: 'kim@example.com', password }),
      },
      from(address),
    );

  async function fail(address: string, times: number, headers: Record<string, string> = {}) {
    for (let i = 0; i < times; i++) expect((await login(address, `guess ${i}`, headers)).status).toBe(401);
  }

  it('answers 429 with Retry-After once 20 attempts failed within a minute, until the minute ends', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    await fail('192.0.2.1', 20);
    const refused = await login('192.0.2.1', `guess 21`);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
    expect(refused.headers.get('cache-control')).toBe('no-store');
    expect(await refused.json()).toEqual({ error: 'too_many_requests', detail: expect.stringMatching(/more than 20 a minute.*try again in \d+ s/) });
    // The right password too: the address is refused, not the guess.
    expect((await login('192.0.2.1', PASSWORD)).status).toBe(429);

    vi.setSystemTime(Date.now() + 61_000);
    expect((await login('192.0.2.1', PASSWORD)).status).toBe(200);
  });

  it('does not count successful sign-ins', async () => {
    await fail('192.0.2.2', 19);
    for (let i = 0; i < 5; i++) expect((await login('192.0.2.2', PASSWORD)).status).toBe(200);
    await fail('192.0.2.2', 1);
    expect((await login('192.0.2.2', 'one more guess')).status).toBe(429);
  });

  it('leaves other addresses alone', async () => {
    await fail('192.0.2.3', 20);
    expect((await login('192.0.2.3', 'guess')).status).toBe(429);
    expect((await login('192.0.2.4', 'guess')).status).toBe(401);
    expect((await login('192.0.2.4', PASSWORD)).status).toBe(200);
  });

  it('shares one budget across the /auth routes that check a secret', async () => {
    await fail('192.0.2.5', 10);
    for (let i = 0; i < 10; i++) {
      const reset = await t.app.request(
        '/auth/reset',
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ token: `not-a-link-${i}`, newPassword: PASSWORD }) },
        from('192.0.2.5'),
      );
      expect(reset.status).toBe(400);
    }
    const password = await t.app.request(
      '/auth/password',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ changeToken: 'guessed', newPassword: PASSWORD }) },
      from('192.0.2.5'),
    );
    expect(password.status).toBe(429);
  });

  it('counts an IPv6 client by its /64, where it could take a fresh address for every guess', async () => {
    for (let i = 0; i < 20; i++) expect((await login(`2001:db8:1:2::${(i + 1).toString(16)}`, 'guess')).status).toBe(401);
    expect((await login('2001:db8:1:2:ffff:ffff:ffff:fffe', 'guess')).status).toBe(429);
    expect((await login('2001:db8:1:3::1', 'guess')).status).toBe(401);
  });

  it('ignores X-Forwarded-For without TRUST_PROXY: a client cannot pick its own address', async () => {
    for (let i = 0; i < 20; i++) expect((await login('192.0.2.6', 'guess', { 'X-Forwarded-For': `198.51.100.${i}` })).status).toBe(401);
    expect((await login('192.0.2.6', 'guess', { 'X-Forwarded-For': '198.51.100.99' })).status).toBe(429);
  });
});

describe('behind a trusted proxy (TRUST_PROXY=1)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext({ limits: { trustProxy: 1 }, auth: { throttleThreshold: 99, lockoutThreshold: 100 } });
  });
  afterAll(() => t.close());

  const PROXY = '10.0.0.2';
  const login = (forwardedFor: string) =>
    t.app.request(
      '/auth/login',
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': forwardedFor },
        body: JSON.stringify({ tenant: 'acme', userName: 'nobody@example.com', password: 'guess' }),
      },
      from(PROXY),
    );

  it('takes the right-most X-Forwarded-For entry, which the proxy wrote, as the client', async () => {
    // The client prepends entries of its own; the proxy appends the address it saw.
    for (let i = 0; i < 20; i++) expect((await login(`203.0.113.${i}, 192.0.2.10`)).status).toBe(401);
    expect((await login('203.0.113.200, 192.0.2.10')).status).toBe(429);
    // Another client behind the same proxy is another address.
    expect((await login('192.0.2.11')).status).toBe(401);
  });
});

describe('a limit of 0', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext({ limits: { authFailuresPerMinute: 0 }, auth: { throttleThreshold: 99, lockoutThreshold: 100 } });
  });
  afterAll(() => t.close());

  it('turns the /auth limit off', async () => {
    for (let i = 0; i < 30; i++) {
      const response = await t.app.request(
        '/auth/login',
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant: 'acme', userName: 'nobody', password: 'guess' }) },
        from('192.0.2.20'),
      );
      expect(response.status).toBe(401);
    }
  });
});

describe('SCIM requests per token (SCIM_RATE_LIMIT)', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext({ limits: { scimRequestsPerSecond: 3 } });
  });
  afterAll(() => t.close());

  it('lets a burst of twice the rate pass, then answers a SCIM 429 with Retry-After until the window ends', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const other = await t.newTenant('globex');
    for (let i = 0; i < 6; i++) expect((await t.client.request('GET', '/Users')).status).toBe(200);
    const refused = await t.client.request('GET', '/Users');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    expect(refused.headers.get('cache-control')).toBe('no-store');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter >= 1 && retryAfter <= 2).toBe(true);
    expect(refused.body).toEqual({ schemas: [ERROR_SCHEMA], status: '429', detail: expect.stringContaining('SCIM_RATE_LIMIT: 3 a second') });
    // Another token has its own budget.
    expect((await other.request('GET', '/Users')).status).toBe(200);

    vi.setSystemTime(Date.now() + 2001);
    expect((await t.client.request('GET', '/Users')).status).toBe(200);
  });
});

describe('SCIM requests by default', () => {
  let t: TestContext;
  beforeAll(async () => {
    t = await createTestContext();
  });
  afterAll(() => t.close());

  it('are not limited', async () => {
    const answers = await Promise.all(Array.from({ length: 40 }, () => t.client.request('GET', '/ServiceProviderConfig')));
    expect(answers.map((a) => a.status)).toEqual(Array(40).fill(200));
  });
});

describe('addressKey', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:192.0.2.1', '192.0.2.1'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:0db8:0000:0000:ffff:0000:0000:0001', '2001:db8:0:0::/64'],
    ['2001:db8:a:b:c:d:e:f', '2001:db8:a:b::/64'],
    ['2001:db8:a:b::', '2001:db8:a:b::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['1:2:3:4:5:6:192.0.2.1', '1:2:3:4::/64'],
    // Not an address (a proxy that wrote something else): kept as it is.
    ['unknown', 'unknown'],
    ['192.0.2.1:4711', '192.0.2.1:4711'],
  ])('%s counts as %s', (address, key) => {
    expect(addressKey(address)).toBe(key);
  });
});
