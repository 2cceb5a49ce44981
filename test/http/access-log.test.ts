// The access log as an operator searches it: route template, client address (TRUST_PROXY applied), user agent,
// tenant and actor; never the query string.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logger.js';
import { withStatementLog } from '../../src/store/statement-log.js';
import { createTestContext, fromAddress, userBody, type TestContext } from '../helpers/app.js';

const lines: Record<string, unknown>[] = [];
let ctx: TestContext;

beforeAll(async () => {
  ctx = await createTestContext({ logger: createLogger('info', (line) => lines.push(JSON.parse(line))), limits: { trustProxy: 1 } });
});
afterAll(() => ctx.close());

async function logged(path: string, init: RequestInit, address = '192.0.2.10'): Promise<Record<string, unknown>> {
  const requestId = `access-${lines.length}-${Math.random().toString(36).slice(2)}`;
  const response = await ctx.app.request(path, { ...init, headers: { ...(init.headers as Record<string, string>), 'X-Request-Id': requestId } }, fromAddress(address));
  await response.arrayBuffer();
  const line = lines.find((entry) => entry.msg === 'request' && entry.requestId === requestId);
  if (!line) throw new Error(`no access line for ${path}`);
  return line;
}

describe('the access log', () => {
  it('names the route template, the tenant and the token, in any spelling of the path', async () => {
    const auth = { Authorization: `Bearer ${ctx.client.token}`, 'Content-Type': 'application/scim+json' };
    const created = await ctx.client.request('POST', '/Users', userBody('logged@example.com'));
    const id = String(created.body.id);
    const line = await logged(`/scim/v2/users/${id}?attributes=userName`, { headers: auth });
    expect(line).toMatchObject({
      method: 'GET',
      path: `/scim/v2/Users/${id}`,
      route: '/scim/v2/Users/:id',
      status: 200,
      tenant: 'acme',
      tenantId: ctx.client.tenantId,
      actor: expect.stringMatching(/^token:[0-9a-f-]{36}$/),
    });
    expect(JSON.stringify(line)).not.toContain('attributes=');
    const missing = await logged('/scim/v2/Nowhere', { headers: auth });
    expect(missing).toMatchObject({ status: 404, route: null });
  });

  it('takes the client address from X-Forwarded-For as far as TRUST_PROXY says, and a printable, bounded user agent', async () => {
    const line = await logged('/healthz', { headers: { 'X-Forwarded-For': '203.0.113.9, 198.51.100.7', 'User-Agent': `Okta SCIM Client\u0007 ${'x'.repeat(300)}` } });
    // One trusted proxy: the right-most entry, the one it appended.
    expect(line).toMatchObject({ route: '/healthz', client: '198.51.100.7', actor: null, tenant: null, tenantId: null });
    expect(line.userAgent).toMatch(/^Okta SCIM Client\? x+\.\.\.$/);
    expect((line.userAgent as string).length).toBe(203);
    const bare = await logged('/healthz', {}, '192.0.2.44');
    expect(bare).toMatchObject({ client: '192.0.2.44', userAgent: null });
  });

  it('names a portal user by its id, from its session', async () => {
    const password = 'a long and unusual passphrase 42';
    const created = await ctx.client.request('POST', '/Users', userBody('portal.user@example.com', { password }));
    expect(created.status).toBe(201);
    const login = await ctx.app.request('/auth/login', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenant: 'acme', userName: 'portal.user@example.com', password }),
    });
    const { token } = (await login.json()) as { token: string };
    const line = await logged('/scim/v2/Me', { headers: { Authorization: `Bearer ${token}` } });
    expect(line).toMatchObject({ route: '/scim/v2/Me', status: 200, tenant: 'acme', tenantId: ctx.client.tenantId, actor: `user:${String(created.body.id)}` });
  });
});

describe('LOG_LEVEL=debug', () => {
  it('logs each SQL statement with its duration and rows, and never its parameters', async () => {
    const debugLines: Record<string, unknown>[] = [];
    const logger = createLogger('debug', (line) => debugLines.push(JSON.parse(line)));
    const debug = await createTestContext({ logger, wrapStore: (store) => withStatementLog(store, logger) });
    try {
      const secretName = `statement-${Math.random().toString(36).slice(2)}@example.com`;
      expect((await debug.client.request('POST', '/Users', userBody(secretName))).status).toBe(201);
      const found = await debug.client.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "${secretName}"`)}`);
      expect(found.body.totalResults).toBe(1);
      const sql = debugLines.filter((line) => line.msg === 'sql');
      expect(sql.length).toBeGreaterThan(2);
      for (const line of sql) {
        expect(line).toMatchObject({ level: 'debug', statement: expect.any(String), ms: expect.any(Number), inTransaction: expect.any(Boolean) });
      }
      expect(sql.some((line) => line.inTransaction === true && String(line.statement).startsWith('with inserted as ( insert into users'))).toBe(true);
      expect(sql.some((line) => line.inTransaction === false && typeof line.rows === 'number')).toBe(true);
      expect(JSON.stringify(debugLines)).not.toContain(secretName);
      expect(JSON.stringify(debugLines)).not.toContain(debug.client.token);
    } finally {
      await debug.close();
    }
  });
});
