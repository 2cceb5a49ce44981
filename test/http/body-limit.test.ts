// Bounded request bodies on every route, chunked or not, and Cache-Control: no-store on every /scim/v2 and /auth answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, createTestContext, userBody, type TestContext } from '../helpers/app.js';

const AUTH_BOUND = 16 * 1024;
const SCIM_BOUND = 8 * 1024;

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ maxPayloadSize: SCIM_BOUND });
});
afterAll(() => t.close());

/**
 * A body sent as a stream with no Content-Length (what a chunked upload is to the app): `prefix`, then `fill` bytes
 * without end, or up to `total`. `pulled()` is what the app took from it.
 */
function streamed(prefix: string, total = Infinity): { body: ReadableStream<Uint8Array>; pulled: () => number } {
  const encoder = new TextEncoder();
  let sent = 0;
  const chunk = encoder.encode(' '.repeat(4096));
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const head = encoder.encode(prefix);
      sent += head.length;
      controller.enqueue(head);
    },
    pull(controller) {
      if (sent >= total) return controller.close();
      const piece = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
  return { body, pulled: () => sent };
}

function post(path: string, body: ReadableStream<Uint8Array> | string, headers: Record<string, string> = {}) {
  return t.app.request(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
    ...(typeof body === 'string' ? {} : { duplex: 'half' }),
  } as RequestInit);
}

describe('/auth bodies are bounded at 16 KiB', () => {
  it('refuses an endless body with no Content-Length once past the bound, without reading on', async () => {
    const { body, pulled } = streamed('{"tenant":"acme","userName":"x","password":"');
    const response = await post('/auth/login', body);
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ error: 'payload_too_large', detail: `The request body is larger than ${AUTH_BOUND} bytes.` });
    // The stream's own read-ahead aside, nothing past the bound was taken.
    expect(pulled()).toBeLessThan(AUTH_BOUND + 64 * 1024);
  });

  it('refuses a declared Content-Length over the bound before reading it', async () => {
    const { body, pulled } = streamed('{', AUTH_BOUND + 1);
    const response = await post('/auth/login', body, { 'Content-Length': String(AUTH_BOUND + 1) });
    expect(response.status).toBe(413);
    expect(pulled()).toBeLessThan(AUTH_BOUND);
  });

  it('reads a streamed body within the bound as usual', async () => {
    const json = JSON.stringify({ tenant: 'acme', userName: 'nobody@example.com', password: 'wrong password' });
    const { body } = streamed(json.padEnd(AUTH_BOUND, ' '), AUTH_BOUND);
    const response = await post('/auth/login', body);
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_credentials');
  });
});

describe('/scim/v2 bodies are bounded at MAX_PAYLOAD_SIZE', () => {
  const auth = () => ({ Authorization: `Bearer ${t.client.token}`, 'Content-Type': 'application/scim+json' });

  it('refuses an endless streamed body with a SCIM 413 naming the bound, without reading on', async () => {
    const { body, pulled } = streamed('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"');
    const response = await post('/scim/v2/Users', body, auth());
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(response.headers.get('cache-control')).toBe('no-store');
    // RFC 7644 §3.12 gives 413 no scimType.
    expect(await response.json()).toEqual({
      schemas: [ERROR_SCHEMA],
      status: '413',
      detail: `The request body is larger than maxPayloadSize (${SCIM_BOUND} bytes).`,
    });
    expect(pulled()).toBeLessThan(SCIM_BOUND + 64 * 1024);
  });

  it('creates from a streamed body within the bound', async () => {
    const json = JSON.stringify(userBody('streamed@example.com'));
    const { body } = streamed(json, json.length);
    const response = await post('/scim/v2/Users', body, auth());
    expect(response.status).toBe(201);
  });
});

describe('routes that take no body', () => {
  it.each(['/healthz', '/readyz', '/admin', '/nowhere'])('refuse one on %s', async (path) => {
    const { body, pulled } = streamed('x');
    const response = await post(path, body);
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toEqual({ error: 'payload_too_large', detail: `POST ${path} takes no request body.` });
    expect(pulled()).toBeLessThan(64 * 1024);
  });

  it('refuse a GET announcing a chunked body, which Node would otherwise read and throw away', async () => {
    const response = await t.app.request('/healthz', { headers: { 'Transfer-Encoding': 'chunked' } });
    expect(response.status).toBe(413);
  });

  it('include every GET, on /scim/v2 and /auth too', async () => {
    const scim = await t.app.request('/scim/v2/Users', { headers: { Authorization: `Bearer ${t.client.token}`, 'Transfer-Encoding': 'chunked' } });
    expect(scim.status).toBe(413);
    expect(await scim.json()).toEqual({ schemas: [ERROR_SCHEMA], status: '413', detail: 'GET takes no request body.' });
    const auth = await t.app.request('/auth/session', { headers: { 'Content-Length': '5' } });
    expect(auth.status).toBe(413);
    expect(await auth.json()).toEqual({ error: 'payload_too_large', detail: 'GET takes no request body.' });
  });

  it('answer as before without one', async () => {
    expect((await t.app.request('/healthz')).status).toBe(200);
    // /healthz is there, for GET only: 405, not 413.
    expect((await t.app.request('/healthz', { method: 'POST', headers: { 'Content-Length': '0' } })).status).toBe(405);
  });
});

describe('Cache-Control: no-store', () => {
  const scim = (method: string, path: string, headers: Record<string, string> = {}, body?: string) =>
    t.app.request(`/scim/v2${path}`, { method, headers: { Authorization: `Bearer ${t.client.token}`, ...headers }, ...(body ? { body } : {}) });

  it.each<[string, () => Response | Promise<Response>, number]>([
    ['a list', () => scim('GET', '/Users'), 200],
    ['discovery', () => scim('GET', '/ServiceProviderConfig'), 200],
    ['a 401', () => t.app.request('/scim/v2/Users'), 401],
    ['a 404 resource', () => scim('GET', '/Users/2819c223-7f76-453a-919d-413861904646'), 404],
    ['a 404 endpoint', () => scim('GET', '/Nothing'), 404],
    ['a 400', () => scim('GET', '/Users?filter=userName%20zz%20%22x%22'), 400],
    ['a 415', () => scim('POST', '/Users', { 'Content-Type': 'text/plain' }, 'x'), 415],
    ['a 413', () => scim('POST', '/Users', { 'Content-Type': 'application/scim+json' }, ' '.repeat(SCIM_BOUND + 1)), 413],
    ['a /auth 400', () => post('/auth/login', '{}'), 400],
    ['a /auth 401', () => post('/auth/login', JSON.stringify({ tenant: 'acme', userName: 'nobody', password: 'x' })), 401],
    ['a /auth 401 without a session', () => t.app.request('/auth/session'), 401],
    ['a /auth 404', () => t.app.request('/auth/nothing'), 404],
    ['a /auth 413', () => post('/auth/login', ' '.repeat(AUTH_BOUND + 1)), 413],
  ])('on %s', async (_label, request, status) => {
    const response = await request();
    expect(response.status).toBe(status);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('and not on health checks, which carry nothing personal', async () => {
    expect((await t.app.request('/healthz')).headers.get('cache-control')).toBeNull();
  });
});
