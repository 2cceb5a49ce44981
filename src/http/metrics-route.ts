// GET /metrics: Prometheus's text format, for a scraper that presents METRICS_TOKEN as a bearer token. Without
// METRICS_TOKEN the route is not there (404), so nothing about the server is public by default.
import type { Hono } from 'hono';
import { digestsEqual, hashToken } from '../auth/tokens.js';
import type { Metrics } from '../metrics/metrics.js';
import type { AppEnv } from './env.js';

export function metricsRoute(app: Hono<AppEnv>, metrics: Metrics, token: string | undefined): void {
  if (token === undefined) return;
  const expected = hashToken(token);
  app.get('/metrics', async (c) => {
    const presented = /^Bearer (\S+)$/.exec(c.req.header('authorization') ?? '')?.[1];
    // Digests of equal length compared in constant time: the answer's timing says nothing about the token.
    if (presented === undefined || !digestsEqual(hashToken(presented), expected)) {
      return c.json({ error: 'unauthorized', detail: 'GET /metrics needs the METRICS_TOKEN as a bearer token.' }, 401, {
        'WWW-Authenticate': 'Bearer realm="usher-metrics"',
      });
    }
    const body = await metrics.registry.metrics();
    return c.body(body, 200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
  });
}
