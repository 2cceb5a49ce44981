// The messages between the PGlite store and its worker thread, and how a database error crosses between them.

/**
 * PostgreSQL settings the embedded database starts with, on top of PGlite's own start parameters. PGlite's
 * shared_buffers default (128 MB) is touched in full at start, in WebAssembly memory, which never shrinks: 32 MB
 * takes about 100 MB off the resident size. Pages beyond it are read through the operating system's file cache.
 */
export const MEMORY_SETTINGS: readonly string[] = ['shared_buffers=32MB'];

/** What the worker is started with (its workerData). */
export interface WorkerOptions {
  /** A directory to keep the data in, or undefined for an in-memory database. */
  readonly dataDir: string | undefined;
  /** A backup (the gzipped tar `backup` answers) to make the new database in dataDir from. */
  readonly restore?: Uint8Array;
}

/**
 * A call to the worker; the worker answers each with a Reply of the same id. Calls are sent as soon as they are
 * made and run one at a time in the order they arrive, except that a plain statement (`inTx` false) arriving while
 * a transaction is open waits until that transaction ends: the worker holds one session, and a statement run in
 * the middle of a transaction would join it.
 */
export type Call =
  | { readonly id: number; readonly op: 'query'; readonly text: string; readonly params: unknown[]; readonly inTx: boolean; readonly planEachTime?: boolean }
  | { readonly id: number; readonly op: 'exec'; readonly script: string; readonly inTx: boolean }
  | { readonly id: number; readonly op: 'listen'; readonly channel: string }
  | { readonly id: number; readonly op: 'commit' | 'rollback' | 'close' }
  /** A gzipped tar of the data directory, taken between transactions after a checkpoint: answered as rows [bytes]. */
  | { readonly id: number; readonly op: 'backup' };

/**
 * Opens a transaction. Sent without an id and answered by nothing, so that the transaction's first statement follows
 * it at once instead of a round trip later: a BEGIN that fails is reported to the statements of the transaction
 * and to its COMMIT, which the worker refuses with its error (it never runs them outside a transaction).
 */
export interface Begin {
  readonly op: 'begin';
}

/**
 * Sent without an id and answered by nothing: from now on the worker refuses every plain statement and every
 * transaction it has not started, and finishes only the transaction under way (the store is closing).
 */
export interface Drain {
  readonly op: 'drain';
}

export type Reply =
  | { readonly id: number; readonly ok: true; readonly rows?: unknown[] }
  | { readonly id: number; readonly ok: false; readonly error: SerializedError };

/**
 * A NOTIFY on a channel the worker listens to, sent without an id. PGlite hands it over before the statement that
 * committed it ends, so it reaches the store before that statement's Reply does.
 */
export interface Notification {
  readonly op: 'notification';
  readonly channel: string;
  readonly payload: string;
}

/** The worker's first message: the database is open, or could not be opened. */
export type Ready = { readonly ready: true } | { readonly ready: false; readonly error: SerializedError };

/**
 * An error as plain data. Structured cloning keeps an Error's message but drops its own fields, and the
 * SQLSTATE `code` and the `constraint` name are what translateError reads, so they are copied one by one.
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly fields: Record<string, string | number | boolean>;
}

export function serializeError(error: unknown): SerializedError {
  if (typeof error !== 'object' || error === null) return { name: 'Error', message: String(error), stack: undefined, fields: {} };
  const fields: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(error)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  if (error instanceof Error) return { name: error.name, message: error.message, stack: error.stack, fields };
  // WebAssembly's file system throws plain objects (an ErrnoError with an errno): say what they hold.
  const name = typeof fields.name === 'string' ? fields.name : 'Error';
  const message = typeof fields.message === 'string' ? fields.message : `${name} ${JSON.stringify(fields)}`;
  return { name, message, stack: undefined, fields };
}

/** The error again, with its fields, and the stack of the caller that is waiting for it (the worker's is kept as `workerStack`). */
export function deserializeError(error: SerializedError, callerStack: string | undefined): Error {
  const restored = Object.assign(new Error(error.message), error.fields, { workerStack: error.stack });
  // A name given as an own property would show in Object.entries and in test matchers: define it like Error does.
  Object.defineProperty(restored, 'name', { value: error.name, configurable: true, writable: true, enumerable: false });
  if (callerStack) restored.stack = `${error.name}: ${error.message}\n${callerStack.slice(callerStack.indexOf('\n') + 1)}`;
  return restored;
}
