// Inserts held back and sent as one statement (src/store/held-inserts.ts), on the current back end.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { holdInserts } from '../../src/store/held-inserts.js';
import { StoreError, type Queryable, type Store } from '../../src/store/index.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

let db: TestDatabase;
let store: Store;
beforeAll(async () => {
  db = await createTestDatabase();
  store = db.store;
  await store.transaction((tx) =>
    tx.execScript(`create table held_a (id integer primary key, label text not null unique, doc jsonb);
                   create table held_b (id integer primary key, at timestamptz not null, again timestamptz not null)`),
  );
});
afterAll(() => db?.close());
beforeEach(async () => {
  await store.query('delete from held_a');
  await store.query('delete from held_b');
});

/** A Queryable that records the statements sent through it. */
function counting(q: Queryable, sent: string[]): Queryable {
  return { query: (text, params) => (sent.push(text), q.query(text, params)) };
}

describe(`held inserts (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('sends the inserts held as one statement, with each one parameters renumbered, and writes all of them', async () => {
    const sent: string[] = [];
    await store.transaction(async (tx) => {
      const held = holdInserts(counting(tx, sent));
      expect(await held.query('insert into held_a (id, label, doc) values ($1, $2, $3::jsonb)', [1, 'one', { n: 1 }])).toEqual([]);
      await held.query('insert into held_b (id, at, again) values ($1, $2, $2)', [7, '2026-01-02T03:04:05.000Z']);
      await held.query('insert into held_a (id, label) select x, $2 || x from generate_series($1::int, $1::int + 1) as x', [2, 'x']);
      expect(sent).toEqual([]);
      await held.send();
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBe(
      'with held_0 as (insert into held_a (id, label, doc) values ($1, $2, $3::jsonb)), held_1 as (insert into held_b (id, at, again) values ($4, $5, $5)) ' +
        'insert into held_a (id, label) select x, $7 || x from generate_series($6::int, $6::int + 1) as x',
    );
    expect(await store.query('select id, label, doc from held_a order by id')).toEqual([
      { id: 1, label: 'one', doc: { n: 1 } },
      { id: 2, label: 'x2', doc: null },
      { id: 3, label: 'x3', doc: null },
    ]);
    const [b] = await store.query<{ id: number; at: Date; again: Date }>('select id, at, again from held_b');
    expect([b!.id, b!.at.toISOString(), b!.again.toISOString()]).toEqual([7, '2026-01-02T03:04:05.000Z', '2026-01-02T03:04:05.000Z']);
  });

  it('sends what it holds before a statement that reads, which then sees the rows; a lone insert goes as it is', async () => {
    const sent: string[] = [];
    const seen = await store.transaction(async (tx) => {
      const held = holdInserts(counting(tx, sent));
      await held.query('insert into held_a (id, label) values ($1, $2)', [1, 'one']);
      const rows = await held.query('select label from held_a');
      await held.query('insert into held_a (id, label) values ($1, $2) returning id', [2, 'two']);
      await held.send();
      return rows;
    });
    expect(seen).toEqual([{ label: 'one' }]);
    expect(sent).toEqual(['insert into held_a (id, label) values ($1, $2)', 'select label from held_a', 'insert into held_a (id, label) values ($1, $2) returning id']);
  });

  it('fails the statement, and the transaction, as the insert would have alone: a unique violation names its constraint', async () => {
    await store.query("insert into held_a (id, label) values (1, 'taken')");
    const failure = await store
      .transaction(async (tx) => {
        const held = holdInserts(tx);
        await held.query('insert into held_b (id, at, again) values ($1, now(), now())', [1]);
        await held.query('insert into held_a (id, label) values ($1, $2)', [2, 'taken']);
        await held.send();
      })
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StoreError);
    expect(failure).toMatchObject({ kind: 'unique', constraint: 'held_a_label_key' });
    expect(await store.query('select id from held_b')).toEqual([]);
  });

  it('sends nothing when it holds nothing', async () => {
    const sent: string[] = [];
    await holdInserts(counting(store, sent)).send();
    expect(sent).toEqual([]);
  });
});
