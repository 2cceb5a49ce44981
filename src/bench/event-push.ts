// Events pushed per second against users created per second: a 1,000-operation Bulk creates users in a tenant with
// one push stream (RFC 8935) to a receiver on 127.0.0.1, and the push worker delivers their events as they commit.
// Delivery keeps up when the last event reaches the receiver about when the Bulk has answered.
//
// A build that writes no events (the receiver hears nothing after the Bulk) is measured for the worker's capacity
// instead: 1,000 events written at once with SQL, as a Bulk's would be, pushed against the same users/s.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '../http/logger.js';
import type { AppDeps } from '../http/app.js';
import { SCIM_PREFIX } from '../http/app.js';
import { createPushWorker } from '../events/push-worker.js';
import { refreshEventStatistics } from '../events/delivery-queries.js';
import { MAX_BULK_OPERATIONS } from '../scim/bulk/request.js';
import type { Store } from '../store/index.js';
import type { TenancyService } from '../tenancy/service.js';
import { deleteTenant } from './queries.js';
import { insertBenchEvents, insertBenchPushStream } from './event-push-queries.js';

const USERS = 1000;
/** How long the receiver may stay silent before the run counts what it has. */
const QUIET_MS = 5_000;

export interface EventPushFigure {
  /** Events pushed per second over users created per second. */
  readonly ratio: number;
  readonly eventsPerSecond: number;
  readonly usersPerSecond: number;
  /** live: the Bulk's own events; capacity: 1,000 events written with SQL (this build emits none). */
  readonly mode: 'live' | 'capacity';
}

interface Receiver {
  readonly url: string;
  readonly jtis: Set<string>;
  lastAt: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const jtis = new Set<string>();
  const receiver = { jtis, lastAt: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      // Counted by jti without verifying the signature: the bench measures the sender, not a receiver's CPU.
      const payload = Buffer.concat(chunks).toString('ascii').split('.')[1] ?? '';
      const jti = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { jti: string }).jti;
      jtis.add(jti);
      receiver.lastAt = performance.now();
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

async function settle(receiver: Receiver, want: number): Promise<void> {
  let seen = -1;
  let since = performance.now();
  while (receiver.jtis.size < want) {
    if (receiver.jtis.size !== seen) {
      seen = receiver.jtis.size;
      since = performance.now();
    } else if (performance.now() - since > QUIET_MS) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export async function benchEventPush(port: number, store: Store, tenancy: TenancyService, deps: AppDeps): Promise<{ line: string; figure?: EventPushFigure }> {
  const slug = `bench-events-${randomUUID().slice(0, 8)}`;
  const { tenant } = await tenancy.createTenant(slug);
  const { token } = await tenancy.createToken(slug, 'bench');
  const receiver = await startReceiver();
  const worker = createPushWorker({
    store,
    clock: () => new Date(),
    logger: createLogger('warn'),
    signingKeys: deps.signingKeys,
    issuer: `http://127.0.0.1:${port}`,
    allowHttpLoopback: true,
    notifier: deps.eventNotifier,
    pollIntervalMs: 100,
  });
  try {
    const streamId = await insertBenchPushStream(store, tenant.id, receiver.url);
    await refreshEventStatistics(store);
    worker.start();
    const run = randomUUID().slice(0, 8);
    const started = performance.now();
    for (let from = 0; from < USERS; from += MAX_BULK_OPERATIONS) {
      const Operations = Array.from({ length: Math.min(MAX_BULK_OPERATIONS, USERS - from) }, (_, i) => ({
        method: 'POST',
        path: '/Users',
        bulkId: `u${from + i}`,
        data: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: `events-${run}-${from + i}@bench.example.com`, active: true },
      }));
      const response = await fetch(`http://127.0.0.1:${port}${SCIM_PREFIX}/Bulk`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/scim+json' },
        body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations }),
      });
      await response.arrayBuffer();
      if (response.status !== 200) return { line: `Events pushed: not measured (the Bulk answered ${response.status})` };
    }
    const usersPerSecond = (USERS * 1000) / (performance.now() - started);
    await settle(receiver, USERS);
    let mode: EventPushFigure['mode'] = 'live';
    let eventsPerSecond: number;
    if (receiver.jtis.size > 0) {
      eventsPerSecond = (receiver.jtis.size * 1000) / (receiver.lastAt - started);
    } else {
      mode = 'capacity';
      const written = performance.now();
      await insertBenchEvents(store, tenant.id, streamId, USERS);
      // As autovacuum would have it after such a write, and the server's housekeeping does on PGlite.
      await refreshEventStatistics(store);
      worker.notify();
      await settle(receiver, USERS);
      if (receiver.jtis.size < USERS) return { line: `Events pushed: not measured (${receiver.jtis.size} of ${USERS} events reached the receiver)` };
      eventsPerSecond = (USERS * 1000) / (receiver.lastAt - written);
    }
    const ratio = eventsPerSecond / usersPerSecond;
    const how = mode === 'live' ? `${receiver.jtis.size} events of a ${USERS}-operation Bulk` : `${USERS} events written at once with SQL (this build writes none)`;
    return {
      line: `Events pushed: ${how}: ${eventsPerSecond.toFixed(0)} events/s; the Bulk created ${usersPerSecond.toFixed(0)} users/s; ratio ${ratio.toFixed(2)}x`,
      figure: { ratio, eventsPerSecond, usersPerSecond, mode },
    };
  } finally {
    await worker.stop();
    await receiver.close();
    await deleteTenant(store, slug);
  }
}
