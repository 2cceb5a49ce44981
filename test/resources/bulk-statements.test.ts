// What a Bulk of creates costs the database: each created user is one transaction of three statements (the user with
// its indexed values; its history, welcome link and welcome mail together; its SCIM events, which write nothing when
// no stream wants them), and still each its own request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queryable, Store, Transaction } from '../../src/store/index.js';
import { createTestContext, ENTERPRISE_SCHEMA, USER_SCHEMA, type TestContext } from '../helpers/app.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
/** Each statement sent, and BEGIN where a transaction began. */
const sent: string[] = [];
const recorded = (q: Queryable) => <T extends Record<string, unknown>>(text: string, params?: readonly unknown[]) => {
  sent.push(text.replace(/\s+/g, ' ').trim());
  return q.query<T>(text, params);
};
function recording(store: Store): Store {
  return {
    ...store,
    query: recorded(store),
    transaction: (fn) =>
      store.transaction((tx) => {
        sent.push('BEGIN');
        return fn({ query: recorded(tx), execScript: (script) => tx.execScript(script) } satisfies Transaction);
      }),
  };
}

const userData = (n: number) => ({
  schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
  userName: `bulk${n}@example.com`,
  name: { givenName: 'Bulk', familyName: `Tester ${n}` },
  emails: [{ value: `bulk${n}@example.com`, type: 'work', primary: true }],
  [ENTERPRISE_SCHEMA]: { employeeNumber: String(n) },
});

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext({ wrapStore: recording });
});
afterAll(() => t?.close());

describe(`statements of a Bulk of creates (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('costs three statements per user, each user its own transaction, with its history, link and welcome mail in order', async () => {
    // The tenant's name, which the welcome mail reads once a minute, is read before the count begins.
    expect((await t.client.request('POST', '/Users', userData(0))).status).toBe(201);
    sent.length = 0;
    const response = await t.client.request('POST', '/Bulk', {
      schemas: [BULK_REQUEST],
      // The second is a duplicate of the first: it fails alone, and the third is created as if it had not been sent.
      Operations: [1, 1, 2].map((n, i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: userData(n) })),
    });
    expect(response.status).toBe(200);
    expect(response.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '409', '201']);
    const afterToken = sent.slice(sent.indexOf('BEGIN'));
    expect(afterToken.filter((s) => s === 'BEGIN')).toHaveLength(3);
    // Two creates of two statements, and the duplicate, which fails at its first.
    expect(afterToken.filter((s) => s !== 'BEGIN'), afterToken.join('\n')).toHaveLength(7);
    expect(afterToken.filter((s) => /insert into events /.test(s))).toHaveLength(2);
    expect(afterToken.filter((s) => /^with held_0 as \(insert into auth_tokens .*\), held_1 as \(insert into outbox .*\) insert into history /.test(s))).toHaveLength(2);

    for (const n of [1, 2]) {
      const id = response.body.Operations[n === 1 ? 0 : 2].location.split('/').pop();
      const history = await t.store.query<{ event: string }>('select event from history where tenant_id = $1 and resource_id = $2 order by seq', [t.client.tenantId, id]);
      expect(history.map((h) => h.event)).toEqual(['created', 'welcomeEmailSent']);
      expect(await t.store.query('select purpose from auth_tokens where tenant_id = $1 and user_id = $2', [t.client.tenantId, id])).toEqual([{ purpose: 'welcome' }]);
      expect(await t.store.query('select kind, recipient from outbox where tenant_id = $1 and user_id = $2', [t.client.tenantId, id])).toEqual([
        { kind: 'welcome', recipient: `bulk${n}@example.com` },
      ]);
    }
  });
});
