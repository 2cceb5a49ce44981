// Bearer authentication (RFC 6750 §3, RFC 7644 §2), health checks, SCIM 404s and request ids, through the real app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, createTestContext, userBody, type TestContext } from '../helpers/app.js';

const SCIM_JSON = 'application/scim+json; charset=utf-8';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

async function raw(path: string, headers: Record<string, string> = {}, init: RequestInit = {}): Promise<Response> {
  return t.app.request(path, { ...init, headers });
}

async function expectUnauthorized(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get('content-type')).toBe(SCIM_JSON);
  expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="[^"]+"/);
  const body = await response.json();
  expect(body).toEqual({ schemas: [ERROR_SCHEMA], status: '401', detail: expect.any(String) });
}

describe('bearer authentication', () => {
  it('accepts the tenant\'s token', async () => {
    const response = await raw('/scim/v2/Users', { Authorization: `Bearer ${t.client.token}` });
    expect(response.status).toBe(200);
  });

  it('accepts the scheme name in any case', async () => {
    const response = await raw('/scim/v2/Users', { Authorization: `bearer ${t.client.token}` });
    expect(response.status).toBe(200);
  });

  it('answers 401 with WWW-Authenticate when the Authorization header is missing', async () => {
    await expectUnauthorized(await raw('/scim/v2/Users'));
    await expectUnauthorized(await raw('/scim/v2/ServiceProviderConfig'));
  });

  it.each([
    ['another scheme', () => `Basic ${Buffer.from('user:pass').toString('base64')}`],
    ['a bare token', () => t.client.token],
    ['Bearer without a token', () => 'Bearer'],
    ['Bearer with an empty token', () => 'Bearer '],
    ['a token with spaces', () => `Bearer ${t.client.token} extra`],
    ['a token with characters outside b64token', () => `Bearer ${t.client.token}!`],
    ['an overlong token', () => `Bearer ${'a'.repeat(10_000)}`],
  ])('answers 401 to a malformed header: %s', async (_label, header) => {
    await expectUnauthorized(await raw('/scim/v2/Users', { Authorization: header() }));
  });

  it('answers 401 to an unknown token', async () => {
    await expectUnauthorized(await raw('/scim/v2/Users', { Authorization: 'Bearer usher_doesnotexist0123456789' }));
    await expectUnauthorized(await raw('/scim/v2/Users', { Authorization: `Bearer ${t.client.token}x` }));
  });

  it('answers 401 to a revoked token, with the same body as an unknown one, and writes nothing', async () => {
    const { token, info } = await t.tenancy.createToken('acme', 'to-revoke');
    expect((await raw('/scim/v2/Users', { Authorization: `Bearer ${token}` })).status).toBe(200);
    await t.tenancy.revokeToken(info.id);

    const revoked = await raw('/scim/v2/Users', { Authorization: `Bearer ${token}` });
    const unknown = await raw('/scim/v2/Users', { Authorization: 'Bearer usher_doesnotexist0123456789' });
    expect(await revoked.clone().json()).toEqual(await unknown.json());
    await expectUnauthorized(revoked);

    const write = await t.app.request('/scim/v2/Users', {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify(userBody('written-with-revoked-token')),
    });
    await expectUnauthorized(write);
    expect(await t.store.query(`select 1 from users where user_name = 'written-with-revoked-token'`)).toHaveLength(0);
    // The tenant's other token still works.
    expect((await raw('/scim/v2/Users', { Authorization: `Bearer ${t.client.token}` })).status).toBe(200);
  });
});

describe('health checks', () => {
  it('answers /healthz and /readyz without authentication', async () => {
    const health = await raw('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await raw('/readyz');
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok' });
  });
});

describe('unknown paths', () => {
  it('answers 404 with a SCIM error under /scim/v2', async () => {
    // (/Me exists now: with an API token it is 501, tested with the sign-in flows.)
    for (const path of ['/Printers', '/Users/00000000-0000-4000-8000-000000000000/extra']) {
      const response = await t.client.request('GET', path);
      expect(response.status, path).toBe(404);
      expect(response.headers.get('content-type')).toBe(SCIM_JSON);
      expect(response.body).toEqual({ schemas: [ERROR_SCHEMA], status: '404', detail: expect.stringContaining(path) });
    }
  });

  it('still asks for authentication first under /scim/v2', async () => {
    await expectUnauthorized(await raw('/scim/v2/Printers'));
  });

  it('answers 404 outside /scim/v2 without a SCIM body', async () => {
    const response = await raw('/nothing-here');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).not.toBe(SCIM_JSON);
  });
});

describe('X-Request-Id', () => {
  it('echoes a sane request id on success and on errors', async () => {
    const ok = await raw('/scim/v2/Users', { Authorization: `Bearer ${t.client.token}`, 'X-Request-Id': 'req-123.abc:def' });
    expect(ok.headers.get('x-request-id')).toBe('req-123.abc:def');
    const unauthorized = await raw('/scim/v2/Users', { 'X-Request-Id': 'req-401' });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('x-request-id')).toBe('req-401');
    const notFound = await raw('/scim/v2/Users/not-a-uuid', { Authorization: `Bearer ${t.client.token}`, 'X-Request-Id': 'req-404' });
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('x-request-id')).toBe('req-404');
    expect((await raw('/healthz', { 'X-Request-Id': 'req-health' })).headers.get('x-request-id')).toBe('req-health');
  });

  it('replaces a missing or unsafe request id with a fresh UUID', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const first = (await raw('/healthz')).headers.get('x-request-id');
    const second = (await raw('/healthz')).headers.get('x-request-id');
    expect(first).toMatch(uuid);
    expect(second).toMatch(uuid);
    expect(first).not.toBe(second);
    const unsafe = await raw('/healthz', { 'X-Request-Id': 'bad id <script>' });
    expect(unsafe.headers.get('x-request-id')).toMatch(uuid);
    const long = await raw('/healthz', { 'X-Request-Id': 'a'.repeat(200) });
    expect(long.headers.get('x-request-id')).toMatch(uuid);
  });
});
