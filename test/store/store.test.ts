// The store port on the current back end: PGlite, or PostgreSQL when DATABASE_URL is set.
import { randomBytes, randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, migrate, openStore, type Store } from '../../src/store/index.js';
import { loadMigrations } from '../../src/store/migrate.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let store: Store;
beforeAll(async () => {
  db = await createTestDatabase();
  store = db.store;
  await store.transaction((tx) =>
    tx.execScript(`create table store_probe (
      id integer primary key,
      label text not null,
      doc jsonb,
      constraint store_probe_label_key unique (label)
    )`),
  );
});
afterAll(() => db?.close());
beforeEach(async () => {
  await store.query('delete from store_probe');
});

describe(`the store port (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('says which engine it is', () => {
    expect(store.kind).toBe(process.env.DATABASE_URL ? 'postgres' : 'pglite');
  });

  it.skipIf(!process.env.DATABASE_URL)('keeps PostgreSQL from JIT-compiling its short statements', async () => {
    expect(await store.query('show jit')).toEqual([{ jit: 'off' }]);
  });

  it('runs a query with parameters, and returns bigint as a number', async () => {
    const rows = await store.query<{ sum: number; greeting: string; nothing: null }>(
      'select $1::bigint + $2::bigint as sum, $3::text as greeting, $4::text as nothing',
      [40, 2, "it's \"quoted\"; drop table tenants", null],
    );
    expect(rows).toEqual([{ sum: 42, greeting: "it's \"quoted\"; drop table tenants", nothing: null }]);
  });

  it('keeps parameters out of the SQL text', async () => {
    const label = "x'); delete from store_probe; --";
    await store.query('insert into store_probe (id, label) values ($1, $2)', [1, label]);
    expect(await store.query('select label from store_probe where id = $1', [1])).toEqual([{ label }]);
  });

  const doc = {
    name: { givenName: 'Barbara', familyName: 'Jensen' },
    emails: [{ value: 'b@example.com', primary: true }],
    n: 1.5,
    none: null,
    'ü': 'ü✓ "quoted"',
  };

  it('round-trips jsonb given as a value', async () => {
    await store.query('insert into store_probe (id, label, doc) values ($1, $2, $3)', [2, 'value', doc]);
    await store.query('insert into store_probe (id, label, doc) values ($1, $2, $3::jsonb)', [3, 'array', [doc, 1, 'two']]);
    const rows = await store.query<{ doc: unknown; given: string }>("select doc, doc->'name'->>'givenName' as given from store_probe order by id");
    expect(rows).toEqual([
      { doc, given: 'Barbara' },
      { doc: [doc, 1, 'two'], given: null },
    ]);
  });

  it('takes a string for a jsonb parameter as JSON text, on both engines', async () => {
    await store.query('insert into store_probe (id, label, doc) values ($1, $2, $3::jsonb)', [4, 'text', JSON.stringify(doc)]);
    const rows = await store.query<{ doc: unknown; kind: string }>('select doc, jsonb_typeof(doc) as kind from store_probe where id = $1', [4]);
    expect(rows).toEqual([{ doc, kind: 'object' }]);
  });

  it('returns timestamptz as a Date', async () => {
    const [row] = await store.query<{ at: unknown }>('select $1::timestamptz as at', ['2024-02-29T12:34:56.789Z']);
    expect(row!.at).toBeInstanceOf(Date);
    expect((row!.at as Date).toISOString()).toBe('2024-02-29T12:34:56.789Z');
  });

  it('commits a transaction that resolves, with its result', async () => {
    const result = await store.transaction(async (tx) => {
      await tx.query('insert into store_probe (id, label) values ($1, $2)', [10, 'a']);
      await tx.query('insert into store_probe (id, label) values ($1, $2)', [11, 'b']);
      return (await tx.query<{ n: number }>('select count(*)::int as n from store_probe'))[0]!.n;
    });
    expect(result).toBe(2);
    expect(await store.query('select id from store_probe order by id')).toEqual([{ id: 10 }, { id: 11 }]);
  });

  it('rolls back everything a transaction did when it throws, and passes the error on', async () => {
    const failure = new Error('changed my mind');
    await expect(
      store.transaction(async (tx) => {
        await tx.query('insert into store_probe (id, label) values ($1, $2)', [20, 'gone']);
        await tx.execScript("update store_probe set label = 'also gone'");
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await store.query('select * from store_probe')).toEqual([]);
  });

  it('rolls back when a statement fails, and the store stays usable', async () => {
    await expect(
      store.transaction(async (tx) => {
        await tx.query('insert into store_probe (id, label) values ($1, $2)', [30, 'first']);
        await tx.query('select * from no_such_table');
      }),
    ).rejects.toThrow(/no_such_table/);
    expect(await store.query('select * from store_probe')).toEqual([]);
    expect(await store.query<{ one: number }>('select 1 as one')).toEqual([{ one: 1 }]);
  });

  it("turns a unique violation into StoreError kind 'unique' with the constraint's name", async () => {
    await store.query('insert into store_probe (id, label) values ($1, $2)', [40, 'taken']);
    const outside = await store.query('insert into store_probe (id, label) values ($1, $2)', [41, 'taken']).catch((error: unknown) => error);
    expect(outside).toBeInstanceOf(StoreError);
    expect(outside).toMatchObject({ kind: 'unique', constraint: 'store_probe_label_key' });

    const inside = await store
      .transaction((tx) => tx.query('insert into store_probe (id, label) values ($1, $2)', [40, 'other']))
      .catch((error: unknown) => error);
    expect(inside).toBeInstanceOf(StoreError);
    expect(inside).toMatchObject({ kind: 'unique', constraint: 'store_probe_pkey' });
  });

  it('names the unique index of the schema (tenants_slug_key)', async () => {
    const insert = (slug: string) =>
      store.query('insert into tenants (id, slug, name, created_at) values ($1, $2, $3, now())', [randomUUID(), slug, slug]);
    const slug = `store-${randomBytes(4).toString('hex')}`;
    await insert(slug);
    await expect(insert(slug.toUpperCase())).rejects.toMatchObject({ name: 'StoreError', kind: 'unique', constraint: 'tenants_slug_key' });
  });

  it('maps a foreign key violation', async () => {
    await expect(
      store.query("insert into api_tokens (tenant_id, id, label, token_hash, created_at) values ($1, $2, 'x', 'y', now())", [randomUUID(), randomUUID()]),
    ).rejects.toMatchObject({ kind: 'foreignKey', constraint: 'api_tokens_tenant_id_fkey' });
  });

  it('migrates once: a second migrate() applies nothing', async () => {
    expect(await migrate(store)).toEqual([]);
    const rows = await store.query<{ version: number; name: string }>('select version, name from schema_migrations order by version');
    expect(rows).toEqual((await loadMigrations()).map(({ version, name }) => ({ version, name })));
  });
});

describe('two instances migrating one fresh PostgreSQL database at once', () => {
  it.skipIf(!process.env.DATABASE_URL)(
    'apply each migration exactly once, and both succeed',
    async () => {
      const baseUrl = process.env.DATABASE_URL!;
      const name = `usher_test_${randomBytes(6).toString('hex')}`;
      const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await admin.unsafe(`create database ${name}`);
      const url = new URL(baseUrl);
      url.pathname = `/${name}`;
      const stores = await Promise.all([1, 2].map(() => openStore({ databaseUrl: url.toString(), databasePoolSize: 2, dataDir: undefined })));
      try {
        const [first, second] = await Promise.all(stores.map((s) => migrate(s)));
        const all = (await loadMigrations()).map((m) => m.name);
        // Between them they applied every migration, and no migration twice.
        expect([...first!, ...second!].sort()).toEqual(all);
        const rows = await stores[0]!.query<{ name: string }>('select name from schema_migrations order by version');
        expect(rows.map((r) => r.name)).toEqual(all);
        expect(await stores[1]!.query('select count(*)::int as n from tenants')).toEqual([{ n: 0 }]);
      } finally {
        await Promise.all(stores.map((s) => s.close()));
        await admin.unsafe(`drop database if exists ${name} with (force)`);
        await admin.end();
      }
    },
    60_000,
  );
});
