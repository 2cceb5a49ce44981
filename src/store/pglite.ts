// The embedded adapter of the store port: PGlite (PostgreSQL compiled to WebAssembly) in a worker thread of this process.
//
// PGlite runs a statement synchronously from start to end, so in the main thread a long Bulk held the event loop:
// no HTTP answer, no timer, no signal until it finished. In a worker it holds only the worker. Message passing
// was chosen over @electric-sql/pglite-socket with postgres.js as the client: PGlite is one connection, so a
// pool would only queue on the socket, and the socket would open a port that any local user could connect to
// without a password; messages keep the database private to this process and cost no dependency.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { translateError } from './errors.js';
import { deserializeError, MEMORY_SETTINGS, type Begin, type Call, type Drain, type Notification, type Ready, type Reply, type WorkerOptions } from './pglite-protocol.js';
import { settledWithin } from '../settled-within.js';
import { withRetry } from './retry.js';
import type { ChannelListener, QueryOptions, Row, Store, Transaction } from './store.js';
import { workerModule } from './worker-module.js';

export interface PgliteOptions {
  /** A directory to keep the data in, or undefined for an in-memory database (tests). */
  readonly dataDir: string | undefined;
  /** A backup (what Store.backup gave) to make the new database in dataDir from. */
  readonly restore?: Uint8Array;
  /**
   * How long close() waits for the statement or transaction under way to finish, and then for PGlite to close,
   * before it stops the worker anyway (what was not committed is then lost, as in a crash). Default 10 s.
   */
  readonly closeTimeoutMs?: number;
}

const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

type Request = Call extends infer C ? (C extends { id: number } ? Omit<C, 'id'> : never) : never;
/** A statement, before it is said whether it belongs to a transaction. */
type Statement = Request extends infer R ? (R extends { inTx: boolean } ? Omit<R, 'inTx'> : never) : never;

/** The worker and the calls waiting for its answers; once the worker is gone every call fails with `stopped`. */
class WorkerClient {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (rows: unknown[] | undefined) => void; reject: (error: Error) => void; stack: string | undefined }>();
  stopped: Error | undefined;
  readonly exited: Promise<void>;
  /** Hears each notification of a channel the worker listens to. */
  onNotification: (notification: Notification) => void = () => {};

  constructor(private readonly worker: Worker) {
    let crash: Error | undefined;
    worker.on('message', (reply: Reply | Notification) => {
      if ('op' in reply) return this.onNotification(reply);
      const waiting = this.pending.get(reply.id);
      if (!waiting) return;
      this.pending.delete(reply.id);
      this.settled();
      if (reply.ok) waiting.resolve(reply.rows);
      else waiting.reject(deserializeError(reply.error, waiting.stack));
    });
    worker.on('error', (error) => (crash = error));
    this.exited = new Promise((resolve) =>
      worker.once('exit', (code) => {
        this.stop(new Error(`The embedded database stopped${crash ? `: ${crash.message}` : ` (worker exit code ${code})`}.`, { cause: crash }));
        resolve();
      }),
    );
  }

  /** Fails every call under way and every later one with `error`. */
  stop(error: Error): void {
    this.stopped ??= error;
    for (const waiting of this.pending.values()) waiting.reject(this.stopped);
    this.pending.clear();
    this.settled();
  }

  call(request: Request): Promise<unknown[] | undefined> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    // The caller's stack, for the error that may come back: the worker's own says nothing about who asked.
    const stack = new Error().stack;
    return new Promise((resolve, reject) => {
      try {
        this.worker.postMessage({ ...request, id } as Call);
      } catch (error) {
        // A parameter that cannot be copied to the worker (a function, a class instance of Node's): nothing was sent.
        reject(error);
        return;
      }
      this.pending.set(id, { resolve, reject, stack });
      // The worker keeps the process alive only while a call waits for it, as an open socket would.
      if (this.pending.size === 1) this.worker.ref();
    });
  }

  /** A message that expects no answer. */
  tell(message: Drain | Begin): void {
    if (!this.stopped) this.worker.postMessage(message);
  }

  private settled(): void {
    if (this.pending.size === 0) this.worker.unref();
  }
}

/**
 * One transaction at a time, as PGlite's own mutex allowed in one thread: the worker holds one session. Plain
 * statements do not pass through here: they go to the worker at once, which runs them between transactions.
 */
class Gate {
  private busy = false;
  private readonly waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  private closed: Error | undefined;
  private idle: (() => void) | undefined;

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.closed) throw this.closed;
    if (this.busy) await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
    else this.busy = true;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next.resolve();
      else {
        this.busy = false;
        this.idle?.();
      }
    }
  }

  /** Refuses what waits and what comes, and resolves once the work under way is done. */
  close(error: Error): Promise<void> {
    this.closed = error;
    for (const waiting of this.waiting.splice(0)) waiting.reject(error);
    return this.busy ? new Promise((resolve) => (this.idle = resolve)) : Promise.resolve();
  }
}

function adapt(send: (statement: Statement) => Promise<unknown[] | undefined>): Transaction {
  return {
    async query<T extends Row>(text: string, params: readonly unknown[] = [], options?: QueryOptions): Promise<T[]> {
      try {
        return (await send({ op: 'query', text, params: [...params], ...(options?.planEachTime ? { planEachTime: true } : {}) })) as T[];
      } catch (error) {
        throw translateError(error);
      }
    },
    async execScript(script: string): Promise<void> {
      try {
        await send({ op: 'exec', script });
      } catch (error) {
        throw translateError(error);
      }
    },
  };
}

export async function createPgliteStore(options: PgliteOptions): Promise<Store> {
  // A backup is unpacked by the worker that opens it (PGlite's loadDataDir): there is nothing to create first.
  if (options.dataDir !== undefined && options.restore === undefined && !existsSync(join(options.dataDir, 'PG_VERSION'))) await createDataDir(options.dataDir);
  return connectPgliteWorker(startPgliteWorker(options.dataDir, options.restore), options);
}

/**
 * Run in a process of its own: PGlite creates the directory (initdb) and closes it. initdb runs in a second
 * WebAssembly instance beside the database's, and a process keeps what they grew to: about 780 MB of RSS in a
 * worker thread, and still 120 MB more than a plain start after that thread ended (the allocator keeps freed
 * memory). A process that exits gives all of it back.
 */
const CREATE_SCRIPT = `
const [dataDir, pglite, settings] = process.argv.slice(1);
try {
  const { PGlite } = await import(pglite);
  const startParams = [...PGlite.defaultStartParams, ...JSON.parse(settings).flatMap((s) => ['-c', s])];
  const db = await PGlite.create({ dataDir, startParams });
  await db.close();
} catch (error) {
  process.stderr.write(String(error && error.message ? error.message : error));
  process.exitCode = 1;
}`;

async function createDataDir(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', CREATE_SCRIPT, dataDir, import.meta.resolve('@electric-sql/pglite'), JSON.stringify(MEMORY_SETTINGS)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  if (code !== 0) throw new Error(`Cannot open the embedded database in ${dataDir}: ${stderr.trim() || `exit code ${code}`}`);
}

/** Starts the worker that opens the database (made from a backup when `restore` is given); connectPgliteWorker then makes a store of it. */
export function startPgliteWorker(dataDir: string | undefined, restore?: Uint8Array): Worker {
  const workerData: WorkerOptions = { dataDir, ...(restore ? { restore } : {}) };
  return new Worker(workerModule('pglite-worker', import.meta.url), { workerData });
}

/** The store over a worker startPgliteWorker started, once its database is open. */
export async function connectPgliteWorker(worker: Worker, options: Partial<PgliteOptions> = {}): Promise<Store> {
  const closeTimeoutMs = options.closeTimeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
  const ready = await new Promise<Ready>((resolve, reject) => {
    const exited = (code: number) => reject(new Error(`The embedded database's worker exited (code ${code}) before the database opened.`));
    worker.once('error', reject);
    worker.once('exit', exited);
    worker.once('message', (message: Ready) => {
      worker.off('error', reject);
      worker.off('exit', exited);
      resolve(message);
    });
  });
  if (!ready.ready) {
    // What the failed open left running in the worker (a stream's late error) must not reach the process as an unhandled event.
    worker.on('error', () => {});
    await worker.terminate();
    const cause = deserializeError(ready.error, undefined);
    throw new Error(`Cannot open the embedded database${options.dataDir ? ` in ${options.dataDir}` : ''}: ${cause.message}`, { cause });
  }
  const client = new WorkerClient(worker);
  worker.unref();
  const gate = new Gate();
  // Plain statements are sent at once, so a burst of them runs back to back in the worker instead of waiting a
  // turn of this thread's event loop each; the ones still unanswered are what close() waits for.
  const plainUnderWay = new Set<Promise<unknown>>();
  let closedError: Error | undefined;
  /** A call outside any transaction: sent at once, and waited for by close(). */
  const sendPlain = (request: Request) => {
    if (closedError) return Promise.reject(closedError);
    const call = client.call(request);
    plainUnderWay.add(call);
    const forget = () => plainUnderWay.delete(call);
    call.then(forget, forget);
    return call;
  };
  const root = adapt((statement) => sendPlain({ ...statement, inTx: false }));
  let closing: Promise<void> | undefined;
  // The worker listens once per channel, for as long as it runs; the database is in this process and never drops
  // the listening session, so a listener hears state(false) only when the worker stops.
  const channels = new Map<string, { listeners: Set<ChannelListener>; listening: Promise<unknown> }>();
  client.onNotification = ({ channel, payload }) => {
    for (const listener of [...(channels.get(channel)?.listeners ?? [])]) listener.message(payload);
  };
  void client.exited.then(() => {
    for (const { listeners } of channels.values()) for (const listener of listeners) listener.state(false);
    channels.clear();
  });

  return {
    kind: 'pglite',
    query: root.query,
    async backup(): Promise<Uint8Array> {
      const rows = await sendPlain({ op: 'backup' }).catch((error: unknown) => {
        throw translateError(error);
      });
      return rows![0] as Uint8Array;
    },
    transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      return withRetry(() =>
        gate.run(async () => {
          // Not waited for: the first statement follows it at once, and a BEGIN that failed fails that statement.
          client.tell({ op: 'begin' });
          // A statement sent after the transaction ended would run outside it: refuse it, as PGlite's own does.
          let ended = false;
          const tx = adapt((statement) => (ended ? Promise.reject(new Error('Transaction is closed')) : client.call({ ...statement, inTx: true })));
          try {
            const result = await fn(tx);
            ended = true;
            await client.call({ op: 'commit' });
            return result;
          } catch (error) {
            if (!ended) {
              ended = true;
              // The worker is gone when this fails, and then so is the transaction.
              await client.call({ op: 'rollback' }).catch(() => {});
            }
            throw translateError(error);
          }
        }),
      );
    },
    listen(channel, listener) {
      let entry = channels.get(channel);
      if (!entry) {
        const listening = closedError ? Promise.reject(closedError) : client.call({ op: 'listen', channel });
        // Unanswered, it must not hold close() up nor keep the process alive longer than any other call.
        plainUnderWay.add(listening);
        const forget = () => plainUnderWay.delete(listening);
        listening.then(forget, forget);
        channels.set(channel, (entry = { listeners: new Set(), listening }));
      }
      const { listeners, listening } = entry;
      listeners.add(listener);
      // A LISTEN that failed (the store is closing) leaves the listener not listening, which is safe.
      listening.then(
        () => listeners.has(listener) && !client.stopped && listener.state(true),
        () => {},
      );
      return () => void listeners.delete(listener);
    },
    close(): Promise<void> {
      closing ??= (async () => {
        // Work under way finishes (a transaction commits, a statement ends), work waiting is refused; then PGlite
        // closes its files.
        closedError = new Error('The embedded database is closed.');
        client.tell({ op: 'drain' });
        const drained = await settledWithin(Promise.all([gate.close(closedError), Promise.allSettled([...plainUnderWay])]), closeTimeoutMs);
        if (drained && !client.stopped) await settledWithin(client.call({ op: 'close' }), closeTimeoutMs);
        client.stop(new Error('The embedded database was closed before this statement finished.'));
        await worker.terminate();
        await client.exited;
      })();
      return closing;
    },
  };
}
