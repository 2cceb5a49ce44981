// No request crosses shards (docs/scaling.md): every statement the app sends while it serves SCIM and /auth requests
// reads or writes the distributed tables with an equality on tenant_id, so that Citus routes it to one tenant's shard.
// The tables that are not distributed (tenants, server_secrets) are reference tables, on every node. The one
// exception is a token that names no tenant (issued before tokens did): its lookup is by digest alone. The check reads
// the SQL text: a statement on a distributed table must hold `tenant_id = $n` (or insert tenant_id first).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/tokens.js';
import type { Queryable, Store, Transaction } from '../../src/store/index.js';
import { createTestContext, groupBody, postJson, scimRequest, userBody, type TestContext } from '../helpers/app.js';

const DISTRIBUTED = [
  'users', 'user_values', 'groups', 'group_members', 'group_subgroups', 'api_tokens', 'sessions', 'auth_tokens',
  'outbox', 'history', 'user_mfa', 'mfa_recovery_codes', 'login_throttle',
];
const TOUCHES = new RegExp(`\\b(?:from|join|into|update)\\s+(?:${DISTRIBUTED.join('|')})\\b`, 'i');
/** An equality on tenant_id with a parameter (where, on, or an insert's first column) routes a statement. */
const ROUTED = /tenant_id\s*=\s*\$\d|insert\s+into\s+\w+(?:\s+as\s+\w+)?\s*\(\s*tenant_id\b/i;
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PASSWORD = 'correct horse battery staple';

const statements: string[] = [];
const recorded = (q: Queryable) => <T extends Record<string, unknown>>(text: string, params?: readonly unknown[]) => {
  statements.push(text);
  return q.query<T>(text, params);
};
function recording(store: Store): Store {
  return {
    kind: store.kind,
    query: recorded(store),
    transaction: (fn) => store.transaction((tx) => fn({ query: recorded(tx), execScript: (script) => tx.execScript(script) } satisfies Transaction)),
    close: () => store.close(),
  };
}

/** The statements sent while `fn` ran that touch a distributed table without naming the tenant. */
async function unrouted(fn: () => Promise<void>): Promise<string[]> {
  statements.length = 0;
  await fn();
  expect(statements.length).toBeGreaterThan(0);
  return [...new Set(statements.filter((text) => TOUCHES.test(text) && !ROUTED.test(text)).map((text) => text.replace(/\s+/g, ' ').trim()))];
}

let t: TestContext;
const post = (path: string, body: unknown, token?: string) => postJson(t.app, path, body, token);
const scim = (token: string, method: string, path: string, body?: unknown) => scimRequest(t.app, token, method, path, body);

beforeAll(async () => {
  t = await createTestContext({ wrapStore: recording });
});
afterAll(() => t?.close());

describe(`every statement of a request names its tenant (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('SCIM: users, groups, filters, PATCH, Bulk, search, history, delete', async () => {
    expect(
      await unrouted(async () => {
        const c = t.client;
        const ada = await c.request('POST', '/Users', userBody('ada@example.com', { emails: [{ value: 'ada@example.com', type: 'work', primary: true }] }));
        expect(ada.status).toBe(201);
        const bob = await c.request('POST', '/Users', userBody('bob@example.com'));
        const group = await c.request('POST', '/Groups', groupBody('Engineers', { members: [{ value: ada.body.id }] }));
        expect(group.status).toBe(201);
        const sub = await c.request('POST', '/Groups', groupBody('Platform', { members: [{ value: bob.body.id }] }));
        expect(
          (await c.request('PATCH', `/Groups/${group.body.id}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: sub.body.id }, { value: bob.body.id }] }] }))
            .status,
        ).toBe(204);
        for (const path of [
          '/Users?filter=userName eq "ada@example.com"',
          '/Users?filter=externalId eq "x"',
          '/Users?filter=emails[type eq "work"].value eq "ada@example.com"',
          `/Users?filter=groups.value eq "${group.body.id}"`,
          '/Users?filter=name.familyName co "a"&sortBy=name.familyName&startIndex=2&count=1',
          `/Users/${ada.body.id}`,
          `/Groups/${group.body.id}`,
          '/Groups?filter=displayName sw "Eng"',
          '/History?search=ada',
          `/Users/${ada.body.id}/History`,
        ]) {
          expect([path, (await c.request('GET', path.replaceAll(' ', '%20').replaceAll('"', '%22'))).status]).toEqual([path, 200]);
        }
        expect((await c.request('PATCH', `/Users/${ada.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Ada L.' }] })).status).toBe(200);
        expect((await c.request('PUT', `/Users/${bob.body.id}`, userBody('bob@example.com', { displayName: 'Bob' }))).status).toBe(200);
        expect((await c.request('POST', '/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: 'userName sw "a"' })).status).toBe(200);
        const bulk = await c.request('POST', '/Bulk', {
          schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
          Operations: [{ method: 'POST', path: '/Users', bulkId: 'x', data: userBody('carol@example.com') }],
        });
        expect(bulk.status).toBe(200);
        expect((await c.request('DELETE', `/Groups/${sub.body.id}`)).status).toBe(204);
        expect((await c.request('DELETE', `/Users/${bob.body.id}`)).status).toBe(204);
      }),
    ).toEqual([]);
  });

  it('/auth: sign-in, failed sign-ins, sessions, password change, reset link, logout', async () => {
    const created = await t.client.request('POST', '/Users', userBody('dora@example.com', { password: PASSWORD, emails: [{ value: 'dora@example.com', primary: true }] }));
    expect(created.status).toBe(201);
    expect(
      await unrouted(async () => {
        expect((await post('/auth/login', { tenant: 'acme', userName: 'dora@example.com', password: 'wrong password' })).status).toBe(401);
        expect((await post('/auth/login', { tenant: 'acme', userName: 'nobody@example.com', password: 'wrong password' })).status).toBe(401);
        expect((await post('/auth/login', { tenant: 'no-such-tenant', userName: 'dora@example.com', password: 'wrong password' })).status).toBe(401);
        const session = await post('/auth/login', { tenant: 'acme', userName: 'dora@example.com', password: PASSWORD });
        expect(session.status).toBe(200);
        expect((await t.app.request('/auth/session', { headers: { Authorization: `Bearer ${session.body.token}` } })).status).toBe(200);
        expect((await scim(session.body.token, 'GET', '/Me')).status).toBe(200);
        const changed = await post('/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, session.body.token);
        expect(changed.status).toBe(200);
        expect((await t.client.request('POST', `/Users/${created.body.id}/password-reset`)).status).toBe(202);
        const [mail] = await t.store.query<{ text_body: string }>("select text_body from outbox where recipient = 'dora@example.com' order by created_at desc limit 1");
        const token = /reset\?token=([^\s&]+)/.exec(mail!.text_body)![1]!;
        expect((await post('/auth/reset', { token, newPassword: 'the passphrase after reset' })).status).toBe(204);
        expect((await post('/auth/logout', {}, changed.body.token)).status).toBe(401);
      }),
    ).toEqual([]);
  });

  it('names the one exception: a token that names no tenant is looked up by its digest alone', async () => {
    const { token, info } = await t.tenancy.createToken('acme', 'old');
    const legacy = `usher_${'A'.repeat(43)}`;
    await t.store.query('update api_tokens set token_hash = $1 where id = $2', [hashToken(legacy), info.id]);
    expect((await scim(token, 'GET', '/Users?count=1')).status).toBe(401);
    const found = await unrouted(async () => {
      expect((await scim(legacy, 'GET', '/Users?count=1')).status).toBe(200);
    });
    expect(found).toEqual([expect.stringMatching(/^select .* from api_tokens where token_hash = \$1 limit 2$/)]);
  });
});
