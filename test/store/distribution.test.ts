// The schema distributes by tenant (docs/scaling.md): read from the catalogue of a freshly migrated database, every
// table's primary key and unique indexes lead with tenant_id and every foreign key carries it to the same column of
// the table it references, so that Citus can shard each table by tenant_id with all of a tenant's rows colocated. The
// few tables that are global by nature are reference (or coordinator-local) tables, on the list below with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable } from '../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/** Tables that are not distributed by tenant, and why. Anything else must follow the rule. */
const NOT_DISTRIBUTED: Readonly<Record<string, string>> = {
  tenants: 'reference table: the tenant directory every tenant_id refers to, read by slug when a sign-in starts',
  server_secrets: 'reference table: keys of the server itself (cursor signing, MFA sealing), shared by every tenant',
  signing_keys: 'reference table: the keys the server signs event tokens with, one JWKS for every tenant',
  schema_migrations: 'coordinator-local: which migrations ran, read only by migrate()',
};

/** Which rule each table breaks: one line per primary key, unique index or foreign key that does not follow it. */
async function distributionViolations(q: Queryable): Promise<string[]> {
  const problems: string[] = [];
  const tables = await q.query<{ table: string; tenant_id: boolean; tenant_id_not_null: boolean; has_primary_key: boolean }>(
    `select c.relname::text as table,
            exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped) as tenant_id,
            exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'tenant_id' and a.attnotnull) as tenant_id_not_null,
            exists (select 1 from pg_index i where i.indrelid = c.oid and i.indisprimary) as has_primary_key
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'p')
      order by 1`,
  );
  const distributed = new Set(tables.filter((t) => !(t.table in NOT_DISTRIBUTED)).map((t) => t.table));
  for (const t of tables) {
    if (!distributed.has(t.table)) continue;
    if (!t.tenant_id) problems.push(`${t.table}: has no tenant_id column`);
    else if (!t.tenant_id_not_null) problems.push(`${t.table}: tenant_id may be null`);
    if (!t.has_primary_key) problems.push(`${t.table}: has no primary key`);
  }

  // Primary keys, unique indexes (and unique constraints, which are such indexes) and exclusion constraints: Citus
  // enforces each within one shard only, so each must hold the distribution column, and the rule is that it leads.
  const indexes = await q.query<{ table: string; index: string; primary: boolean; first_column: string | null }>(
    `select t.relname::text as table, ic.relname::text as index, i.indisprimary as primary, a.attname::text as first_column
       from pg_index i
       join pg_class t on t.oid = i.indrelid
       join pg_namespace n on n.oid = t.relnamespace
       join pg_class ic on ic.oid = i.indexrelid
       left join pg_attribute a on a.attrelid = i.indrelid and a.attnum = i.indkey[0]
      where n.nspname = 'public' and (i.indisunique or i.indisexclusion)
      order by 1, 2`,
  );
  for (const index of indexes) {
    if (!distributed.has(index.table) || index.first_column === 'tenant_id') continue;
    const kind = index.primary ? 'primary key' : 'unique index';
    problems.push(`${index.table}: ${kind} ${index.index} does not lead with tenant_id (it leads with ${index.first_column ?? 'an expression'})`);
  }

  // Foreign keys: between distributed tables they must join tenant_id to tenant_id (the rows are then on one shard);
  // to a reference table they must start from tenant_id or another column of a distributed table's own.
  const keys = await q.query<{ table: string; constraint: string; referenced: string; columns: string[]; referenced_columns: string[] }>(
    `select t.relname::text as table, con.conname::text as constraint, r.relname::text as referenced,
            array(select a.attname::text from unnest(con.conkey) with ordinality as k (attnum, n)
                    join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.n) as columns,
            array(select a.attname::text from unnest(con.confkey) with ordinality as k (attnum, n)
                    join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.n) as referenced_columns
       from pg_constraint con
       join pg_class t on t.oid = con.conrelid
       join pg_namespace n on n.oid = t.relnamespace
       join pg_class r on r.oid = con.confrelid
      where n.nspname = 'public' and con.contype = 'f'
      order by 1, 2`,
  );
  for (const key of keys) {
    const from = distributed.has(key.table);
    const to = distributed.has(key.referenced);
    if (!from && to) {
      problems.push(`${key.table}: foreign key ${key.constraint} goes from a reference table to the distributed table ${key.referenced}`);
    } else if (from && !key.columns.includes('tenant_id')) {
      problems.push(`${key.table}: foreign key ${key.constraint} does not include tenant_id`);
    } else if (from && to && key.referenced_columns[key.columns.indexOf('tenant_id')] !== 'tenant_id') {
      problems.push(`${key.table}: foreign key ${key.constraint} does not join tenant_id to ${key.referenced}.tenant_id`);
    }
  }
  return problems;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.close());

describe(`the schema distributes by tenant (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('keys every table but the listed reference tables by tenant_id first, in primary keys, unique indexes and foreign keys', async () => {
    expect(await distributionViolations(db.store)).toEqual([]);
  });

  it('lists only tables that exist', async () => {
    const rows = await db.store.query<{ table: string }>(
      `select c.relname::text as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname = any($1::text[])`,
      [Object.keys(NOT_DISTRIBUTED)],
    );
    expect(rows.map((row) => row.table).sort()).toEqual(Object.keys(NOT_DISTRIBUTED).sort());
  });

  it('names each way a new table can break the rule', async () => {
    // A table made the way the rule forbids, in a transaction that is rolled back: the check must name each fault.
    const found = await db.store
      .transaction(async (tx) => {
        await tx.execScript(`
          create table breaks_rule (
            id uuid primary key,
            tenant_id uuid references tenants (id),
            parent_id uuid references breaks_rule (id),
            token_hash text not null
          );
          create unique index breaks_rule_token_hash_key on breaks_rule (token_hash);
          create unique index breaks_rule_lower_key on breaks_rule (lower(token_hash));
          create table keyless (tenant_id uuid not null, note text);
          alter table server_secrets add column owner_tenant_id uuid, add column owner_user_id uuid;
          alter table server_secrets add foreign key (owner_tenant_id, owner_user_id) references users (tenant_id, id);
          create table misses (tenant_id uuid not null, other_tenant_id uuid not null, user_id uuid not null,
                               primary key (tenant_id, user_id),
                               foreign key (other_tenant_id, user_id) references users (tenant_id, id));
          create table crossed (tenant_id uuid not null, user_id uuid not null, primary key (tenant_id, user_id),
                                foreign key (user_id, tenant_id) references users (tenant_id, id));`);
        throw Object.assign(new Error('roll back'), { found: await distributionViolations(tx) });
      })
      .catch((error: { found?: string[] }) => error.found ?? [String(error)]);
    const made = /^(breaks_rule|keyless|misses|crossed|server_secrets):/;
    expect(found.filter((line) => made.test(line)).sort()).toEqual([
      'breaks_rule: tenant_id may be null',
      'keyless: has no primary key',
      'breaks_rule: primary key breaks_rule_pkey does not lead with tenant_id (it leads with id)',
      'breaks_rule: unique index breaks_rule_lower_key does not lead with tenant_id (it leads with an expression)',
      'breaks_rule: unique index breaks_rule_token_hash_key does not lead with tenant_id (it leads with token_hash)',
      'breaks_rule: foreign key breaks_rule_parent_id_fkey does not include tenant_id',
      'misses: foreign key misses_other_tenant_id_user_id_fkey does not include tenant_id',
      'crossed: foreign key crossed_user_id_tenant_id_fkey does not join tenant_id to users.tenant_id',
      'server_secrets: foreign key server_secrets_owner_tenant_id_owner_user_id_fkey goes from a reference table to the distributed table users',
    ].sort());
    // Nothing of it stayed.
    expect(await distributionViolations(db.store)).toEqual(expect.not.arrayContaining([expect.stringMatching(/breaks_rule|keyless|misses|crossed|owner_/)]));
  });
});
