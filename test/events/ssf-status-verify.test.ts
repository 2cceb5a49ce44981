// /ssf/status (OpenID SSF 1.0 §8.1.2) and /ssf/verify (§8.1.4): a stream enabled, paused or disabled, disabling
// dropping what it held; a verification event written for the one stream that asked, at most once per interval.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, ERROR_SCHEMA, type Client, type TestContext } from '../helpers/app.js';
import { CREATE_FULL, POLL, ssfRequest, VERIFICATION, type JsonResponse } from './ssf-client.js';

let t: TestContext;
let acme: Client;
let now = new Date('2026-03-01T10:00:00Z');
const ssf = (method: string, path: string, body?: unknown, token = acme.token) => ssfRequest(t.app, token, method, path, body);

function expectError(response: JsonResponse, status: number, detail: RegExp): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status) });
  expect(response.body.detail).toMatch(detail);
}

async function newStream(): Promise<string> {
  const created = await ssf('POST', '/ssf/streams', { delivery: { method: POLL }, events_requested: [CREATE_FULL] });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body.stream_id;
}

/** An event of the tenant delivered to the stream in `state`, written as the fan-out writes it. */
async function delivery(streamId: string, state: 'pending' | 'delivered' | 'failed'): Promise<string> {
  const eventId = crypto.randomUUID();
  await t.store.query(
    `insert into events (tenant_id, id, txn, event_type, subject_key, subject, payload, toe)
     values ($1, $2, 'r1', $3, 'User:1', '{"format":"opaque","id":"1"}', '{}', now())`,
    [acme.tenantId, eventId, CREATE_FULL],
  );
  await t.store.query(
    `insert into event_deliveries (tenant_id, stream_id, event_id, jti, seq, subject_key, state)
     select $1, $2, $3, $4, seq, 'User:1', $5 from events where tenant_id = $1 and id = $3`,
    [acme.tenantId, streamId, eventId, crypto.randomUUID(), state],
  );
  return eventId;
}

const deliveries = (streamId: string) =>
  t.store.query<{ event_id: string; state: string; jti: string; subject_key: string; seq: unknown }>(
    'select event_id, state, jti, subject_key, seq from event_deliveries where tenant_id = $1 and stream_id = $2 order by seq',
    [acme.tenantId, streamId],
  );

beforeAll(async () => {
  t = await createTestContext({ clock: () => now });
  acme = t.client;
});
afterAll(() => t.close());

describe('status', () => {
  it('starts enabled, is paused and enabled again with a reason; pausing keeps what the stream holds', async () => {
    const id = await newStream();
    const read = await ssf('GET', `/ssf/status?stream_id=${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.get('cache-control')).toBe('no-store');
    expect(read.body).toEqual({ stream_id: id, status: 'enabled' });
    const pending = await delivery(id, 'pending');

    const paused = await ssf('POST', '/ssf/status', { stream_id: id, status: 'paused', reason: 'Maintenance window' });
    expect(paused.status).toBe(200);
    expect(paused.body).toEqual({ stream_id: id, status: 'paused', reason: 'Maintenance window' });
    expect((await ssf('GET', `/ssf/status?stream_id=${id}`)).body).toEqual({ stream_id: id, status: 'paused', reason: 'Maintenance window' });
    expect((await ssf('GET', `/ssf/streams?stream_id=${id}`)).body).toMatchObject({ status: 'paused', reason: 'Maintenance window', pending: 1 });
    expect((await deliveries(id)).map((d) => d.event_id)).toEqual([pending]);

    const enabled = await ssf('POST', '/ssf/status', { stream_id: id, status: 'enabled' });
    expect(enabled.body).toEqual({ stream_id: id, status: 'enabled' });
    expect((await ssf('GET', `/ssf/status?stream_id=${id}`)).body).toEqual({ stream_id: id, status: 'enabled' });
  });

  it('disabling deletes the stream\'s pending deliveries, and only those', async () => {
    const id = await newStream();
    const other = await newStream();
    await delivery(id, 'pending');
    await delivery(id, 'pending');
    const done = await delivery(id, 'delivered');
    const failed = await delivery(id, 'failed');
    const elsewhere = await delivery(other, 'pending');

    const disabled = await ssf('POST', '/ssf/status', { stream_id: id, status: 'disabled', reason: 'Receiver retired' });
    expect(disabled.status).toBe(200);
    expect(disabled.body).toEqual({ stream_id: id, status: 'disabled', reason: 'Receiver retired' });
    expect((await deliveries(id)).map((d) => d.event_id).sort()).toEqual([done, failed].sort());
    expect((await deliveries(other)).map((d) => d.event_id)).toEqual([elsewhere]);
    expect((await ssf('GET', `/ssf/streams?stream_id=${id}`)).body).toMatchObject({ status: 'disabled', pending: 0 });
  });

  it('refuses what it cannot do, in words', async () => {
    const id = await newStream();
    expectError(await ssf('POST', '/ssf/status', { stream_id: id, status: 'stopped' }), 400, /"enabled", "paused" or "disabled"/);
    expectError(await ssf('POST', '/ssf/status', { status: 'paused' }), 400, /stream_id is required/);
    expectError(await ssf('POST', '/ssf/status', { stream_id: id, status: 'paused', subject: { format: 'opaque', id: 'x' } }), 400, /not per subject/);
    expectError(await ssf('POST', '/ssf/status', { stream_id: id, status: 'paused', reason: 7 }), 400, /reason must be a string/);
    expectError(await ssf('GET', '/ssf/status'), 400, /needs the stream_id query parameter/);
    expectError(await ssf('GET', `/ssf/status?stream_id=${crypto.randomUUID()}`), 404, /No event stream/);
    expectError(await ssf('POST', '/ssf/status', { stream_id: 'nope', status: 'paused' }), 404, /No event stream "nope"/);
    expect((await ssf('GET', `/ssf/status?stream_id=${id}`)).body.status).toBe('enabled');
  });
});

describe('verification', () => {
  let id: string;
  let bystander: string;
  let tenants = 0;
  beforeEach(async () => {
    now = new Date(now.getTime() + 3_600_000);
    // A tenant of its own for each test: a tenant's streams are limited in number.
    acme = await t.newTenant(`verifier-${++tenants}`);
    id = await newStream();
    bystander = await newStream();
  });

  it('writes one verification event, with the state, and one delivery for that stream only (204)', async () => {
    const asked = await ssf('POST', '/ssf/verify', { stream_id: id, state: 'VGhpcyBpcyBhIHN0YXRl' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(204);
    expect(asked.body).toBeUndefined();
    const events = await t.store.query<{ id: string; event_type: string; subject: unknown; payload: unknown; subject_key: string; toe: Date; txn: string }>(
      'select id, event_type, subject, payload, subject_key, toe, txn from events where tenant_id = $1 and event_type = $2 and subject_key = $3',
      [acme.tenantId, VERIFICATION, `Stream:${id}`],
    );
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      subject: { format: 'opaque', id },
      payload: { [VERIFICATION]: { state: 'VGhpcyBpcyBhIHN0YXRl' } },
      toe: now,
      txn: expect.any(String),
    });
    const mine = await deliveries(id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ event_id: events[0]!.id, state: 'pending', subject_key: `Stream:${id}`, jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(await deliveries(bystander)).toEqual([]);
    expect(await t.store.query('select 1 from event_deliveries where event_id = $1', [events[0]!.id])).toHaveLength(1);
  });

  it('needs no state, and is sent whatever the stream requested', async () => {
    expect((await ssf('PATCH', '/ssf/streams', { stream_id: id, events_requested: [] })).status).toBe(200);
    expect((await ssf('POST', '/ssf/verify', { stream_id: id })).status).toBe(204);
    const [event] = await t.store.query<{ payload: unknown }>('select payload from events where subject_key = $1', [`Stream:${id}`]);
    expect(event!.payload).toEqual({ [VERIFICATION]: {} });
    expect(await deliveries(id)).toHaveLength(1);
  });

  it('is asked for at most once per min_verification_interval (429 with Retry-After)', async () => {
    const interval = (await ssf('GET', `/ssf/streams?stream_id=${id}`)).body.min_verification_interval as number;
    expect(interval).toBeGreaterThan(0);
    expect((await ssf('POST', '/ssf/verify', { stream_id: id, state: 'one' })).status).toBe(204);
    now = new Date(now.getTime() + 1000);
    const again = await ssf('POST', '/ssf/verify', { stream_id: id, state: 'two' });
    expectError(again, 429, /min_verification_interval/);
    expect(Number(again.headers.get('retry-after'))).toBe(interval - 1);
    // Another stream is not held back by this one's.
    expect((await ssf('POST', '/ssf/verify', { stream_id: bystander })).status).toBe(204);
    now = new Date(now.getTime() + interval * 1000);
    expect((await ssf('POST', '/ssf/verify', { stream_id: id, state: 'three' })).status).toBe(204);
    expect(await deliveries(id)).toHaveLength(2);
  });

  it('is held on a paused stream and refused on a disabled one', async () => {
    expect((await ssf('POST', '/ssf/status', { stream_id: id, status: 'paused' })).status).toBe(200);
    expect((await ssf('POST', '/ssf/verify', { stream_id: id })).status).toBe(204);
    expect(await deliveries(id)).toHaveLength(1);
    now = new Date(now.getTime() + 3_600_000);
    expect((await ssf('POST', '/ssf/status', { stream_id: id, status: 'disabled' })).status).toBe(200);
    expect(await deliveries(id)).toEqual([]);
    expectError(await ssf('POST', '/ssf/verify', { stream_id: id }), 409, /disabled.*enable it/);
    expect(await deliveries(id)).toEqual([]);
  });

  it('refuses bad requests without writing anything', async () => {
    expectError(await ssf('POST', '/ssf/verify', {}), 400, /stream_id is required/);
    expectError(await ssf('POST', '/ssf/verify', { stream_id: id, state: 5 }), 400, /state must be a string/);
    expectError(await ssf('POST', '/ssf/verify', { stream_id: id, extra: 1 }), 400, /no member "extra"/);
    expectError(await ssf('POST', '/ssf/verify', { stream_id: crypto.randomUUID() }), 404, /No event stream/);
    expectError(await ssf('POST', '/ssf/verify', ''), 400, /empty/);
    expect(await deliveries(id)).toEqual([]);
  });
});
