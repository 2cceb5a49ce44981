// The server process (dist/main.js) runs the push worker: events waiting in the database when it starts reach a
// real receiver on 127.0.0.1, signed with the server's key for PUBLIC_URL, and the stop is clean. PGlite (rows
// written before the server takes the data directory), or PostgreSQL when DATABASE_URL is set.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSigningKeys } from '../../src/events/signing-keys.js';
import { migrate, openStore, type Store } from '../../src/store/index.js';
import { PGLITE_SUBDIR } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { killAll, removeDir, startServer, tempDataDir } from '../helpers/processes.js';
import { insertEvent, insertStream, startReceiver, streamOf, verifySet } from './delivery-fixtures.js';

const ON_POSTGRES = Boolean(process.env.DATABASE_URL);
const PUBLIC = 'https://usher.example.com';
const dirs: string[] = [];
let database: TestDatabase | undefined;

afterAll(async () => {
  killAll();
  await database?.close();
  for (const dir of dirs) removeDir(dir);
});

describe(`the server's push worker (${ON_POSTGRES ? 'PostgreSQL' : 'PGlite'})`, { timeout: 120_000 }, () => {
  it('pushes the events waiting at start to the receiver, and stops cleanly', async () => {
    const dir = tempDataDir();
    dirs.push(dir);
    let store: Store;
    if (ON_POSTGRES) {
      database = await createTestDatabase();
      store = database.store;
    } else {
      store = await openStore({ databaseUrl: undefined, databasePoolSize: 1, dataDir: join(dir, PGLITE_SUBDIR) });
      await migrate(store);
    }
    const tenantId = randomUUID();
    await store.query('insert into tenants (id, slug, name, created_at) values ($1, $2, $3, now())', [tenantId, 'pushco', 'Push Co']);
    // The receiver verifies after the run (the keys are made by the server at its first signature).
    const receiver = await startReceiver({ jwks: async () => ({ keys: [] }) } as never, PUBLIC, 'https://receiver.example');
    const stream = await insertStream(store, { tenantId, endpointUrl: receiver.url, audience: 'https://receiver.example', authorization: 'Bearer s3cret' });
    const userId = randomUUID();
    const now = new Date();
    const events = [await insertEvent(store, tenantId, [stream.id], userId, now), await insertEvent(store, tenantId, [stream.id], userId, now)];
    if (!ON_POSTGRES) await store.close();

    const server = await startServer({
      DATA_DIR: dir,
      ...(database ? { DATABASE_URL: database.url! } : {}),
      PUBLIC_URL: PUBLIC,
      EVENTS_ALLOW_HTTP_LOOPBACK: 'true',
    });
    expect(await server.waitForLog('event push worker started')).toMatchObject({ retentionDays: 7, maxPendingPerStream: 100_000, allowHttpLoopback: true });
    const deadline = Date.now() + 20_000;
    while (receiver.received.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await server.stop()).toEqual({ code: 0, signal: null });
    await receiver.close();

    if (!ON_POSTGRES) store = await openStore({ databaseUrl: undefined, databasePoolSize: 1, dataDir: join(dir, PGLITE_SUBDIR) });
    try {
      const keys = createSigningKeys({ store, clock: () => new Date() });
      expect(receiver.received.map((r) => r.headers.authorization)).toEqual(['Bearer s3cret', 'Bearer s3cret']);
      const claims = [];
      for (const r of receiver.received) claims.push(await verifySet(keys, r.token, PUBLIC, 'https://receiver.example'));
      expect(claims.map((c) => c.jti)).toEqual(events.map((e) => e.jtis[0]));
      expect(await streamOf(store, tenantId, stream.id)).toMatchObject({ delivered_count: 2, failed_count: 0 });
    } finally {
      if (!ON_POSTGRES) await store.close();
    }
  });
});
