// GET /metrics as a Prometheus scraper sees it: only with METRICS_TOKEN, and counting what an operator watches.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, userBody, type TestContext } from '../helpers/app.js';
import { killAll, removeDir, startServer, tempDataDir } from '../helpers/processes.js';

const METRICS_TOKEN = randomBytes(32).toString('base64url');

/** The value of one sample line (`name{labels} value`), or undefined when the text has no such line. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('without METRICS_TOKEN', () => {
  let ctx: TestContext;
  beforeAll(async () => (ctx = await createTestContext()));
  afterAll(() => ctx.close());

  it('serves no /metrics at all', async () => {
    expect((await ctx.app.request('/metrics')).status).toBe(404);
  });
});

describe('with METRICS_TOKEN', () => {
  let ctx: TestContext;
  beforeAll(async () => (ctx = await createTestContext({ metricsToken: METRICS_TOKEN, limits: { scimRequestsPerSecond: 1 } })));
  afterAll(() => ctx.close());

  const scrape = () => ctx.app.request('/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });

  it('refuses a scraper without the token, or with another, as 401 with a Bearer challenge', async () => {
    for (const headers of [{} as Record<string, string>, { Authorization: `Bearer ${randomBytes(32).toString('base64url')}` }, { Authorization: `Bearer ${ctx.client.token}` }, { Authorization: METRICS_TOKEN }]) {
      const response = await ctx.app.request('/metrics', { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="usher-metrics"');
      expect(await response.text()).not.toContain('usher_');
    }
  });

  it('counts requests by route template, method and status, with their latency, in the text format', async () => {
    const created = await ctx.client.request('POST', '/Users', userBody('counted@example.com'));
    const id = String(created.body.id);
    for (let i = 0; i < 2; i++) {
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await ctx.client.request('GET', `/Users/${id}`)).status).toBe(200);
    }
    const response = await scrape();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(sample(text, 'usher_http_requests_total{method="GET",route="/scim/v2/Users/:id",status="200"}')).toBe(2);
    expect(sample(text, 'usher_http_requests_total{method="POST",route="/scim/v2/Users",status="201"}')).toBe(1);
    expect(sample(text, 'usher_http_request_duration_seconds_count{method="GET",route="/scim/v2/Users/:id"}')).toBe(2);
    // The id is never a label: the series are as many as the routes, not the users.
    expect(text).not.toContain(id);
    expect(sample(text, 'usher_process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('counts sign-ins by outcome and refusals by rate limit', async () => {
    const login = (password: string) =>
      ctx.app.request('/auth/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ tenant: 'acme', userName: 'nobody@example.com', password }) });
    expect((await login('not the password 1')).status).toBe(401);
    expect((await login('not the password 2')).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await ctx.client.request('GET', '/Users?count=1')).status);
    expect(statuses).toContain(429);
    const text = await (await scrape()).text();
    expect(sample(text, 'usher_security_events_total{event="login.failed"}')).toBe(2);
    expect(sample(text, 'usher_rate_limited_total{limiter="scim"}')).toBe(statuses.filter((s) => s === 429).length);
  });
});

describe('the server', { timeout: 90_000 }, () => {
  const dir = tempDataDir();
  afterAll(() => {
    killAll();
    removeDir(dir);
  });

  it('reports its statements, pool and mail queue', async () => {
    const server = await startServer({ DATA_DIR: dir, METRICS_TOKEN, USHER_BOOTSTRAP_TENANT: 'acme', USHER_BOOTSTRAP_TOKEN: METRICS_TOKEN.replace(/^./, 'x') });
    const token = METRICS_TOKEN.replace(/^./, 'x');
    const created = await fetch(`${server.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'mailed@example.com', emails: [{ value: 'mailed@example.com', primary: true }] }),
    });
    expect(created.status).toBe(201);
    const scrape = async () => (await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    // The welcome mail is queued or already written to a file: either the queue or the attempts count it. The two
    // are read apart (the queue from the database, the attempts in memory once the mail is marked written), so a
    // scrape in between may see neither for a moment: scrape again until it settles.
    let text = '';
    await expect
      .poll(async () => {
        text = await scrape();
        return sample(text, 'usher_mail_queue_depth')! + (sample(text, 'usher_mail_attempts_total{outcome="written"}') ?? 0);
      })
      .toBe(1);
    expect(sample(text, 'usher_db_statement_duration_seconds_count{database="pglite",outcome="ok"}')).toBeGreaterThan(5);
    expect(sample(text, 'usher_db_pool_size')).toBe(1);
    expect(sample(text, 'usher_db_statements_in_flight')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'usher_mail_queue_oldest_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'usher_mail_given_up')).toBe(0);
    expect(await server.stop()).toEqual({ code: 0, signal: null });
  });
});
