// The worker thread that owns the embedded database: PGlite runs here, so its long statements never hold the main event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, parse, protocol, types, type Transaction } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { MEMORY_SETTINGS, serializeError, type Begin, type Call, type Drain, type Notification, type Ready, type Reply, type WorkerOptions } from './pglite-protocol.js';

const port = parentPort!;
const options = workerData as WorkerOptions;

/** The transaction under way: PGlite's own, kept open across calls until commit or rollback ends it. */
interface Open {
  readonly tx: Transaction;
  readonly end: (commit: boolean) => void;
  readonly done: Promise<unknown>;
}

const ROLLBACK = Symbol('rollback');
/** Named statements kept in the session at most (see prepare). */
const MAX_STATEMENTS = 500;

async function main(): Promise<void> {
  let db: PGlite;
  try {
    db = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.restore ? { loadDataDir: new Blob([options.restore]) } : {}),
      startParams: [...PGlite.defaultStartParams, ...MEMORY_SETTINGS.flatMap((setting) => ['-c', setting])],
      // bigint columns (versions, counts) fit in a double for any real deployment; return numbers, as postgres.js does here.
      parsers: { [types.INT8]: (value: string) => Number(value) },
      // Trigram indexes serve the search box's substring matches (sql/0013_search_indexes.sql creates the extension).
      extensions: { pg_trgm },
    });
  } catch (error) {
    port.postMessage({ ready: false, error: serializeError(error) } satisfies Ready);
    return;
  }
  let open: Open | undefined;
  /** Why the last BEGIN opened nothing: what was sent for its transaction is refused with it. */
  let beginFailed: unknown;
  /** A statement of a transaction that is not open (its BEGIN failed) must not run on its own. */
  const checkOpen = (call: Call) => {
    if ('inTx' in call && call.inTx && !open) throw beginFailed ?? new Error('No transaction is open on the embedded database.');
  };

  // Named statements, as postgres.js keeps on each PostgreSQL connection: PGlite's own query() parses, plans and
  // describes every statement anew, and for a page of users with its groups the planning alone took three times
  // the execution. Once named, PostgreSQL plans it generically after a few runs and this one WebAssembly session
  // stops paying for it. At most MAX_STATEMENTS are kept (clients choose their filters): the least recently used goes.
  const statements = new Map<string, { name: string; paramTypes: number[] }>();
  let statementCount = 0;
  const send = (message: Uint8Array) => db.execProtocolStream(message, { syncToFs: false });
  const parseAndDescribe = async (name: string, text: string) => {
    await send(protocol.serialize.parse({ name, text }));
    return parse.parseDescribeStatementResults(await send(protocol.serialize.describe({ type: 'S', name })));
  };
  const prepare = async (text: string, planEachTime: boolean) => {
    // The unnamed statement is planned for the values it is bound to each time (QueryOptions.planEachTime).
    if (planEachTime) return { name: '', paramTypes: await parseAndDescribe('', text) };
    let statement = statements.get(text);
    if (statement) {
      statements.delete(text);
      statements.set(text, statement);
      return statement;
    }
    if (statements.size >= MAX_STATEMENTS) {
      const [oldText, oldest] = statements.entries().next().value!;
      statements.delete(oldText);
      await send(protocol.serialize.close({ type: 'S', name: oldest.name }));
    }
    const name = `usher_${++statementCount}`;
    statement = { name, paramTypes: await parseAndDescribe(name, text) };
    statements.set(text, statement);
    return statement;
  };
  /** What PGlite's query() answers, through a named statement (the unnamed one if planned each time); a failure leaves the session ready, as query() does. */
  const preparedQuery = async (text: string, params: unknown[], planEachTime: boolean): Promise<unknown[]> => {
    const messages = [];
    try {
      const { name, paramTypes } = await prepare(text, planEachTime);
      const values = params.map((value, i) => {
        if (value === null || value === undefined) return null;
        const serialize = db.serializers[paramTypes[i]!];
        return serialize ? serialize(value) : String(value);
      });
      messages.push(
        ...(await send(protocol.serialize.bind({ statement: name, values }))),
        ...(await send(protocol.serialize.describe({ type: 'P' }))),
        ...(await send(protocol.serialize.execute({}))),
      );
    } finally {
      messages.push(...(await send(protocol.serialize.sync())));
    }
    if (!open) await db.syncToFs();
    return parse.parseResults(messages, db.parsers)[0]!.rows;
  };

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

  const run = async (call: Call | Begin): Promise<unknown[] | undefined> => {
    switch (call.op) {
      case 'query':
        checkOpen(call);
        return preparedQuery(call.text, call.params, call.planEachTime === true);
      case 'exec':
        checkOpen(call);
        await (open?.tx ?? db).exec(call.script);
        return undefined;
      case 'begin':
        if (open) throw new Error('A transaction is already open on the embedded database.');
        beginFailed = undefined;
        open = await begin();
        return undefined;
      case 'commit':
      case 'rollback': {
        const ending = open;
        if (!ending && call.op === 'rollback' && beginFailed !== undefined) return undefined;
        if (!ending) throw beginFailed ?? new Error(`No transaction to ${call.op}.`);
        open = undefined;
        ending.end(call.op === 'commit');
        try {
          await ending.done;
        } catch (error) {
          if (error !== ROLLBACK) throw error;
        }
        return undefined;
      }
      case 'listen':
        // Never inside a transaction (the store sends it as a plain call): the LISTEN must outlive any rollback.
        await db.listen(call.channel, (payload) => port.postMessage({ op: 'notification', channel: call.channel, payload } satisfies Notification));
        return undefined;
      case 'close':
        if (!db.closed) await db.close();
        return undefined;
      case 'backup': {
        // Between transactions (a backup waits for the one under way, as a plain statement does), after a
        // checkpoint: the files are then the database as committed, with nothing left to replay.
        await db.exec('checkpoint');
        const tar = await db.dumpDataDir('gzip');
        return [new Uint8Array(await tar.arrayBuffer())];
      }
    }
  };

  const answer = (call: Call | Begin, reply: Reply) => {
    if (!('id' in call)) return;
    try {
      port.postMessage(reply);
    } catch (error) {
      // A value the thread boundary cannot carry: the caller gets the reason instead of waiting forever.
      port.postMessage({ id: call.id, ok: false, error: serializeError(error) } satisfies Reply);
    }
  };
  const closedError = () => new Error('The embedded database is closed.');

  // Calls run one at a time, in the order they arrive, on this chain: the next one starts as soon as the last
  // ends, without a round trip to the main thread in between. Plain statements that arrive while a transaction
  // is open (from its BEGIN until its COMMIT or ROLLBACK arrives) are held in `held` and chained after it ends.
  let last: Promise<void> = Promise.resolve();
  let inTransaction = false;
  let held: (Call | Begin)[] = [];
  let draining = false;
  // Each call starts a turn after the last ended, so messages that came in meanwhile (a drain) are read first.
  const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
  const chain = (call: Call | Begin) => {
    last = last.then(nextTurn).then(async () => {
      const plain = call.op === 'query' || call.op === 'exec' ? !call.inTx : call.op === 'begin' || call.op === 'listen' || call.op === 'backup';
      const id = 'id' in call ? call.id : 0;
      if (draining && plain) {
        if (call.op === 'begin') {
          beginFailed = closedError();
          release();
        }
        return answer(call, { id, ok: false, error: serializeError(closedError()) });
      }
      let reply: Reply;
      try {
        const rows = await run(call);
        reply = rows ? { id, ok: true, rows } : { id, ok: true };
      } catch (error) {
        reply = { id, ok: false, error: serializeError(error) };
        // A BEGIN that failed opened nothing: what was held for its transaction may run.
        if (call.op === 'begin') {
          beginFailed = error;
          release();
        }
      }
      answer(call, reply);
    });
  };
  const release = () => {
    inTransaction = false;
    const released = held;
    held = [];
    for (const call of released) chain(call);
  };
  port.on('message', (message: Call | Begin | Drain) => {
    if (message.op === 'drain') {
      draining = true;
      return;
    }
    const call = message;
    if ((((call.op === 'query' || call.op === 'exec') && !call.inTx) || call.op === 'listen' || call.op === 'backup') && inTransaction) {
      held.push(call);
      return;
    }
    chain(call);
    if (call.op === 'begin') inTransaction = true;
    else if (call.op === 'commit' || call.op === 'rollback') release();
  });
  port.postMessage({ ready: true } satisfies Ready);
}

void main();
