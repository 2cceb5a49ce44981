// POST /ssf/poll/{stream_id} (RFC 8936 §2.4) through the real app: SETs verified against the JWKS, acknowledged,
// reported as errors, returned again when not acknowledged, long polling, and tenant isolation. PGlite, or
// PostgreSQL when DATABASE_URL is set.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEventNotifier } from '../../src/events/notifier.js';
import { createSigningKeys, type SigningKeys } from '../../src/events/signing-keys.js';
import { createPollService } from '../../src/resources/ssf-poll/service.js';
import { PUBLIC_URL, createTestContext, type TestContext } from '../helpers/app.js';
import { POLL, deliveryOf, insertEvent, insertStream, streamOf, verifySet } from './delivery-fixtures.js';

const engine = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
let ctx: TestContext;
let tenantId: string;
let keys: SigningKeys;
let now = new Date('2030-01-01T00:00:00.000Z');
const advance = (ms: number) => (now = new Date(now.getTime() + ms));

beforeAll(async () => {
  ctx = await createTestContext({ clock: () => now });
  tenantId = ctx.client.tenantId;
  keys = createSigningKeys({ store: ctx.store, clock: () => new Date() });
});
afterAll(() => ctx?.close());
beforeEach(async () => {
  now = new Date('2030-01-01T00:00:00.000Z');
  await ctx.store.query('delete from event_streams');
  await ctx.store.query('delete from events');
});

async function poll(streamId: string, body: unknown, token = ctx.client.token) {
  const response = await ctx.app.request(`/ssf/poll/${streamId}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? '' : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

async function pollStream(audience = 'https://receiver.example/poll') {
  return insertStream(ctx.store, { tenantId, method: POLL, audience });
}

describe(`RFC 8936 poll (${engine})`, () => {
  it('returns the pending SETs, signed for the stream, oldest first, and says when more are available', async () => {
    const stream = await pollStream();
    const userId = randomUUID();
    const events = [];
    for (let i = 0; i < 3; i++) events.push(await insertEvent(ctx.store, tenantId, [stream.id], userId, now));

    const first = await poll(stream.id, { maxEvents: 2, returnImmediately: true });
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^application\/json/);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(first.body.moreAvailable).toBe(true);
    expect(Object.keys(first.body.sets)).toEqual(events.slice(0, 2).map((e) => e.jtis[0]));
    for (const [jti, token] of Object.entries(first.body.sets as Record<string, string>)) {
      const claims = await verifySet(keys, token, PUBLIC_URL, stream.audience);
      expect(claims).toMatchObject({ jti, sub_id: { format: 'scim', uri: `/Users/${userId}` } });
    }
    const second = await poll(stream.id, { ack: Object.keys(first.body.sets), returnImmediately: true });
    expect(Object.keys(second.body.sets)).toEqual([events[2]!.jtis[0]]);
    expect(second.body.moreAvailable).toBe(false);
    expect(await deliveryOf(ctx.store, tenantId, events[0]!.jtis[0]!)).toMatchObject({ state: 'delivered' });
    expect(await streamOf(ctx.store, tenantId, stream.id)).toMatchObject({ delivered_count: 2 });
  });

  it('acknowledges, records setErrs as failed, and returns what was neither again once its lease ends', async () => {
    const stream = await pollStream();
    const [a, b, c] = [
      await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now),
      await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now),
      await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now),
    ];
    const jti = (e: typeof a) => e.jtis[0]!;
    const got = await poll(stream.id, { returnImmediately: true });
    expect(Object.keys(got.body.sets).sort()).toEqual([jti(a), jti(b), jti(c)].sort());

    // Leased: a concurrent poll gets none of them.
    expect((await poll(stream.id, { returnImmediately: true })).body).toEqual({ sets: {}, moreAvailable: false });

    const answer = await poll(stream.id, {
      ack: [jti(a), 'not-a-jti', randomUUID()],
      setErrs: { [jti(b)]: { err: 'authentication_failed', description: 'The signature did not verify.' } },
      returnImmediately: true,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ sets: {}, moreAvailable: false });
    expect(await deliveryOf(ctx.store, tenantId, jti(a))).toMatchObject({ state: 'delivered' });
    expect(await deliveryOf(ctx.store, tenantId, jti(b))).toMatchObject({ state: 'failed', last_error: 'authentication_failed: The signature did not verify.' });
    expect(await streamOf(ctx.store, tenantId, stream.id)).toMatchObject({
      delivered_count: 1,
      failed_count: 1,
      last_error: 'authentication_failed: The signature did not verify.',
    });

    // c was never acknowledged: after the lease it comes again, with the same jti; a and b never do.
    advance(15_000);
    const again = await poll(stream.id, { returnImmediately: true });
    expect(Object.keys(again.body.sets)).toEqual([jti(c)]);
    expect((await verifySet(keys, again.body.sets[jti(c)], PUBLIC_URL, stream.audience)).jti).toBe(jti(c));
    // Acknowledging twice changes nothing more.
    await poll(stream.id, { ack: [jti(c), jti(a)], maxEvents: 0 });
    expect(await streamOf(ctx.store, tenantId, stream.id)).toMatchObject({ delivered_count: 2, failed_count: 1 });
  });

  it('gives two polls at once different SETs', async () => {
    const stream = await pollStream();
    const jtis = [];
    for (let i = 0; i < 6; i++) jtis.push((await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now)).jtis[0]);
    const [a, b] = await Promise.all([poll(stream.id, { maxEvents: 3, returnImmediately: true }), poll(stream.id, { maxEvents: 3, returnImmediately: true })]);
    const got = [...Object.keys(a.body.sets), ...Object.keys(b.body.sets)];
    expect(got).toHaveLength(6);
    expect(new Set(got)).toEqual(new Set(jtis));
  });

  it('accepts an empty body as a poll with every default', async () => {
    const stream = await pollStream();
    const e = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    const got = await poll(stream.id, undefined);
    expect(got.status).toBe(200);
    expect(Object.keys(got.body.sets)).toEqual([e.jtis[0]]);
  });

  it('long-polls: waits for an event that arrives, and answers as soon as it does', async () => {
    const stream = await pollStream();
    const started = Date.now();
    const waiting = poll(stream.id, { returnImmediately: false });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const e = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    const got = await waiting;
    const elapsed = Date.now() - started;
    expect(Object.keys(got.body.sets)).toEqual([e.jtis[0]]);
    expect(elapsed).toBeGreaterThanOrEqual(400);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('returns nothing for a paused stream and holds its SETs for when it is enabled', async () => {
    const stream = await insertStream(ctx.store, { tenantId, method: POLL, status: 'paused' });
    const e = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    expect((await poll(stream.id, { returnImmediately: true })).body).toEqual({ sets: {}, moreAvailable: false });
    await ctx.store.query("update event_streams set status = 'enabled' where tenant_id = $1 and id = $2", [tenantId, stream.id]);
    expect(Object.keys((await poll(stream.id, { returnImmediately: true })).body.sets)).toEqual([e.jtis[0]]);
  });

  it('answers 404 for another tenant’s stream, a push stream, an unknown id or one that is not a uuid', async () => {
    const stream = await pollStream();
    await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    const other = await ctx.newTenant(`other-${randomUUID().slice(0, 8)}`);
    const foreign = await poll(stream.id, { returnImmediately: true }, other.token);
    expect(foreign.status).toBe(404);
    expect(foreign.body.detail).toMatch(/No poll stream/);
    const push = await insertStream(ctx.store, { tenantId, endpointUrl: 'https://receiver.example/push' });
    expect((await poll(push.id, { returnImmediately: true })).status).toBe(404);
    expect((await poll(randomUUID(), { returnImmediately: true })).status).toBe(404);
    expect((await poll('nope', { returnImmediately: true })).status).toBe(404);
    // The other tenant's acknowledgement changed nothing either.
    expect(await streamOf(ctx.store, tenantId, stream.id)).toMatchObject({ delivered_count: 0 });
  });

  it('needs a bearer token, and events:manage from a scoped token', async () => {
    const stream = await pollStream();
    const none = await ctx.app.request(`/ssf/poll/${stream.id}`, { method: 'POST', body: '{}', headers: { 'Content-Type': 'application/json' } });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const slug = (await ctx.store.query<{ slug: string }>('select slug from tenants where id = $1', [tenantId]))[0]!.slug;
    const { token } = await ctx.tenancy.createToken(slug, 'reader', { scopes: ['users:read'] });
    const scoped = await poll(stream.id, { returnImmediately: true }, token);
    expect(scoped.status).toBe(403);
    expect(scoped.body.detail).toMatch(/events:manage/);
  });

  it('refuses a malformed poll request with a detail that shows the shape', async () => {
    const stream = await pollStream();
    const bad = await poll(stream.id, { maxEvents: -1 });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/"maxEvents".*RFC 8936/);
    expect((await poll(stream.id, { ack: 'x' })).status).toBe(400);
    expect((await poll(stream.id, { setErrs: { x: { description: 'no err' } } })).status).toBe(400);
    const notJson = await ctx.app.request(`/ssf/poll/${stream.id}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ctx.client.token}`, 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(notJson.status).toBe(400);
  });

  it('caps maxEvents', async () => {
    const stream = await pollStream();
    await ctx.store.query(
      `with e as (
         insert into events (tenant_id, id, txn, event_type, subject_key, subject, payload, toe)
         select $1, gen_random_uuid(), 't', 'urn:ietf:params:scim:event:prov:create:full', 'User:' || g, '{}'::jsonb, '{}'::jsonb, $3
           from generate_series(1, 1005) g
         returning id, seq, subject_key)
       insert into event_deliveries (tenant_id, stream_id, event_id, jti, seq, subject_key, next_attempt_at, created_at)
       select $1, $2, id, gen_random_uuid(), seq, subject_key, $3, $3 from e`,
      [tenantId, stream.id, now.toISOString()],
    );
    const got = await poll(stream.id, { maxEvents: 5000, returnImmediately: true });
    expect(Object.keys(got.body.sets)).toHaveLength(1000);
    expect(got.body.moreAvailable).toBe(true);
  });

  it('bounds a long poll: it ends at maxWaitMs, at once when notified of a new event, and when the server stops', async () => {
    const stream = await pollStream();
    const notifier = createEventNotifier();
    const shutdown = new AbortController();
    const service = createPollService({ store: ctx.store, clock: () => now, signingKeys: keys, issuer: PUBLIC_URL, notifier, maxWaitMs: 300, shutdown: shutdown.signal });
    let started = Date.now();
    expect(await service.poll(tenantId, stream.id, {})).toEqual({ sets: {}, moreAvailable: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    const patient = createPollService({ store: ctx.store, clock: () => now, signingKeys: keys, issuer: PUBLIC_URL, notifier, maxWaitMs: 20_000, shutdown: shutdown.signal });
    started = Date.now();
    const waiting = patient.poll(tenantId, stream.id, {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    const e = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    notifier.notify();
    expect(Object.keys((await waiting).sets)).toEqual([e.jtis[0]]);
    expect(Date.now() - started).toBeLessThan(800);

    started = Date.now();
    const stopping = patient.poll(tenantId, stream.id, {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    shutdown.abort();
    expect(await stopping).toEqual({ sets: {}, moreAvailable: false });
    expect(Date.now() - started).toBeLessThan(800);
  });
});
