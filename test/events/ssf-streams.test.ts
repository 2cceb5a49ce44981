// /ssf/streams (OpenID SSF 1.0 §8.1.1): create, read, list, update (PATCH, PUT) and delete a tenant's streams; what
// events they get; where they may push; the sealed push credential; who may configure them; one tenant's streams
// invisible to another; the limit on their number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSecretBox } from '../../src/auth/secret-box.js';
import { authorizationContext, DEFAULT_MAX_STREAMS } from '../../src/events/streams/service.js';
import { SUPPORTED_EVENTS } from '../../src/events/streams/supported-events.js';
import type { Logger } from '../../src/http/logger.js';
import { serverSecret } from '../../src/store/secrets.js';
import { createTestContext, ERROR_SCHEMA, groupBody, postJson, PUBLIC_URL, userBody, type Client, type TestContext } from '../helpers/app.js';
import { CREATE_FULL, PATCH_NOTICE, POLL, PUSH, ssfRequest, testResolver, VERIFICATION, type JsonResponse } from './ssf-client.js';

const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PASSWORD = 'correct horse battery staple';
const RECEIVER = 'https://receiver.example/events';

let t: TestContext;
let acme: Client;
const logged: { msg: string; fields: Record<string, unknown> | undefined }[] = [];
const logger: Logger = {
  debug() {},
  info: (msg, fields) => void logged.push({ msg, fields }),
  warn: (msg, fields) => void logged.push({ msg, fields }),
  error() {},
};
const security = (event: string) => logged.filter((l) => l.msg === 'security' && l.fields?.event === event).map((l) => l.fields!);
const ssf = (method: string, path: string, body?: unknown, token = acme.token) => ssfRequest(t.app, token, method, path, body);
const create = (body: unknown, token?: string) => ssf('POST', '/ssf/streams', body, token);
const push = (extra: Record<string, unknown> = {}) => ({ delivery: { method: PUSH, endpoint_url: RECEIVER, ...extra } });

function expectError(response: JsonResponse, status: number, detail: RegExp): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/scim\+json\b/);
  expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status) });
  expect(response.body.detail).toMatch(detail);
}

const streamRow = async (id: string) =>
  (await t.store.query<{ authorization_header: string | null; endpoint_url: string | null; events_delivered: string[] }>(
    'select authorization_header, endpoint_url, events_delivered from event_streams where id = $1',
    [id],
  ))[0];

beforeAll(async () => {
  t = await createTestContext({
    logger,
    resolveHost: testResolver({
      'receiver.example': ['93.184.215.14'],
      'other.example': ['2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
      'sneaky.example': ['127.0.0.1'],
      'mixed.example': ['93.184.215.14', '10.0.0.5'],
    }),
  });
  acme = t.client;
});
afterAll(() => t.close());

describe('a push stream', () => {
  let id: string;

  it('is created (201) with what the receiver asked for and what Usher supplies', async () => {
    const created = await create({
      ...push({ authorization_header: 'Bearer receiver-secret-1' }),
      events_requested: [PATCH_NOTICE, CREATE_FULL, 'urn:example:unknown'],
      description: 'HR system',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('content-type')).toMatch(/^application\/json\b/);
    expect(created.headers.get('cache-control')).toBe('no-store');
    id = created.body.stream_id;
    expect(created.headers.get('location')).toBe(`${PUBLIC_URL}/ssf/streams?stream_id=${id}`);
    expect(created.body).toEqual({
      stream_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      iss: PUBLIC_URL,
      aud: `urn:usher:ssf:stream:${id}`,
      delivery: { method: PUSH, endpoint_url: RECEIVER, authorization_header_set: true },
      events_supported: SUPPORTED_EVENTS,
      events_requested: [PATCH_NOTICE, CREATE_FULL, 'urn:example:unknown'],
      events_delivered: [CREATE_FULL, PATCH_NOTICE],
      description: 'HR system',
      min_verification_interval: expect.any(Number),
      status: 'enabled',
      delivered: 0,
      pending: 0,
      failed: 0,
      last_error: null,
      last_error_at: null,
    });
    expect(JSON.stringify(created.body)).not.toContain('receiver-secret-1');
    // The security log names the stream, its method and the endpoint's host, and who made it; never the credential.
    expect(security('stream.created')).toEqual([
      expect.objectContaining({ tenant: acme.tenantId, streamId: id, method: PUSH, endpointHost: 'receiver.example', by: 'token', requestId: expect.any(String) }),
    ]);
    expect(JSON.stringify(logged)).not.toContain('receiver-secret-1');
  });

  it('keeps the authorization header sealed to the stream, never in the clear', async () => {
    const row = await streamRow(id);
    expect(row!.authorization_header).not.toContain('receiver-secret-1');
    const box = createSecretBox(await serverSecret(t.store, 'event-stream-secrets'));
    expect(new TextDecoder().decode(box.open(row!.authorization_header!, authorizationContext(acme.tenantId, id)))).toBe('Bearer receiver-secret-1');
    expect(box.open(row!.authorization_header!, authorizationContext(acme.tenantId, '00000000-0000-4000-8000-000000000000'))).toBeUndefined();
  });

  it('is read by stream_id, and listed with the tenant\'s streams', async () => {
    const one = await ssf('GET', `/ssf/streams?stream_id=${id}`);
    expect(one.status).toBe(200);
    expect(one.body.stream_id).toBe(id);
    expect(one.body.delivery).toEqual({ method: PUSH, endpoint_url: RECEIVER, authorization_header_set: true });
    const all = await ssf('GET', '/ssf/streams');
    expect(all.status).toBe(200);
    expect(all.body.map((s: { stream_id: string }) => s.stream_id)).toContain(id);
  });

  it('shows its pending deliveries and the counts the push keeps', async () => {
    const eventId = crypto.randomUUID();
    await t.store.query(
      `insert into events (tenant_id, id, txn, event_type, subject_key, subject, payload, toe)
       values ($1, $2, 'r1', $3, 'User:1', '{"format":"opaque","id":"1"}', '{}', now())`,
      [acme.tenantId, eventId, CREATE_FULL],
    );
    const [event] = await t.store.query<{ seq: number }>('select seq from events where id = $1', [eventId]);
    await t.store.query(
      `insert into event_deliveries (tenant_id, stream_id, event_id, jti, seq, subject_key) values ($1, $2, $3, $4, $5, 'User:1')`,
      [acme.tenantId, id, eventId, crypto.randomUUID(), event!.seq],
    );
    await t.store.query(`update event_streams set delivered_count = 7, failed_count = 2, last_error = 'HTTP 503', last_error_at = '2026-01-02T03:04:05Z' where id = $1`, [id]);
    const one = await ssf('GET', `/ssf/streams?stream_id=${id}`);
    expect(one.body).toMatchObject({ delivered: 7, pending: 1, failed: 2, last_error: 'HTTP 503', last_error_at: '2026-01-02T03:04:05.000Z' });
  });

  it('is changed by PATCH: members sent change, the others stay, events_delivered follows', async () => {
    const patched = await ssf('PATCH', '/ssf/streams', { stream_id: id, events_requested: ['URN:IETF:PARAMS:SCIM:EVENT:PROV:DELETE', VERIFICATION] });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body.events_requested).toEqual(['URN:IETF:PARAMS:SCIM:EVENT:PROV:DELETE', VERIFICATION]);
    expect(patched.body.events_delivered).toEqual(['urn:ietf:params:scim:event:prov:delete', VERIFICATION]);
    expect(patched.body.description).toBe('HR system');
    expect(patched.body.delivery).toEqual({ method: PUSH, endpoint_url: RECEIVER, authorization_header_set: true });
    // What the fan-out reads is the canonical spelling.
    expect((await streamRow(id))!.events_delivered).toEqual(['urn:ietf:params:scim:event:prov:delete', VERIFICATION]);
  });

  it('does not carry its authorization header to a new endpoint unless it is sent again', async () => {
    const moved = await ssf('PATCH', '/ssf/streams', { stream_id: id, delivery: { endpoint_url: 'https://other.example/hook' } });
    expectError(moved, 400, /send authorization_header again/);
    expect((await streamRow(id))!.endpoint_url).toBe(RECEIVER);
    const withNone = await ssf('PATCH', '/ssf/streams', { stream_id: id, delivery: { endpoint_url: 'https://other.example/hook', authorization_header: null } });
    expect(withNone.status, JSON.stringify(withNone.body)).toBe(200);
    expect(withNone.body.delivery).toEqual({ method: PUSH, endpoint_url: 'https://other.example/hook', authorization_header_set: false });
    expect((await streamRow(id))!.authorization_header).toBeNull();
  });

  it('is replaced by PUT: Receiver-Supplied members left out are cleared; a round trip of what GET gave is accepted', async () => {
    const read = (await ssf('GET', `/ssf/streams?stream_id=${id}`)).body;
    const same = await ssf('PUT', '/ssf/streams', read);
    expect(same.status, JSON.stringify(same.body)).toBe(200);
    expect(same.body).toEqual(read);
    const replaced = await ssf('PUT', '/ssf/streams', { stream_id: id, delivery: { method: PUSH, endpoint_url: RECEIVER, authorization_header: 'Bearer two' } });
    expect(replaced.status, JSON.stringify(replaced.body)).toBe(200);
    expect(replaced.body.events_requested).toEqual([]);
    expect(replaced.body.events_delivered).toEqual([]);
    expect(replaced.body.description).toBeUndefined();
    expect(replaced.body.delivery.authorization_header_set).toBe(true);
    expectError(await ssf('PUT', '/ssf/streams', { stream_id: id }), 400, /delivery is required/);
  });

  it('refuses a changed aud or iss, and members it does not know', async () => {
    expectError(await ssf('PATCH', '/ssf/streams', { stream_id: id, aud: 'https://me.example' }), 400, /aud cannot be changed/);
    expectError(await ssf('PATCH', '/ssf/streams', { stream_id: id, iss: 'https://elsewhere.example' }), 400, /iss/);
    expectError(await ssf('PATCH', '/ssf/streams', { stream_id: id, event_requested: [] }), 400, /no member "event_requested"/);
    expect((await ssf('PATCH', '/ssf/streams', { stream_id: id, aud: [`urn:usher:ssf:stream:${id}`], iss: PUBLIC_URL })).status).toBe(200);
  });

  it('is deleted (204) with its deliveries, and is then 404', async () => {
    const deleted = await ssf('DELETE', `/ssf/streams?stream_id=${id}`);
    expect(deleted.status).toBe(204);
    expect(security('stream.deleted')).toEqual([expect.objectContaining({ tenant: acme.tenantId, streamId: id, by: 'token' })]);
    expect(security('stream.changed').length).toBeGreaterThan(0);
    expect(await t.store.query('select 1 from event_deliveries where stream_id = $1', [id])).toEqual([]);
    expectError(await ssf('GET', `/ssf/streams?stream_id=${id}`), 404, /No event stream/);
    expectError(await ssf('DELETE', `/ssf/streams?stream_id=${id}`), 404, /No event stream/);
  });
});

describe('a poll stream', () => {
  it('gets its poll endpoint from Usher, and may become a push stream and back', async () => {
    const created = await create({ delivery: { method: POLL }, events_requested: [CREATE_FULL] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.stream_id;
    expect(created.body.delivery).toEqual({ method: POLL, endpoint_url: `${PUBLIC_URL}/ssf/poll/${id}` });
    expect((await streamRow(id))!.endpoint_url).toBeNull();
    expectError(await create({ delivery: { method: POLL, endpoint_url: 'https://receiver.example/x' } }), 400, /chosen by Usher/);
    expectError(await create({ delivery: { method: POLL, authorization_header: 'Bearer x' } }), 400, /no authorization_header/);

    const pushed = await ssf('PATCH', '/ssf/streams', { stream_id: id, delivery: { method: PUSH, endpoint_url: RECEIVER } });
    expect(pushed.body.delivery).toEqual({ method: PUSH, endpoint_url: RECEIVER, authorization_header_set: false });
    const polled = await ssf('PATCH', '/ssf/streams', { stream_id: id, delivery: { method: POLL } });
    expect(polled.body.delivery).toEqual({ method: POLL, endpoint_url: `${PUBLIC_URL}/ssf/poll/${id}` });
    expect((await streamRow(id))!.endpoint_url).toBeNull();
  });
});

describe('bad input', () => {
  it('is refused with a 400 that says what to send', async () => {
    expectError(await create('not json'), 400, /not valid JSON/);
    expectError(await create([]), 400, /JSON object/);
    expectError(await create({}), 400, /delivery is required/);
    expectError(await create({ delivery: { method: 'push', endpoint_url: RECEIVER } }), 400, /urn:ietf:rfc:8935/);
    expectError(await create({ delivery: { method: PUSH } }), 400, /endpoint_url is required/);
    expectError(await create({ ...push(), events_requested: 'all' }), 400, /events_requested must be an array/);
    expectError(await create({ ...push(), events_requested: [42] }), 400, /event type URI/);
    expectError(await create({ ...push(), stream_id: 'mine' }), 400, /stream_id is chosen by Usher/);
    expectError(await create({ ...push(), aud: 'https://me.example' }), 400, /aud is chosen by Usher/);
    expectError(await create({ ...push(), format: 'email' }), 400, /format is not supported/);
    expectError(await create(push({ authorization_header: 'Bearer a\r\nX-Injected: 1' })), 400, /no line breaks/);
    expectError(await create({ ...push(), description: 'x'.repeat(1001) }), 400, /description/);
    expectError(await ssf('PATCH', '/ssf/streams', { events_requested: [] }), 400, /stream_id is required/);
    expectError(await ssf('DELETE', '/ssf/streams'), 400, /needs the stream_id query parameter/);
    expectError(await ssf('GET', '/ssf/streams?stream_id=a&stream_id=b'), 400, /more than once/);
    expectError(await ssf('GET', '/ssf/streams?stream_id=not-a-uuid'), 404, /No event stream "not-a-uuid"/);
    expectError(await ssf('POST', '/ssf/nothing-here', {}), 404, /No SSF endpoint/);
    const wrongMethod = await ssf('POST', '/ssf/status/x', {});
    expect(wrongMethod.status).toBe(404);
    expect((await ssf('GET', '/ssf/verify')).status).toBe(405);
    expect(await t.store.query('select 1 from event_streams where tenant_id = $1 and description is not null and length(description) > 1000', [acme.tenantId])).toEqual([]);
  });
});

describe('the receiver URL policy', () => {
  it('refuses http to a public host, https to a private address, and a name that resolves to loopback or a private address', async () => {
    expectError(await create({ delivery: { method: PUSH, endpoint_url: 'http://receiver.example/events' } }), 400, /https/);
    expectError(await create({ delivery: { method: PUSH, endpoint_url: 'https://10.1.2.3/events' } }), 400, /not a public address/);
    expectError(await create({ delivery: { method: PUSH, endpoint_url: 'https://sneaky.example/events' } }), 400, /sneaky\.example resolves to 127\.0\.0\.1/);
    expectError(await create({ delivery: { method: PUSH, endpoint_url: 'https://mixed.example/events' } }), 400, /10\.0\.0\.5/);
    expectError(await create({ delivery: { method: PUSH, endpoint_url: 'https://nowhere.example/events' } }), 400, /does not resolve/);
    expectError(await create({ delivery: { method: PUSH, endpoint_url: 'https://user:pw@receiver.example/events' } }), 400, /user name or password/);
    expectError(await create({ delivery: { method: PUSH, endpoint_url: 'ftp://receiver.example/events' } }), 400, /https/);
    // A PATCH to such an endpoint is refused and leaves the stream as it was.
    const ok = await create({ delivery: { method: PUSH, endpoint_url: 'https://other.example/in' } });
    expect(ok.status).toBe(201);
    expectError(await ssf('PATCH', '/ssf/streams', { stream_id: ok.body.stream_id, delivery: { endpoint_url: 'https://192.168.1.10/in' } }), 400, /not a public address/);
    expect((await streamRow(ok.body.stream_id))!.endpoint_url).toBe('https://other.example/in');
    expect((await ssf('DELETE', `/ssf/streams?stream_id=${ok.body.stream_id}`)).status).toBe(204);
  });

  it('allows http to the loopback address when EVENTS_ALLOW_HTTP_LOOPBACK is on, and not when it is off', async () => {
    const loopback = await create({ delivery: { method: PUSH, endpoint_url: 'http://127.0.0.1:9999/events' } });
    expect(loopback.status, JSON.stringify(loopback.body)).toBe(201);
    expect((await ssf('DELETE', `/ssf/streams?stream_id=${loopback.body.stream_id}`)).status).toBe(204);

    const strict = await createTestContext({ eventsAllowHttpLoopback: false });
    try {
      const refused = await ssfRequest(strict.app, strict.client.token, 'POST', '/ssf/streams', { delivery: { method: PUSH, endpoint_url: 'http://127.0.0.1:9999/events' } });
      expectError(refused, 400, /must use https/);
    } finally {
      await strict.close();
    }
  });
});

describe('who may configure streams', () => {
  let helper: string;
  let boss: string;

  async function signIn(userName: string, persona: string | undefined): Promise<string> {
    const user = await acme.request('POST', '/Users', userBody(userName, { password: PASSWORD, emails: [{ value: userName, primary: true }] }));
    expect(user.status).toBe(201);
    if (persona) {
      const groups = await acme.request('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${persona}"`)}`);
      const added = await acme.request('PATCH', `/Groups/${groups.body.Resources[0].id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] });
      expect(added.status).toBe(204);
    }
    const session = await postJson(t.app, '/auth/login', { tenant: 'acme', userName, password: PASSWORD });
    expect(session.status).toBe(200);
    return session.body.token;
  }

  beforeAll(async () => {
    expect((await acme.request('POST', '/Groups', groupBody('Helpdesk', { [PERSONA]: { permissions: ['users:read', 'users:write'] } }))).status).toBe(201);
    helper = await signIn('helper@example.com', 'Helpdesk');
    boss = await signIn('boss@example.com', 'Administrator');
  });

  it('a session without events:manage is refused (403), even to read', async () => {
    expectError(await ssf('GET', '/ssf/streams', undefined, helper), 403, /"events:manage" permission/);
    expectError(await create({ delivery: { method: POLL } }, helper), 403, /events:manage/);
    expectError(await ssf('POST', '/ssf/verify', { stream_id: crypto.randomUUID() }, helper), 403, /events:manage/);
  });

  it('an administrator\'s session holds events:manage and may', async () => {
    const created = await create({ delivery: { method: POLL } }, boss);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await ssf('DELETE', `/ssf/streams?stream_id=${created.body.stream_id}`, undefined, boss)).status).toBe(204);
  });

  it('a token scoped to events:manage may; one scoped to users only may not; an unscoped one may', async () => {
    const { token: events } = await t.tenancy.createToken('acme', 'events', { scopes: ['events:manage'] });
    const { token: users } = await t.tenancy.createToken('acme', 'users', { scopes: ['users:read', 'users:write'] });
    expect((await ssf('GET', '/ssf/streams', undefined, events)).status).toBe(200);
    expectError(await ssf('GET', '/ssf/streams', undefined, users), 403, /--scope events:manage/);
    expect((await ssf('GET', '/ssf/streams')).status).toBe(200);
    // ...and the events:manage scope gives nothing on /scim/v2.
    expect((await acme.request('GET', '/Users')).status).toBe(200);
    const scim = await t.app.request('/scim/v2/Users', { headers: { Authorization: `Bearer ${events}` } });
    expect(scim.status).toBe(403);
  });

  it('no token is 401 with a challenge', async () => {
    const refused = await ssfRequest(t.app, undefined, 'GET', '/ssf/streams');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });
});

describe('tenant isolation', () => {
  it('one tenant never sees, changes, verifies or deletes another\'s stream: 404', async () => {
    const other = await t.newTenant('globex');
    const mine = await create({ delivery: { method: POLL }, events_requested: [CREATE_FULL] });
    const id = mine.body.stream_id;
    const as = (method: string, path: string, body?: unknown) => ssf(method, path, body, other.token);
    expect((await as('GET', '/ssf/streams')).body).toEqual([]);
    expectError(await as('GET', `/ssf/streams?stream_id=${id}`), 404, /No event stream/);
    expectError(await as('PATCH', '/ssf/streams', { stream_id: id, events_requested: [] }), 404, /No event stream/);
    expectError(await as('PUT', '/ssf/streams', { stream_id: id, delivery: { method: POLL } }), 404, /No event stream/);
    expectError(await as('DELETE', `/ssf/streams?stream_id=${id}`), 404, /No event stream/);
    expectError(await as('GET', `/ssf/status?stream_id=${id}`), 404, /No event stream/);
    expectError(await as('POST', '/ssf/status', { stream_id: id, status: 'disabled' }), 404, /No event stream/);
    expectError(await as('POST', '/ssf/verify', { stream_id: id }), 404, /No event stream/);
    const still = await ssf('GET', `/ssf/streams?stream_id=${id}`);
    expect(still.body).toMatchObject({ status: 'enabled', events_requested: [CREATE_FULL] });
    expect(await t.store.query('select 1 from events where tenant_id = $1', [other.tenantId])).toEqual([]);
  });
});

describe('the number of streams', () => {
  it(`is at most ${DEFAULT_MAX_STREAMS} a tenant; one more is refused with what to do`, async () => {
    const small = await t.newTenant('initech');
    const made = await Promise.all(
      Array.from({ length: DEFAULT_MAX_STREAMS + 2 }, () => ssfRequest(t.app, small.token, 'POST', '/ssf/streams', { delivery: { method: POLL } })),
    );
    expect(made.filter((r) => r.status === 201)).toHaveLength(DEFAULT_MAX_STREAMS);
    for (const refused of made.filter((r) => r.status !== 201)) expectError(refused, 409, /the most it may have \(10\); delete one/);
    const listed = await ssfRequest(t.app, small.token, 'GET', '/ssf/streams');
    expect(listed.body).toHaveLength(DEFAULT_MAX_STREAMS);
  });
});
