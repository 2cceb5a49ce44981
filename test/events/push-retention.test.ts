// Keeping the event tables bounded: delivered events go, a stream that falls too far behind is disabled with a
// reason and loses what it had waiting, nothing is kept past the retention period. PGlite, or PostgreSQL when
// DATABASE_URL is set; time is a clock.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { pruneEvents } from '../../src/events/retention.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { POLL, insertEvent, insertStream, streamOf } from './delivery-fixtures.js';

const engine = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';
let ctx: TestContext;
let tenantId: string;
let now: Date;
const DAY = 86_400_000;
const settings = { retentionDays: 7, maxPendingPerStream: 3 };

beforeAll(async () => {
  ctx = await createTestContext();
  tenantId = ctx.client.tenantId;
});
afterAll(() => ctx?.close());
beforeEach(async () => {
  now = new Date('2030-01-01T00:00:00.000Z');
  await ctx.store.query('delete from event_streams');
  await ctx.store.query('delete from events');
});

const count = async (table: string) => (await ctx.store.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n;

describe(`event retention (${engine})`, () => {
  it('removes an event once no delivery of it is pending, and keeps it while one is', async () => {
    const a = await insertStream(ctx.store, { tenantId, method: POLL });
    const b = await insertStream(ctx.store, { tenantId, method: POLL });
    const done = await insertEvent(ctx.store, tenantId, [a.id, b.id], randomUUID(), now);
    const half = await insertEvent(ctx.store, tenantId, [a.id, b.id], randomUUID(), now);
    await ctx.store.query("update event_deliveries set state = 'delivered' where event_id = $1", [done.eventId]);
    await ctx.store.query("update event_deliveries set state = 'failed' where event_id = $1 and stream_id = $2", [half.eventId, a.id]);

    const result = await pruneEvents(ctx.store, now, settings);
    expect(result).toEqual({ disabled: [], droppedDeliveries: 0, removedEvents: 1 });
    const left = await ctx.store.query<{ id: string }>('select id from events');
    expect(left.map((r) => r.id)).toEqual([half.eventId]);
    expect(await count('event_deliveries')).toBe(2);
  });

  it('disables a stream with more deliveries waiting than EVENT_STREAM_MAX_PENDING, says why, and drops what waited', async () => {
    const behind = await insertStream(ctx.store, { tenantId, method: POLL, status: 'paused' });
    const fine = await insertStream(ctx.store, { tenantId, method: POLL });
    for (let i = 0; i < 4; i++) await insertEvent(ctx.store, tenantId, [behind.id, ...(i === 0 ? [fine.id] : [])], randomUUID(), now);

    const result = await pruneEvents(ctx.store, now, settings);
    expect(result.disabled).toHaveLength(1);
    expect(result.disabled[0]).toMatchObject({ tenantId, streamId: behind.id });
    expect(result.droppedDeliveries).toBe(4);
    // The event the healthy stream still waits for is kept; the three only the disabled stream wanted are gone.
    expect(result.removedEvents).toBe(3);
    const stream = await streamOf(ctx.store, tenantId, behind.id);
    expect(stream.status).toBe('disabled');
    expect(stream.status_reason).toMatch(/4 events were waiting for delivery, more than EVENT_STREAM_MAX_PENDING \(3\).*enable the stream again/);
    expect(await streamOf(ctx.store, tenantId, fine.id)).toMatchObject({ status: 'enabled', status_reason: null });
    expect(await count('event_deliveries')).toBe(1);
    expect(await count('events')).toBe(1);
    // A second pass finds nothing more to do.
    expect(await pruneEvents(ctx.store, now, settings)).toEqual({ disabled: [], droppedDeliveries: 0, removedEvents: 0 });
  });

  it('disables a stream whose oldest waiting delivery is older than EVENT_RETENTION_DAYS, and removes old events', async () => {
    const stuck = await insertStream(ctx.store, { tenantId, endpointUrl: 'https://receiver.example/down' });
    const old = new Date(now.getTime() - 8 * DAY);
    await insertEvent(ctx.store, tenantId, [stuck.id], randomUUID(), old);
    await insertEvent(ctx.store, tenantId, [stuck.id], randomUUID(), now);

    const result = await pruneEvents(ctx.store, now, settings);
    expect(result.disabled.map((d) => d.streamId)).toEqual([stuck.id]);
    const stream = await streamOf(ctx.store, tenantId, stuck.id);
    expect(stream.status).toBe('disabled');
    expect(stream.status_reason).toMatch(/waiting for delivery since 2029-12-24T00:00:00.000Z, longer than EVENT_RETENTION_DAYS \(7\)/);
    expect(result.droppedDeliveries).toBe(2);
    expect(result.removedEvents).toBe(2);
    expect(await count('events')).toBe(0);
  });

  it('leaves a stream within its bounds alone', async () => {
    const ok = await insertStream(ctx.store, { tenantId, method: POLL });
    for (let i = 0; i < 3; i++) await insertEvent(ctx.store, tenantId, [ok.id], randomUUID(), new Date(now.getTime() - 6 * DAY));
    expect(await pruneEvents(ctx.store, now, settings)).toEqual({ disabled: [], droppedDeliveries: 0, removedEvents: 0 });
    expect(await streamOf(ctx.store, tenantId, ok.id)).toMatchObject({ status: 'enabled' });
  });
});
