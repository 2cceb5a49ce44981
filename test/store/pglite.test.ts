// The embedded store in its worker thread: found from dist/ and from the sources, one transaction at a time, errors
// that cross the thread with their SQLSTATE, a crash that fails calls instead of hanging them, and a bounded close.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectPgliteWorker, createPgliteStore, startPgliteWorker } from '../../src/store/pglite.js';
import type { Store } from '../../src/store/store.js';
import { workerModule } from '../../src/store/worker-module.js';
import { removeDir, tempDataDir } from '../helpers/processes.js';

/** About a second of work for PGlite, in one statement that yields nothing until it ends. */
const LONG = (thousands: number) =>
  `select count(*)::int as n from generate_series(1, ${thousands}) a, generate_series(1, 1000) b where a + b > 0`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const DIST = new URL('../../dist/store/', import.meta.url);

describe.skipIf(process.env.DATABASE_URL)('the embedded store in a worker thread', () => {
  let store: Store;
  beforeAll(async () => {
    store = await createPgliteStore({ dataDir: undefined });
    await store.transaction((tx) => tx.execScript('create table probe (n integer primary key)'));
  });
  afterAll(() => store?.close());

  it('keeps statements prepared, within a bound, and a failed one leaves the session usable', async () => {
    // More distinct statements than the worker keeps: the oldest are closed and prepared again when they return.
    for (let i = 0; i < 520; i++) expect(await store.query(`select $1::int + ${i} as n`, [1])).toEqual([{ n: 1 + i }]);
    expect(await store.query('select $1::int + 0 as n', [2])).toEqual([{ n: 2 }]);
    expect(await store.query('select $1::int + 519 as n', [2])).toEqual([{ n: 521 }]);
    // Errors at parse time and at execution leave no half-done exchange behind.
    await expect(store.query('select from nowhere where')).rejects.toThrow();
    await expect(store.query('select 1 / $1::int as n', [0])).rejects.toMatchObject({ code: '22012' });
    expect(await store.query('select 1 / $1::int as n', [1])).toEqual([{ n: 1 }]);
    // Parameters and rows keep their types: json, arrays, null, bigint as a number.
    expect(await store.query('select $1::jsonb as j, $2::text[] as a, $3::text as z, $4::bigint as b', [{ k: [1] }, ['x', 'y'], null, 7])).toEqual([
      { j: { k: [1] }, a: ['x', 'y'], z: null, b: 7 },
    ]);
  });

  it('runs the compiled worker from dist/, and compiles the TypeScript one when run from the sources', async () => {
    expect(workerModule('pglite-worker', new URL('pglite.js', DIST).href).href).toBe(new URL('pglite-worker.js', DIST).href);
    expect(workerModule('pglite-worker', new URL('../../src/store/pglite.ts', import.meta.url).href).protocol).toBe('data:');

    // The built store as `npm start` runs it; the rest of this file (and every PGlite test) runs the sources.
    const built = (await import(new URL('pglite.js', DIST).href)) as typeof import('../../src/store/pglite.js');
    const dist = await built.createPgliteStore({ dataDir: undefined });
    try {
      expect(await dist.query('select 42::bigint as n')).toEqual([{ n: 42 }]);
      await dist.query('create table t (k text constraint t_k_key unique)');
      await dist.query("insert into t values ('a')");
      await expect(dist.query("insert into t values ('a')")).rejects.toMatchObject({ name: 'StoreError', kind: 'unique', constraint: 't_k_key' });
    } finally {
      await dist.close();
    }
  });

  it('carries the SQLSTATE, the constraint and the message of an error across the thread', async () => {
    await store.query('insert into probe values (1)');
    const error = await store.query('insert into probe values (1)').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StoreError', kind: 'unique', constraint: 'probe_pkey' });
    expect((error as Error).cause).toMatchObject({ code: '23505', constraint: 'probe_pkey', message: expect.stringMatching(/duplicate key/) });
    // The stack is the caller's, so a logged error points at the code that ran the statement.
    expect((error as Error).cause).toHaveProperty('stack', expect.stringContaining('pglite.test.ts'));
    await expect(store.query('select nothing from nowhere')).rejects.toMatchObject({ code: '42P01', message: expect.stringMatching(/nowhere/) });
  });

  it('makes plain statements wait for the open transaction, as one connection must', async () => {
    await store.query('delete from probe');
    let seen: Promise<unknown> | undefined;
    await store.transaction(async (tx) => {
      await tx.query('insert into probe values (10)');
      seen = store.query('select count(*)::int as n from probe');
      await sleep(50);
      await tx.query('insert into probe values (11)');
    });
    expect(await seen).toEqual([{ n: 2 }]);
  });

  it('runs plain statements sent together back to back, without waiting for this thread between them', async () => {
    // Hold this thread's event loop: a statement that waited for the previous one's answer to be read here could
    // not start until the hold ends. All three must have run while it lasted.
    const ran = ['a', 'b', 'c'].map(() => store.query<{ at: string }>('select clock_timestamp()::text as at'));
    const holdUntil = performance.now() + 300;
    while (performance.now() < holdUntil);
    const held = await store.query<{ at: string }>('select clock_timestamp()::text as at');
    const times = await Promise.all(ran);
    for (const [first] of times) expect(Date.parse(first!.at)).toBeLessThan(Date.parse(held[0]!.at) - 100);
  });

  it('lets plain statements pass a transaction that waits for the one under way', async () => {
    await store.query('delete from probe');
    let releaseFirst!: () => void;
    const first = store.transaction(async (tx) => {
      await tx.query('insert into probe values (30)');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
    });
    await sleep(20);
    const second = store.transaction((tx) => tx.query('insert into probe values (31)'));
    // The plain statement is held only while a transaction is open: it runs as soon as the first commits, before
    // the second begins, instead of waiting in line behind the second's turn.
    const seen = store.query<{ n: number }>('select count(*)::int as n from probe');
    releaseFirst();
    await Promise.all([first, second]);
    expect(await seen).toEqual([{ n: 1 }]);
  });

  it('rolls back a transaction that throws, and refuses its statements once it ended', async () => {
    await store.query('delete from probe');
    let leaked: Parameters<Parameters<Store['transaction']>[0]>[0] | undefined;
    await expect(
      store.transaction(async (tx) => {
        leaked = tx;
        await tx.query('insert into probe values (20)');
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await expect(leaked!.query('insert into probe values (21)')).rejects.toThrow(/closed/);
    expect(await store.query('select * from probe')).toEqual([]);
  });

  it('refuses a parameter that cannot cross the thread, and stays usable', async () => {
    await expect(store.query('select $1::text as x', [() => 1])).rejects.toThrow(/could not be cloned/);
    expect(await store.query('select $1::text as x', ['ok'])).toEqual([{ x: 'ok' }]);
  });

  it('fails the calls under way and later ones when the worker dies, instead of leaving them waiting', async () => {
    const worker = startPgliteWorker(undefined);
    const doomed = await connectPgliteWorker(worker);
    const running = doomed.query(LONG(20_000));
    const waiting = doomed.transaction((tx) => tx.query('select 1'));
    await sleep(100);
    await worker.terminate();
    await expect(running).rejects.toThrow(/embedded database stopped/);
    await expect(waiting).rejects.toThrow(/embedded database stopped/);
    await expect(doomed.query('select 1')).rejects.toThrow(/embedded database stopped/);
    await doomed.close();
  });

  it('sends BEGIN without waiting for it; the statements of a BEGIN that failed are refused, never run on their own', async () => {
    // The worker's protocol, spoken directly: a draining worker refuses the BEGIN, as a closing store's would.
    const worker = startPgliteWorker(undefined);
    const replies = new Map<number, { ok: boolean; error?: { message: string } }>();
    const ready = new Promise((resolve) => worker.once('message', resolve));
    await ready;
    const answered = new Promise<void>((resolve) =>
      worker.on('message', (reply: { id: number; ok: boolean }) => {
        replies.set(reply.id, reply);
        if (replies.size === 3) resolve();
      }),
    );
    worker.postMessage({ op: 'drain' });
    worker.postMessage({ op: 'begin' });
    worker.postMessage({ id: 1, op: 'query', text: 'create table escaped (id int)', params: [], inTx: true });
    worker.postMessage({ id: 2, op: 'commit' });
    worker.postMessage({ id: 3, op: 'rollback' });
    await answered;
    await worker.terminate();
    expect(replies.get(1)).toMatchObject({ ok: false, error: { message: 'The embedded database is closed.' } });
    expect(replies.get(2)).toMatchObject({ ok: false, error: { message: 'The embedded database is closed.' } });
    expect(replies.get(3)).toMatchObject({ ok: true });
    // The BEGIN of a working store is answered by nothing: a transaction's first statement is its first answer.
    expect(await store.transaction(async (tx) => (await tx.query<{ n: number }>('select 1 as n'))[0]!.n)).toBe(1);
  });

  it('says why when the database cannot be opened', async () => {
    const dir = tempDataDir();
    try {
      const file = join(dir, 'not-a-directory');
      writeFileSync(file, 'x');
      await expect(createPgliteStore({ dataDir: file })).rejects.toThrow(/^Cannot open the embedded database in .*not-a-directory: /);
    } finally {
      removeDir(dir);
    }
  });
});

describe.skipIf(process.env.DATABASE_URL)('closing the embedded store', () => {
  it('waits for the statement under way, refuses what waits behind it, then stops the worker', async () => {
    const closing = await createPgliteStore({ dataDir: undefined });
    const running = closing.query<{ n: number }>(LONG(3000));
    await sleep(50);
    const queued = closing.query('select 1');
    const closed = closing.close();
    await expect(queued).rejects.toThrow(/closed/);
    expect(await running).toEqual([{ n: 3_000_000 }]);
    await closed;
    await expect(closing.query('select 1')).rejects.toThrow(/closed/);
  });

  it('never waits longer than its bound: a statement still running then fails', async () => {
    const slow = await createPgliteStore({ dataDir: undefined, closeTimeoutMs: 300 });
    const running = slow.query(LONG(200_000)).catch((error: unknown) => error);
    await sleep(100);
    const start = performance.now();
    await slow.close();
    expect(performance.now() - start).toBeLessThan(3000);
    expect(await running).toMatchObject({ message: expect.stringMatching(/closed before this statement finished/) });
  });

  it('keeps on disk what a transaction under way at close committed', async () => {
    const dir = tempDataDir();
    try {
      const first = await createPgliteStore({ dataDir: dir });
      await first.query('create table kept (n integer)');
      const writing = first.transaction(async (tx) => {
        await tx.query('insert into kept values (1)');
        await sleep(200);
        await tx.query('insert into kept values (2)');
      });
      await sleep(50);
      await first.close();
      await writing;
      const second = await createPgliteStore({ dataDir: dir });
      try {
        expect(await second.query('select n from kept order by n')).toEqual([{ n: 1 }, { n: 2 }]);
      } finally {
        await second.close();
      }
    } finally {
      removeDir(dir);
    }
  });
});
