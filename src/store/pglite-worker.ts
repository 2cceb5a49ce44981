// The worker thread that owns the embedded database: PGlite runs here, so its long statements never hold the main event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';
import { serializeError, type Call, type Ready, type Reply, type WorkerOptions } from './pglite-protocol.js';

const port = parentPort!;
const options = workerData as WorkerOptions;

/** The transaction under way: PGlite's own, kept open across calls until commit or rollback ends it. */
interface Open {
  readonly tx: Transaction;
  readonly end: (commit: boolean) => void;
  readonly done: Promise<unknown>;
}

const ROLLBACK = Symbol('rollback');

async function main(): Promise<void> {
  let db: PGlite;
  try {
    db = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      // bigint columns (versions, counts) fit in a double for any real deployment; return numbers, as postgres.js does here.
      parsers: { [types.INT8]: (value: string) => Number(value) },
    });
  } catch (error) {
    port.postMessage({ ready: false, error: serializeError(error) } satisfies Ready);
    return;
  }
  let open: Open | undefined;

  /** Opens PGlite's transaction and resolves once BEGIN ran; the transaction then waits for `end`. */
  const begin = () =>
    new Promise<Open>((begun, failed) => {
      let end!: (commit: boolean) => void;
      const finished = new Promise<void>((resolve, reject) => (end = (commit) => (commit ? resolve() : reject(ROLLBACK))));
      const done = db.transaction((tx) => {
        begun({ tx, end, done });
        return finished;
      });
      // A BEGIN that fails never calls back; once it has, the outcome is awaited by commit or rollback.
      done.catch(failed);
    });

  const run = async (call: Call): Promise<unknown[] | undefined> => {
    switch (call.op) {
      case 'query':
        return (await (open?.tx ?? db).query(call.text, call.params)).rows;
      case 'exec':
        await (open?.tx ?? db).exec(call.script);
        return undefined;
      case 'begin':
        if (open) throw new Error('A transaction is already open on the embedded database.');
        open = await begin();
        return undefined;
      case 'commit':
      case 'rollback': {
        const ending = open;
        if (!ending) throw new Error(`No transaction to ${call.op}.`);
        open = undefined;
        ending.end(call.op === 'commit');
        try {
          await ending.done;
        } catch (error) {
          if (error !== ROLLBACK) throw error;
        }
        return undefined;
      }
      case 'close':
        if (!db.closed) await db.close();
        return undefined;
    }
  };

  // The client sends one call at a time; the chain keeps them in order all the same.
  let last: Promise<void> = Promise.resolve();
  port.on('message', (call: Call) => {
    last = last.then(async () => {
      let reply: Reply;
      try {
        const rows = await run(call);
        reply = rows ? { id: call.id, ok: true, rows } : { id: call.id, ok: true };
      } catch (error) {
        reply = { id: call.id, ok: false, error: serializeError(error) };
      }
      try {
        port.postMessage(reply);
      } catch (error) {
        // A value the thread boundary cannot carry: the caller gets the reason instead of waiting forever.
        port.postMessage({ id: call.id, ok: false, error: serializeError(error) } satisfies Reply);
      }
    });
  });
  port.postMessage({ ready: true } satisfies Ready);
}

void main();
