// A fresh, migrated database per test file: in-memory PGlite, or a new PostgreSQL database when DATABASE_URL is set.
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { migrate, openStore, type Store } from '../../src/store/index.js';
import { loadMigrations } from '../../src/store/migrate.js';

export interface TestDatabase {
  readonly store: Store;
  /** A URL for PostgreSQL runs (so a second store or process can share the database), undefined on PGlite. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export interface TestDatabaseOptions {
  /** PostgreSQL's statement_timeout for the store (migrations lift it for themselves). */
  readonly statementTimeoutMs?: number;
  /** Apply the migrations up to this number only, for tests of a later migration on the data it meets. */
  readonly migrateUpTo?: number;
}

async function migrateTo(store: Store, upTo: number | undefined): Promise<void> {
  if (upTo === undefined) await migrate(store);
  else await migrate(store, (await loadMigrations()).filter((m) => m.version <= upTo));
}

export async function createTestDatabase(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const baseUrl = process.env.DATABASE_URL;
  if (!baseUrl) {
    const store = await openStore({ databaseUrl: undefined, databasePoolSize: 1, dataDir: undefined });
    await migrateTo(store, options.migrateUpTo);
    return { store, url: undefined, close: () => store.close() };
  }
  const name = `usher_test_${randomBytes(6).toString('hex')}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = withDatabase(baseUrl, name);
  const store = await openStore({ databaseUrl: url, databasePoolSize: 8, dataDir: undefined, statementTimeoutMs: options.statementTimeoutMs });
  await migrateTo(store, options.migrateUpTo);
  return {
    store,
    url,
    async close() {
      await store.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
