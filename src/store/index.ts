// Opens the store the configuration asks for: PostgreSQL when a URL is given, embedded PGlite otherwise.
import { createPgliteStore } from './pglite.js';
import { createPostgresStore } from './postgres.js';
import type { Store } from './store.js';

export interface StoreConfig {
  readonly databaseUrl: string | undefined;
  readonly databasePoolSize: number;
  /** PostgreSQL cancels a statement that runs longer than this (ms); undefined or 0: no limit. */
  readonly statementTimeoutMs?: number;
  /** How long closing waits for the work under way before it stops PGlite's worker anyway (ms; default 10 s). */
  readonly shutdownTimeoutMs?: number;
  /** PGlite's data directory; undefined keeps the database in memory. */
  readonly dataDir: string | undefined;
  /** PGlite: a backup to make the new database in dataDir from (usher restore). */
  readonly restore?: Uint8Array;
}

export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.databaseUrl) {
    return createPostgresStore({
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      statementTimeoutMs: config.statementTimeoutMs ?? 0,
    });
  }
  return createPgliteStore({ dataDir: config.dataDir, closeTimeoutMs: config.shutdownTimeoutMs, ...(config.restore ? { restore: config.restore } : {}) });
}

export type { ChannelListener, Queryable, QueryOptions, Row, Store, Transaction } from './store.js';
export { StoreError } from './errors.js';
export { migrate } from './migrate.js';
