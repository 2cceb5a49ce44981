// Pushing events to a real receiver on 127.0.0.1 (RFC 8935) that verifies every token against the JWKS: delivered
// on 202, kept in order per subject across an outage, not retried after an RFC 8935 error, given up after the retry
// window, the URL checked again at each push. PGlite, or PostgreSQL when DATABASE_URL is set; time is a clock.
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/http/logger.js';
import { createPushWorker, type PushWorkerOptions } from '../../src/events/push-worker.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { createSigningKeys, type SigningKeys } from '../../src/events/signing-keys.js';
import { PUBLIC_URL, createTestContext, type TestContext } from '../helpers/app.js';
import { deliveryOf, freePort, insertEvent, insertStream, startReceiver, streamOf, type Receiver } from './delivery-fixtures.js';

const engine = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
let ctx: TestContext;
let tenantId: string;
let keys: SigningKeys;
let now: Date;
const clock = () => now;
const advance = (ms: number) => (now = new Date(now.getTime() + ms));
let logLines: string[];
const logger = createLogger('debug', (line) => logLines.push(line));
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  ctx = await createTestContext();
  tenantId = ctx.client.tenantId;
  keys = createSigningKeys({ store: ctx.store, clock: () => new Date() });
});
afterAll(() => ctx?.close());
beforeEach(async () => {
  now = new Date('2030-01-01T00:00:00.000Z');
  logLines = [];
  await ctx.store.query('delete from event_streams');
  await ctx.store.query('delete from events');
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function worker(options: Partial<PushWorkerOptions> = {}) {
  const w = createPushWorker({
    store: ctx.store,
    clock,
    logger,
    signingKeys: createSigningKeys({ store: ctx.store, clock }),
    issuer: PUBLIC_URL,
    allowHttpLoopback: true,
    timeoutMs: 2_000,
    pollIntervalMs: 3_600_000,
    backoff: { baseMs: 10_000, capMs: 3_600_000, jitter: 0.2 },
    random: () => 0.5,
    ...options,
  });
  cleanups.push(() => w.stop());
  return w;
}

async function receiver(audience: string, port?: number): Promise<Receiver> {
  const r = await startReceiver(keys, PUBLIC_URL, audience, port);
  cleanups.push(() => r.close());
  return r;
}

describe(`push delivery (${engine})`, () => {
  it('pushes a signed SET the receiver verifies, and records the delivery on 202', async () => {
    const audience = 'https://receiver.example/acme';
    const r = await receiver(audience);
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: r.url, audience, authorization: 'Bearer receiver-secret-1' });
    const userId = randomUUID();
    const event = await insertEvent(ctx.store, tenantId, [stream.id], userId, now);

    expect(await worker().drain()).toEqual({ delivered: 1, retried: 0, failed: 0 });

    expect(r.invalid).toEqual([]);
    expect(r.received).toHaveLength(1);
    const [got] = r.received;
    expect(got!.headers['content-type']).toBe('application/secevent+jwt');
    expect(got!.headers.accept).toBe('application/json');
    expect(got!.headers.authorization).toBe('Bearer receiver-secret-1');
    expect(got!.claims).toMatchObject({
      iss: PUBLIC_URL,
      aud: audience,
      jti: event.jtis[0],
      txn: event.txn,
      toe: Math.floor(now.getTime() / 1000),
      iat: Math.floor(now.getTime() / 1000),
      sub_id: { format: 'scim', uri: `/Users/${userId}` },
      events: { 'urn:ietf:params:scim:event:prov:create:full': { id: userId } },
    });
    const delivery = await deliveryOf(ctx.store, tenantId, event.jtis[0]!);
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 1, last_error: null });
    expect(new Date(delivery!.delivered_at!).toISOString()).toBe(now.toISOString());
    expect(await streamOf(ctx.store, tenantId, stream.id)).toMatchObject({ delivered_count: 1, failed_count: 0 });
    // Nothing is due any more: a second drain sends nothing.
    expect(await worker().drain()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    expect(r.received).toHaveLength(1);
  });

  it('delivers everything in order per subject once a receiver that was down is back, each jti taken once', async () => {
    const audience = 'https://receiver.example/outage';
    const port = await freePort();
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: `http://127.0.0.1:${port}/events`, audience });
    const users = [randomUUID(), randomUUID(), randomUUID()];
    const order = new Map<string, string[]>(users.map((u) => [`/Users/${u}`, []]));
    for (let round = 0; round < 4; round++) {
      for (const u of users) {
        const e = await insertEvent(ctx.store, tenantId, [stream.id], u, now, round === 0 ? undefined : 'urn:ietf:params:scim:event:prov:patch:full');
        order.get(`/Users/${u}`)!.push(e.jtis[0]!);
      }
    }
    const w = worker({ concurrency: 4 });

    // Down: connection refused. Only the first event of each subject is tried; the others wait behind it.
    expect(await w.drain()).toEqual({ delivered: 0, retried: 3, failed: 0 });
    const first = await deliveryOf(ctx.store, tenantId, order.get(`/Users/${users[0]}`)![0]!);
    expect(first).toMatchObject({ state: 'pending', attempts: 1 });
    expect(first!.last_error).toMatch(/cannot reach the receiver: ECONNREFUSED/);
    expect(new Date(first!.next_attempt_at).getTime() - now.getTime()).toBe(9_000);
    const failing = await streamOf(ctx.store, tenantId, stream.id);
    expect(failing.last_error).toMatch(/ECONNREFUSED/);
    expect(new Date(failing.last_error_at!).toISOString()).toBe(now.toISOString());
    expect(await deliveryOf(ctx.store, tenantId, order.get(`/Users/${users[0]}`)![1]!)).toMatchObject({ state: 'pending', attempts: 0 });

    // Up, but answering 503 at first; not due before the backoff, then tried again.
    const r = await receiver(audience, port);
    let unavailable = 3;
    r.answer = () => (unavailable-- > 0 ? { status: 503 } : { status: 202, delayMs: 20 });
    advance(8_000);
    expect(await w.drain()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    advance(1_000);
    expect(await w.drain()).toEqual({ delivered: 0, retried: 3, failed: 0 });
    expect((await deliveryOf(ctx.store, tenantId, order.get(`/Users/${users[0]}`)![0]!))!.last_error).toBe('HTTP 503');
    // Second backoff: twice the first.
    advance(17_999);
    expect(await w.drain()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    advance(1);
    expect(await w.drain()).toEqual({ delivered: 12, retried: 0, failed: 0 });

    expect(r.invalid).toEqual([]);
    const delivered = r.received.filter((x) => x.status === 202);
    const jtis = delivered.map((x) => x.claims!.jti);
    expect(new Set(jtis).size).toBe(12);
    for (const [uri, expected] of order) {
      expect(delivered.filter((x) => (x.claims!.sub_id as { uri: string }).uri === uri).map((x) => x.claims!.jti)).toEqual(expected);
    }
    // Only the first of each subject was ever sent more than once (the 503s), and never two of a subject at once.
    const repeated = r.received.filter((x) => x.status === 503).map((x) => x.claims!.jti);
    expect(new Set(repeated)).toEqual(new Set(users.map((u) => order.get(`/Users/${u}`)![0])));
    expect(r.maxInFlightPerSubject()).toBe(1);
    expect(await streamOf(ctx.store, tenantId, stream.id)).toMatchObject({ delivered_count: 12, failed_count: 0 });
  });

  it('does not retry a SET the receiver refused with an RFC 8935 error', async () => {
    const audience = 'https://receiver.example/refusing';
    const r = await receiver(audience);
    r.answer = () => ({ status: 400, body: JSON.stringify({ err: 'invalid_audience', description: 'The audience does not match this receiver.' }) });
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: r.url, audience });
    const event = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    const w = worker();
    expect(await w.drain()).toEqual({ delivered: 0, retried: 0, failed: 1 });
    expect(await deliveryOf(ctx.store, tenantId, event.jtis[0]!)).toMatchObject({
      state: 'failed',
      attempts: 1,
      last_error: 'invalid_audience: The audience does not match this receiver.',
    });
    expect(await streamOf(ctx.store, tenantId, stream.id)).toMatchObject({
      delivered_count: 0,
      failed_count: 1,
      last_error: 'invalid_audience: The audience does not match this receiver.',
    });
    advance(86_400_000);
    expect(await w.drain()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    expect(r.received).toHaveLength(1);
  });

  it('retries a 400 without an RFC 8935 error, a redirect (never followed), a 401 and a 429', async () => {
    const audience = 'https://receiver.example/odd';
    const target = await receiver(audience);
    const r = await receiver(audience);
    const answers: (() => { status: number; body?: string; headers?: Record<string, string> })[] = [
      () => ({ status: 400, body: 'bad' }),
      () => ({ status: 302, headers: { Location: target.url } }),
      () => ({ status: 401 }),
      () => ({ status: 429 }),
    ];
    let i = 0;
    r.answer = () => answers[i++]?.() ?? { status: 202 };
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: r.url, audience });
    const event = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    const metrics = createMetrics();
    const w = worker({ backoff: { baseMs: 1_000, capMs: 1_000, jitter: 0 }, counted: metrics.eventPush });
    const errors: string[] = [];
    for (let n = 0; n < 4; n++) {
      expect(await w.drain()).toEqual({ delivered: 0, retried: 1, failed: 0 });
      errors.push((await deliveryOf(ctx.store, tenantId, event.jtis[0]!))!.last_error!);
      advance(1_000);
    }
    expect(errors[0]).toBe('HTTP 400 without an RFC 8935 error (err, description)');
    expect(errors[1]).toMatch(/^HTTP 302 to http:\/\/127\.0\.0\.1:\d+\/events: redirects are not followed/);
    expect(errors.slice(2)).toEqual(['HTTP 401', 'HTTP 429']);
    expect(target.received).toHaveLength(0);
    expect(await w.drain()).toEqual({ delivered: 1, retried: 0, failed: 0 });
    const text = await metrics.registry.metrics();
    expect(text).toContain('usher_event_pushes_total{outcome="retry"} 4');
    expect(text).toContain('usher_event_pushes_total{outcome="delivered"} 1');
  });

  it('gives a delivery up as failed only after trying it for the retry window', async () => {
    const audience = 'https://receiver.example/down';
    const r = await receiver(audience);
    r.answer = () => ({ status: 503 });
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: r.url, audience });
    const event = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    const start = now.getTime();
    const w = worker();
    let failed = 0;
    while (failed === 0) {
      const result = await w.drain();
      failed = result.failed;
      if (failed === 0) {
        expect(now.getTime() - start).toBeLessThan(24 * 3_600_000);
        advance(Math.max(1, new Date((await deliveryOf(ctx.store, tenantId, event.jtis[0]!))!.next_attempt_at).getTime() - now.getTime()));
      }
    }
    expect(now.getTime() - start).toBeGreaterThanOrEqual(24 * 3_600_000);
    const delivery = await deliveryOf(ctx.store, tenantId, event.jtis[0]!);
    expect(delivery!.state).toBe('failed');
    expect(delivery!.last_error).toMatch(/^HTTP 503 \(given up after \d+ attempts over 24 h\)$/);
    // 10 s doubling to the 1 h cap (less a tenth, the fixed jitter): about 30 attempts in a day.
    expect(delivery!.attempts).toBeGreaterThan(25);
    expect(delivery!.attempts).toBeLessThan(40);
    expect(await streamOf(ctx.store, tenantId, stream.id)).toMatchObject({ failed_count: 1 });
  });

  it('checks the receiver URL again at each push: a name that now resolves to a private address gets nothing', async () => {
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: 'https://receiver.example/events', audience: 'https://receiver.example' });
    const event = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    const resolved: string[] = [];
    const w = worker({ resolve: async (host) => (resolved.push(host), ['10.1.2.3']) });
    expect(await w.drain()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    expect(resolved).toEqual(['receiver.example']);
    const delivery = await deliveryOf(ctx.store, tenantId, event.jtis[0]!);
    expect(delivery).toMatchObject({ state: 'pending', attempts: 1 });
    expect(delivery!.last_error).toBe("receiver URL refused: The receiver's host name receiver.example resolves to 10.1.2.3, which is not a public address.");
  });

  it('refuses http:// to a loopback receiver unless EVENTS_ALLOW_HTTP_LOOPBACK', async () => {
    const audience = 'https://receiver.example/loopback';
    const r = await receiver(audience);
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: r.url, audience });
    const event = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    expect(await worker({ allowHttpLoopback: false }).drain()).toEqual({ delivered: 0, retried: 1, failed: 0 });
    expect((await deliveryOf(ctx.store, tenantId, event.jtis[0]!))!.last_error).toBe('receiver URL refused: The receiver URL must use https://.');
    expect(r.received).toHaveLength(0);
  });

  it('holds the events of a paused stream and delivers them once it is enabled', async () => {
    const audience = 'https://receiver.example/paused';
    const r = await receiver(audience);
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: r.url, audience, status: 'paused' });
    const userId = randomUUID();
    const events = [await insertEvent(ctx.store, tenantId, [stream.id], userId, now), await insertEvent(ctx.store, tenantId, [stream.id], userId, now)];
    const w = worker();
    expect(await w.drain()).toEqual({ delivered: 0, retried: 0, failed: 0 });
    expect(r.received).toHaveLength(0);
    await ctx.store.query("update event_streams set status = 'enabled' where tenant_id = $1 and id = $2", [tenantId, stream.id]);
    expect(await w.drain()).toEqual({ delivered: 2, retried: 0, failed: 0 });
    expect(r.received.map((x) => x.claims!.jti)).toEqual(events.map((e) => e.jtis[0]));
  });

  it('leaves poll streams and disabled streams alone', async () => {
    const poll = await insertStream(ctx.store, { tenantId, method: 'urn:ietf:rfc:8936' });
    const disabled = await insertStream(ctx.store, { tenantId, endpointUrl: 'http://127.0.0.1:9/events', status: 'disabled' });
    await insertEvent(ctx.store, tenantId, [poll.id, disabled.id], randomUUID(), now);
    expect(await worker().drain()).toEqual({ delivered: 0, retried: 0, failed: 0 });
  });

  it('never pushes one delivery twice with two workers running at once, and keeps each subject in order', async () => {
    const audience = 'https://receiver.example/two';
    const r = await receiver(audience);
    r.answer = () => ({ status: 202, delayMs: 5 });
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: r.url, audience });
    const users = Array.from({ length: 5 }, () => randomUUID());
    const order = new Map<string, string[]>(users.map((u) => [`/Users/${u}`, []]));
    for (let round = 0; round < 6; round++) {
      for (const u of users) order.get(`/Users/${u}`)!.push((await insertEvent(ctx.store, tenantId, [stream.id], u, now)).jtis[0]!);
    }
    const [a, b] = await Promise.all([worker({ concurrency: 3 }).drain(), worker({ concurrency: 3 }).drain()]);
    expect(a.delivered + b.delivered).toBe(30);
    expect(r.received).toHaveLength(30);
    expect(new Set(r.received.map((x) => x.claims!.jti)).size).toBe(30);
    for (const [uri, expected] of order) {
      expect(r.received.filter((x) => (x.claims!.sub_id as { uri: string }).uri === uri).map((x) => x.claims!.jti)).toEqual(expected);
    }
    expect(r.maxInFlightPerSubject()).toBe(1);
  });

  it('runs in the background: notify() sends at once, stop() waits for the push under way', async () => {
    const audience = 'https://receiver.example/background';
    const r = await receiver(audience);
    r.answer = () => ({ status: 202, delayMs: 200 });
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: r.url, audience });
    const w = worker();
    w.start();
    const event = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    w.notify();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await w.stop();
    expect(r.received).toHaveLength(1);
    expect(await deliveryOf(ctx.store, tenantId, event.jtis[0]!)).toMatchObject({ state: 'delivered' });
  });

  it('abort() cuts a push that gets no answer and leaves its delivery as it was', async () => {
    const audience = 'https://receiver.example/stuck';
    const r = await receiver(audience);
    r.answer = () => ({ status: 202, delayMs: 1_500 });
    const stream = await insertStream(ctx.store, { tenantId, endpointUrl: r.url, audience });
    const event = await insertEvent(ctx.store, tenantId, [stream.id], randomUUID(), now);
    const w = worker();
    w.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const stopping = w.stop();
    w.abort();
    await stopping;
    expect(await deliveryOf(ctx.store, tenantId, event.jtis[0]!)).toMatchObject({ state: 'pending', attempts: 0, last_error: null });
    expect(logLines.some((l) => l.includes('event push aborted by the stop'))).toBe(true);
  });
});
