// How the server hands over the admin console: one page for its routes and the mail links, hashed assets, strict headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

describe('the admin console', () => {
  it('serves the same page at /admin, its sub-paths and the mail links, with a strict policy and no caching', async () => {
    for (const path of ['/admin', '/admin/users', '/admin/users/0b7c/history', '/reset?token=ulink_x', '/welcome?token=ulink_x']) {
      const response = await t.app.request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/html/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      const html = await response.text();
      expect(html).toMatch(/<script type="module" src="\/admin\/assets\/app-[\w-]+\.js"><\/script>/);
      expect(html).not.toMatch(/<script>|style="/);
    }
  });

  it('serves the built assets, named by their content, to be cached for good', async () => {
    const html = await (await t.app.request('/admin')).text();
    const script = /src="(\/admin\/assets\/app-[\w-]+\.js)"/.exec(html)![1]!;
    const stylesheet = /href="(\/admin\/assets\/styles-[\w-]+\.css)"/.exec(html)![1]!;
    const js = await t.app.request(script);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.text()).length).toBeGreaterThan(1000);
    expect((await t.app.request(stylesheet)).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers 404 for any other asset name, never a file outside the assets', async () => {
    for (const path of ['/admin/assets/nope.js', '/admin/assets/..%2Fmanifest.json', '/admin/assets/%2e%2e%2fbuild.js', '/admin/assets/app.exe']) {
      expect((await t.app.request(path)).status, path).toBe(404);
    }
  });
});
