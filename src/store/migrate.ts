// Applies the plain SQL migrations in sql/ in order, each in its own transaction, recorded in schema_migrations.
import { readdir, readFile } from 'node:fs/promises';
import type { Store } from './store.js';

const MIGRATIONS_DIR = new URL('../../sql/', import.meta.url);
const FILE_PATTERN = /^(\d{4})_[a-z0-9_]+\.sql$/;
// Any constant works; it only has to be the same for every instance that migrates this database.
const MIGRATION_LOCK_KEY = 7_221_034_517;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export async function loadMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((file) => FILE_PATTERN.test(file)).sort();
  return Promise.all(
    files.map(async (file) => ({
      version: Number(FILE_PATTERN.exec(file)![1]),
      name: file,
      sql: await readFile(new URL(file, dir), 'utf8'),
    })),
  );
}

/**
 * Brings the database up to the newest migration and returns the names applied now.
 * Each step takes a transaction-scoped advisory lock and re-reads what is applied, so two
 * instances starting at once apply every migration exactly once.
 */
/**
 * Applies the migrations not yet applied, in order, each in its own transaction; returns their names. `onApplied`
 * hears of each as it is applied, with how long it took (start-up logs it: a first start creates the whole schema).
 */
export async function migrate(
  store: Store,
  migrations?: readonly Migration[],
  onApplied?: (name: string, ms: number) => void,
): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  const applied: string[] = [];
  for (const migration of all) {
    const started = performance.now();
    const ran = await store.transaction(async (tx) => {
      // STATEMENT_TIMEOUT_MS bounds requests: building an index on a large table, or waiting for another
      // instance's migration, may rightly take longer.
      await tx.query('set local statement_timeout = 0');
      await tx.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      await tx.execScript(
        `create table if not exists schema_migrations (
           version integer primary key,
           name text not null,
           applied_at timestamptz not null default now()
         )`,
      );
      const done = await tx.query('select 1 from schema_migrations where version = $1', [migration.version]);
      if (done.length > 0) return false;
      await tx.execScript(migration.sql);
      await tx.query('insert into schema_migrations (version, name) values ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (ran) {
      applied.push(migration.name);
      onApplied?.(migration.name, Math.round(performance.now() - started));
    }
  }
  return applied;
}
