// The embedded adapter of the store port: PGlite (PostgreSQL compiled to WebAssembly) in this process.
import { PGlite, types } from '@electric-sql/pglite';
import { translateError } from './errors.js';
import { withRetry } from './retry.js';
import type { Row, Store, Transaction } from './store.js';

export interface PgliteOptions {
  /** A directory to keep the data in, or undefined for an in-memory database (tests). */
  readonly dataDir: string | undefined;
}

interface PgliteLike {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
  exec(script: string): Promise<unknown>;
}

function adapt(db: PgliteLike): Transaction {
  return {
    async query<T extends Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      try {
        return (await db.query<T>(text, [...params])).rows;
      } catch (error) {
        throw translateError(error);
      }
    },
    async execScript(script: string): Promise<void> {
      try {
        await db.exec(script);
      } catch (error) {
        throw translateError(error);
      }
    },
  };
}

export async function createPgliteStore(options: PgliteOptions): Promise<Store> {
  const db = await PGlite.create({
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    parsers: { [types.INT8]: (value: string) => Number(value) },
  });
  const root = adapt(db);
  return {
    kind: 'pglite',
    query: root.query,
    // PGlite is one connection: its own mutex runs each transaction alone, so there is nothing to race.
    transaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
      return withRetry(async () => {
        try {
          return await db.transaction((tx) => fn(adapt(tx)));
        } catch (error) {
          throw translateError(error);
        }
      });
    },
    async close(): Promise<void> {
      if (!db.closed) await db.close();
    },
  };
}
