// The database port: what the rest of Usher may ask of a database, whichever engine is behind it.

export type Row = Record<string, unknown>;

/** How to run one statement. */
export interface QueryOptions {
  /**
   * Plan the statement for this execution's values, never from the generic plan PostgreSQL may cache for a prepared
   * statement: for statements whose best plan depends on their values (how common a searched fragment is). Both
   * stores then send it unnamed; the others are named statements, kept per connection (PGlite's worker keeps its own).
   */
  readonly planEachTime?: boolean;
}

/** Anything that runs one parameterised statement: the store itself or an open transaction. */
export interface Queryable {
  query<T extends Row = Row>(text: string, params?: readonly unknown[], options?: QueryOptions): Promise<T[]>;
}

export interface Transaction extends Queryable {
  /** Runs a script of several statements without parameters (migrations only). */
  execScript(script: string): Promise<void>;
}

/** What a store's listen() reports about one channel (PostgreSQL LISTEN/NOTIFY). */
export interface ChannelListener {
  /** A payload NOTIFY sent on the channel, from any session of the database, once its transaction committed. */
  message(payload: string): void;
  /**
   * true once the channel is listened to (again); false as soon as the listening connection is lost. Notifications
   * sent while it is not listened to are never delivered: what they would have invalidated must be forgotten.
   */
  state(listening: boolean): void;
}

export interface Store extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /**
   * Runs fn in one transaction: committed when fn resolves, rolled back when it throws.
   * Serialization failures and deadlocks are retried a few times, so fn must be safe to run again.
   */
  transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>;
  /**
   * The embedded database only: a gzipped tar of its data directory, consistent (taken between transactions), that
   * `restore` makes a database of again. PostgreSQL is backed up with its own tools (pg_dump).
   */
  backup?(): Promise<Uint8Array>;
  close(): Promise<void>;
  /**
   * Listens to a channel until the returned function is called or the store closes, reconnecting when the
   * connection is lost; the listener hears of each loss and each recovery. Absent from stores that cannot listen
   * (test and bench wrappers may leave it out): callers must then work without notifications.
   */
  listen?(channel: string, listener: ChannelListener): () => void;
}
