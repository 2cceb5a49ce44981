// The console's assets compressed as the client accepts (brotli, then gzip), with Vary; no dangling source map.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseEncoding } from '../../src/http/console.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

let t: TestContext;
let script: string;
beforeAll(async () => {
  t = await createTestContext();
  const html = await (await t.app.request('/admin')).text();
  script = /src="(\/admin\/assets\/app-[\w-]+\.js)"/.exec(html)![1]!;
});
afterAll(() => t.close());

const get = (path: string, acceptEncoding?: string) => t.app.request(path, { headers: acceptEncoding === undefined ? {} : { 'Accept-Encoding': acceptEncoding } });

describe('console assets', () => {
  it('answers brotli, gzip or plain by Accept-Encoding, always with Vary: Accept-Encoding, the same bytes inside', async () => {
    const plain = await get(script);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toBe('Accept-Encoding');
    const original = Buffer.from(await plain.arrayBuffer());

    const br = await get(script, 'gzip, deflate, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    const brBody = Buffer.from(await br.arrayBuffer());
    expect(brBody.length).toBeLessThan(original.length / 2);
    expect(brotliDecompressSync(brBody).equals(original)).toBe(true);

    const gz = await get(script, 'gzip');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(gunzipSync(Buffer.from(await gz.arrayBuffer())).equals(original)).toBe(true);

    const stylesheet = /href="(\/admin\/assets\/styles-[\w-]+\.css)"/.exec(await (await get('/admin')).text())![1]!;
    expect((await get(stylesheet, 'br;q=0, gzip')).headers.get('content-encoding')).toBe('gzip');
  });

  it('has no sourceMappingURL in the bundle, and serves no map', async () => {
    const text = await (await get(script)).text();
    expect(text).not.toContain('sourceMappingURL');
    expect((await get(`${script}.map`)).status).toBe(404);
  });

  it('chooses by the q-values', () => {
    expect(chooseEncoding(undefined)).toBe('identity');
    expect(chooseEncoding('')).toBe('identity');
    expect(chooseEncoding('br;q=0, gzip;q=0.5')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('identity')).toBe('identity');
    expect(chooseEncoding('gzip;q=0, br;q=0')).toBe('identity');
  });
});
