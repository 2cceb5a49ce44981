// The database never holds the event loop: HTTP, health checks and timers answer while it works, on both back ends.
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USER_SCHEMA, createTestContext, type TestContext } from '../helpers/app.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t?.close());

interface Probe {
  /** How long after it was due each /healthz answer came, in ms. */
  readonly health: number[];
  /** How late each 5 ms timer fired, in ms. */
  readonly timerLag: number[];
  /** Ends the probing once the requests and timers under way are back, so a stalled one is counted. */
  stop(): Promise<void>;
}

/** Asks /healthz through the app and arms a short timer, again and again, until stopped. */
function probe(): Probe {
  const health: number[] = [];
  const timerLag: number[] = [];
  let stopped = false;
  // A request is due 5 ms after the previous answer; its latency counts from then, so a stalled loop shows.
  const asking = (async () => {
    while (!stopped) {
      const due = performance.now() + 5;
      await new Promise((resolve) => setTimeout(resolve, 5));
      const response = await t.app.request('/healthz');
      expect(response.status).toBe(200);
      health.push(performance.now() - due);
    }
  })();
  const timers = (async () => {
    while (!stopped) {
      const armed = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 5));
      timerLag.push(performance.now() - armed - 5);
    }
  })();
  return {
    health,
    timerLag,
    async stop() {
      stopped = true;
      await Promise.all([asking, timers]);
    },
  };
}

const max = (values: readonly number[]) => Math.max(...values);
const percentile = (values: readonly number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))]!;

describe(`the event loop while the database works (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('answers /healthz and fires timers within a few ms while one long statement runs', async () => {
    const p = probe();
    const start = performance.now();
    // PGlite computes for about a second; PostgreSQL, which may run that faster, waits instead.
    const long =
      t.store.kind === 'pglite'
        ? 'select count(*) as n from generate_series(1, 8000) a, generate_series(1, 1000) b where a + b > 0'
        : 'select 8000000::bigint as n from pg_sleep(1)';
    const [row] = await t.store.query<{ n: number }>(long);
    const took = performance.now() - start;
    await p.stop();
    expect(row!.n).toBe(8_000_000);
    // The statement itself must be long, or a blocked event loop would go unnoticed.
    expect(took).toBeGreaterThan(300);
    // A held loop would answer nothing until the statement ended; the bounds leave room for a busy test machine.
    expect(percentile(p.health, 0.5)).toBeLessThan(20);
    expect(max(p.health)).toBeLessThan(Math.min(500, took / 4));
    expect(max(p.timerLag)).toBeLessThan(Math.min(500, took / 4));
    expect(p.health.length).toBeGreaterThan(10);
  });

  it('answers /healthz within 500 ms all through a 400-operation Bulk', async () => {
    const Operations = Array.from({ length: 400 }, (_, i) => ({
      method: 'POST',
      path: '/Users',
      bulkId: `u${i}`,
      data: { schemas: [USER_SCHEMA], userName: `bulk-loop-${i}`, emails: [{ value: `bulk-loop-${i}@example.com`, primary: true }] },
    }));
    const p = probe();
    const start = performance.now();
    const response = await t.client.request('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations });
    const took = performance.now() - start;
    await p.stop();
    expect(response.status).toBe(200);
    expect(response.body.Operations.filter((op: { status: string }) => op.status === '201')).toHaveLength(400);
    console.info(
      `400-operation Bulk: ${took.toFixed(0)} ms; /healthz n=${p.health.length} p50=${percentile(p.health, 0.5).toFixed(1)} ms ` +
        `p99=${percentile(p.health, 0.99).toFixed(1)} ms max=${max(p.health).toFixed(1)} ms; timer lag max=${max(p.timerLag).toFixed(1)} ms`,
    );
    expect(max(p.health)).toBeLessThan(500);
    expect(p.health.length).toBeGreaterThan(5);
  });
});
