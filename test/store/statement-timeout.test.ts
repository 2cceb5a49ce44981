// STATEMENT_TIMEOUT_MS on PostgreSQL: a statement over it is cancelled, its request answers 503 with Retry-After,
// and nothing of it is written. PGlite cannot interrupt a statement, so this runs on PostgreSQL only.
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_SCHEMA, createTestContext, userBody, type TestContext } from '../helpers/app.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const TIMEOUT_MS = 300;

describe.skipIf(!process.env.DATABASE_URL)('a statement over STATEMENT_TIMEOUT_MS (PostgreSQL)', () => {
  let t: TestContext;
  let other: postgres.Sql;
  beforeAll(async () => {
    // Migrations ran through this very store: they lift the timeout for themselves.
    t = await createTestContext({ statementTimeoutMs: TIMEOUT_MS });
    other = postgres(t.databaseUrl!, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await other?.end();
    await t?.close();
  });

  /** Runs `during` while another session holds `table` locked, so that any statement touching it waits. */
  async function whileLocked<T>(table: string, during: () => Promise<T>): Promise<T> {
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const holding = other.begin(async (sql) => {
      await sql.unsafe(`lock table ${table} in access exclusive mode`);
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    try {
      return await during();
    } finally {
      release();
      await holding;
    }
  }

  const count = async (sql: string, params: unknown[]) => (await t.store.query<{ n: number }>(sql, params))[0]!.n;
  const usersNamed = (userName: string) => count('select count(*)::int as n from users where tenant_id = $1 and user_name = $2', [t.client.tenantId, userName]);
  const historyRows = () => count('select count(*)::int as n from history where tenant_id = $1', [t.client.tenantId]);

  it("is cancelled, and the store says 'timeout'", async () => {
    await expect(t.store.query('select pg_sleep(2)')).rejects.toMatchObject({ name: 'StoreError', kind: 'timeout' });
    await expect(t.store.transaction((tx) => tx.query('select pg_sleep(2)'))).rejects.toMatchObject({ name: 'StoreError', kind: 'timeout' });
  });

  it('answers a SCIM request with 503, Retry-After and a SCIM error, and writes nothing of it', async () => {
    const historyBefore = await historyRows();
    // The user row goes in; its history row then waits for the lock until the timeout cancels the transaction.
    const response = await whileLocked('history', () => t.client.request('POST', '/Users', userBody('slow.sam')));
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    expect(response.body).toEqual({
      schemas: [ERROR_SCHEMA],
      status: '503',
      detail: 'The request took too long and was cancelled; nothing was changed. Retry it later.',
    });
    expect(await usersNamed('slow.sam')).toBe(0);
    expect(await historyRows()).toBe(historyBefore);

    // Sent again once the database is free, it is done, once.
    expect((await t.client.request('POST', '/Users', userBody('slow.sam'))).status).toBe(201);
    expect(await usersNamed('slow.sam')).toBe(1);
  });

  it('fails only the Bulk operation that ran over it, with 503', async () => {
    const response = await whileLocked('history', () =>
      t.client.request('POST', '/Bulk', {
        schemas: [BULK_REQUEST],
        Operations: [{ method: 'POST', path: '/Users', bulkId: 'a', data: userBody('slow.bulk') }],
      }),
    );
    expect(response.status).toBe(200);
    expect(response.body.Operations).toEqual([
      expect.objectContaining({ status: '503', response: expect.objectContaining({ status: '503', detail: expect.stringMatching(/cancelled; nothing of it was changed/) }) }),
    ]);
    expect(await usersNamed('slow.bulk')).toBe(0);
  });

  it('answers /auth with 503, Retry-After and a JSON error', async () => {
    const response = await whileLocked('users', async () =>
      t.app.request('/auth/login', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ tenant: 'acme', userName: 'nobody', password: 'whatever-it-is' }),
      }),
    );
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await response.json()).toEqual({
      error: 'temporarily_unavailable',
      detail: 'The request took too long and was cancelled; nothing was changed. Retry it later.',
    });
  });
});
