// API tokens with scopes and an expiry, through the app and the CLI's commands: a users:read token only reads,
// an expired token is refused like an unknown one, and `token list` shows both.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand, type AdminDeps } from '../../src/admin/commands.js';
import { parseDuration } from '../../src/admin/duration.js';
import { createSecurityLog } from '../../src/auth/security-log.js';
import { createLogger } from '../../src/http/logger.js';
import { TenancyError } from '../../src/tenancy/service.js';
import { createTestContext, scimRequest, type TestContext, userBody } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

let t: TestContext;
let now = new Date('2026-06-01T12:00:00Z');
let userId: string;

const scim = (method: string, path: string, token: string, body?: unknown) => scimRequest(t.app, token, method, path, body);

beforeAll(async () => {
  t = await createTestContext({ clock: () => now });
  const created = await t.client.request('POST', '/Users', userBody('someone@example.com', { emails: [{ value: 'someone@example.com' }] }));
  expect(created.status).toBe(201);
  userId = created.body.id;
});
afterAll(() => t.close());

describe('a users:read token', () => {
  it('reads with GET and POST /.search, and nothing else', async () => {
    const { token, info } = await t.tenancy.createToken('acme', 'reports', { scopes: ['users:read'] });
    expect(info.scopes).toEqual(['users:read']);
    expect((await scim('GET', '/Users', token)).status).toBe(200);
    expect((await scim('GET', `/Users/${userId}`, token)).status).toBe(200);
    expect((await scim('GET', '/Groups', token)).status).toBe(200);
    expect((await scim('POST', '/Users/.search', token, { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'] })).status).toBe(200);
    const refused = [
      await scim('POST', '/Users', token, userBody('new@example.com')),
      await scim('PATCH', `/Users/${userId}`, token, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }),
      await scim('DELETE', `/Users/${userId}`, token),
      await scim('POST', `/Users/${userId}/password-reset`, token),
      await scim('POST', '/Bulk', token, { schemas: [BULK], Operations: [{ method: 'DELETE', path: `/Users/${userId}` }] }),
    ];
    for (const response of refused) {
      expect(response.status).toBe(403);
      expect(response.body.detail).toMatch(/"users:write" scope/);
    }
    expect((await t.client.request('GET', `/Users/${userId}`)).status).toBe(200);
  });

  it('a users:write token reads and writes', async () => {
    const { token } = await t.tenancy.createToken('acme', 'writer', { scopes: ['users:write'] });
    expect((await scim('GET', '/Users', token)).status).toBe(200);
    expect((await scim('PATCH', `/Users/${userId}`, token, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'y' }] })).status).toBe(200);
  });

  it('an unknown scope is refused when the token is made', async () => {
    await expect(t.tenancy.createToken('acme', 'bad', { scopes: ['billing:pay'] })).rejects.toThrow(TenancyError);
    await expect(t.tenancy.createToken('acme', 'bad', { scopes: [] })).rejects.toThrow(TenancyError);
  });
});

describe('token expiry', () => {
  it('an expired token gets the 401 an unknown token gets', async () => {
    const { token } = await t.tenancy.createToken('acme', 'short', { expiresAt: new Date(now.getTime() + 3_600_000) });
    expect((await scim('GET', '/Users', token)).status).toBe(200);
    const unknown = await scim('GET', '/Users', 'usher_not-a-token-at-all');
    const saved = now;
    now = new Date(now.getTime() + 3_600_000);
    try {
      const expired = await scim('GET', '/Users', token);
      expect(expired.status).toBe(401);
      expect(expired.body).toEqual(unknown.body);
    } finally {
      now = saved;
    }
  });

  it('an expiry in the past is refused', async () => {
    await expect(t.tenancy.createToken('acme', 'past', { expiresAt: new Date(now.getTime() - 1) })).rejects.toThrow(TenancyError);
  });
});

describe('usher token create and list', () => {
  const logged: string[] = [];
  const securityLog = createSecurityLog(createLogger('info', (line) => logged.push(line)));
  const deps = () => ({ tenancy: t.tenancy, clock: () => now, securityLog }) as unknown as AdminDeps;

  it('create takes scopes and an expiry; list shows them', async () => {
    const created = await runAdminCommand(deps(), { command: 'token.create', tenant: 'acme', label: 'cli-report', scopes: ['users:read'], expiresIn: 90 * 86_400 });
    expect(created.lines[0]).toContain('scope users:read  expires 2026-08-30T12:00:00.000Z');
    const token = created.lines.at(-1)!;
    expect((await scim('POST', '/Users', token, userBody('cli@example.com'))).status).toBe(403);
    const listing = (await runAdminCommand(deps(), { command: 'token.list', tenant: 'acme' })).lines;
    expect(listing.find((line) => line.includes('  cli-report  '))).toMatch(/scope users:read {2}expires 2026-08-30T12:00:00\.000Z$/);
    expect(listing.find((line) => line.includes('  test  '))).toMatch(/scope all {2}expires never$/);
    // The security log names the new token by id, never by its secret.
    const created_ = logged.map((line) => JSON.parse(line)).find((entry) => entry.event === 'token.created' && entry.label === 'cli-report');
    expect(created_).toMatchObject({ by: 'cli', tokenId: expect.any(String) });
    expect(logged.join('\n')).not.toContain(token);
  });

  it('list marks an expired token', async () => {
    await runAdminCommand(deps(), { command: 'token.create', tenant: 'acme', label: 'cli-short', expiresIn: 60 });
    const saved = now;
    now = new Date(now.getTime() + 61_000);
    try {
      const listing = (await runAdminCommand(deps(), { command: 'token.list', tenant: 'acme' })).lines;
      expect(listing.find((line) => line.includes('  cli-short  '))).toMatch(/EXPIRED$/);
    } finally {
      now = saved;
    }
  });

  it('--expires-in takes days, hours and minutes', () => {
    expect([parseDuration('90d'), parseDuration('12h'), parseDuration('30m')]).toEqual([90 * 86_400, 12 * 3_600, 30 * 60]);
    expect([parseDuration('0d'), parseDuration('90'), parseDuration('1w'), parseDuration('-1d'), parseDuration('1.5h')]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
