// Argon2id never runs inside a database transaction, on every path that hashes or verifies a password: sign-in,
// password change (current password or change token), reset and welcome links, SCIM `password` on create, replace
// and PATCH, in Bulk (circular references included), and the temporary password. A hasher that delegates to the
// real one records, for each call, whether the request had a transaction of the store open at that moment.
import { AsyncLocalStorage } from 'node:async_hooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPasswordHasher, type PasswordHasher } from '../../src/auth/passwords.js';
import type { Store } from '../../src/store/index.js';
import { createTestContext, ENTERPRISE_SCHEMA, PUBLIC_URL, USER_SCHEMA, userBody, postJson, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PASSWORD = 'correct horse battery staple';

/** Set while a transaction of the app's store runs, for the code that runs inside it (and only that code). */
const inTransaction = new AsyncLocalStorage<true>();

function watchTransactions(store: Store): Store {
  return {
    kind: store.kind,
    query: (text, params) => store.query(text, params),
    transaction: (fn) => inTransaction.run(true, () => store.transaction(fn)),
    close: () => store.close(),
  };
}

interface HasherCall {
  readonly call: 'hash' | 'verify';
  readonly inTransaction: boolean;
}
const calls: HasherCall[] = [];

function recording(real: PasswordHasher): PasswordHasher {
  return {
    hash(password) {
      calls.push({ call: 'hash', inTransaction: inTransaction.getStore() === true });
      return real.hash(password);
    },
    verify(hashed, password) {
      calls.push({ call: 'verify', inTransaction: inTransaction.getStore() === true });
      return real.verify(hashed, password);
    },
    admit: (work) => real.admit(work),
  };
}

let t: TestContext;

beforeAll(async () => {
  t = await createTestContext({ passwords: recording(createPasswordHasher()), wrapStore: watchTransactions, auth: { lockoutThreshold: 50, throttleThreshold: 49 } });
});
afterAll(() => t.close());
beforeEach(() => {
  calls.length = 0;
});

/** The hasher calls since the test began: at least the expected kinds, and none inside a transaction. */
function expectOutsideTransactions(...kinds: HasherCall['call'][]): void {
  for (const kind of kinds) expect(calls.map((c) => c.call), `a ${kind} call`).toContain(kind);
  expect(calls.filter((c) => c.inTransaction), 'hasher calls made inside a transaction').toEqual([]);
}

const post = (path: string, body: unknown, token?: string) => postJson(t.app, path, body, token);

const login = (userName: string, password: string) => post('/auth/login', { tenant: 'acme', userName, password });

async function createUser(userName: string, extra: Record<string, unknown> = { password: PASSWORD }): Promise<string> {
  const created = await t.client.request('POST', '/Users', userBody(userName, extra));
  expect(created.status).toBe(201);
  return created.body.id;
}

/** The token of the newest link of that kind mailed to the address, read from the outbox. */
async function linkToken(address: string, path: '/reset' | '/welcome'): Promise<string> {
  const rows = await t.store.query<{ text_body: string }>('select text_body from outbox where recipient = $1 order by created_at desc limit 1', [address]);
  const match = new RegExp(`${PUBLIC_URL}${path}\\?token=([A-Za-z0-9_%-]+)`).exec(rows[0]?.text_body ?? '');
  expect(match, `a ${path} link mailed to ${address}`).not.toBeNull();
  return decodeURIComponent(match![1]!);
}

describe('sign-in', () => {
  it('verifies a right, a wrong and an unknown user\'s password outside any transaction', async () => {
    await createUser('login.user@example.com');
    calls.length = 0;
    expect((await login('login.user@example.com', PASSWORD)).status).toBe(200);
    expect((await login('login.user@example.com', 'wrong horse battery staple')).status).toBe(401);
    expect((await login('nobody@example.com', PASSWORD)).status).toBe(401);
    expectOutsideTransactions('verify');
    expect(calls.filter((c) => c.call === 'verify')).toHaveLength(3);
  });
});

describe('POST /auth/password', () => {
  it('with the current password: verifies it and hashes the new one outside, wrong or right', async () => {
    await createUser('changer@example.com');
    const session = (await login('changer@example.com', PASSWORD)).body.token;
    calls.length = 0;
    const wrong = await post('/auth/password', { currentPassword: 'not the current one', newPassword: 'a brand new passphrase' }, session);
    expect([wrong.status, wrong.body.error]).toEqual([401, 'invalid_credentials']);
    expectOutsideTransactions('verify');
    calls.length = 0;
    const changed = await post('/auth/password', { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' }, session);
    expect(changed.status).toBe(200);
    expectOutsideTransactions('verify', 'hash');
    expect((await login('changer@example.com', 'a brand new passphrase')).status).toBe(200);
    expect((await login('changer@example.com', PASSWORD)).status).toBe(401);
  });

  it('with a change token after a temporary password: hashes the new one outside', async () => {
    const id = await createUser('temporary@example.com');
    calls.length = 0;
    expect((await t.client.request('POST', `/Users/${id}/temporary-password`, { password: 'given passphrase 1' })).status).toBe(204);
    expectOutsideTransactions('hash');
    const refused = await login('temporary@example.com', 'given passphrase 1');
    expect([refused.status, refused.body.error]).toEqual([403, 'password_change_required']);
    calls.length = 0;
    const changed = await post('/auth/password', { changeToken: refused.body.changeToken, newPassword: 'my own passphrase now' });
    expect(changed.status).toBe(200);
    expectOutsideTransactions('hash');
    // The change token is single use.
    const again = await post('/auth/password', { changeToken: refused.body.changeToken, newPassword: 'yet another passphrase' });
    expect([again.status, again.body.error]).toEqual([401, 'invalid_token']);
    expect((await login('temporary@example.com', 'my own passphrase now')).status).toBe(200);
  });

  it('two changes racing with the same current password: one wins, the other is told the password is wrong', async () => {
    await createUser('racer@example.com');
    const session = (await login('racer@example.com', PASSWORD)).body.token;
    const [first, second] = await Promise.all([
      post('/auth/password', { currentPassword: PASSWORD, newPassword: 'first new passphrase' }, session),
      post('/auth/password', { currentPassword: PASSWORD, newPassword: 'second new passphrase' }, session),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 401]);
    const winner = first.status === 200 ? 'first new passphrase' : 'second new passphrase';
    const loser = first.status === 200 ? 'second new passphrase' : 'first new passphrase';
    expect((await login('racer@example.com', winner)).status).toBe(200);
    expect((await login('racer@example.com', loser)).status).toBe(401);
    expectOutsideTransactions('verify', 'hash');
  });
});

describe('POST /auth/reset', () => {
  it('with a reset link: hashes outside, and the link works once even when used twice at the same moment', async () => {
    const id = await createUser('resetter@example.com', { password: PASSWORD, emails: [{ value: 'resetter@example.com', primary: true }] });
    expect((await t.client.request('POST', `/Users/${id}/password-reset`)).status).toBe(202);
    const token = await linkToken('resetter@example.com', '/reset');
    calls.length = 0;
    const [first, second] = await Promise.all([
      post('/auth/reset', { token, newPassword: 'reset passphrase one' }),
      post('/auth/reset', { token, newPassword: 'reset passphrase two' }),
    ]);
    expect([first.status, second.status].sort()).toEqual([204, 400]);
    expectOutsideTransactions('hash');
    const winner = first.status === 204 ? 'reset passphrase one' : 'reset passphrase two';
    expect((await login('resetter@example.com', winner)).status).toBe(200);
    expect((await login('resetter@example.com', PASSWORD)).status).toBe(401);
  });

  it('with a welcome link: hashes outside', async () => {
    await createUser('welcomed@example.com', { emails: [{ value: 'welcomed@example.com', primary: true }] });
    const token = await linkToken('welcomed@example.com', '/welcome');
    calls.length = 0;
    expect((await post('/auth/reset', { token, newPassword: 'my first passphrase' })).status).toBe(204);
    expectOutsideTransactions('hash');
    expect((await login('welcomed@example.com', 'my first passphrase')).status).toBe(200);
  });
});

describe('SCIM password', () => {
  it('POST and PUT /Users hash outside', async () => {
    const id = await createUser('scim.put@example.com', { password: 'created passphrase' });
    expectOutsideTransactions('hash');
    calls.length = 0;
    expect((await t.client.request('PUT', `/Users/${id}`, userBody('scim.put@example.com', { password: 'replaced passphrase' }))).status).toBe(200);
    expectOutsideTransactions('hash');
    expect((await login('scim.put@example.com', 'replaced passphrase')).status).toBe(200);
  });

  it.each([
    ['a path', (password: string) => ({ op: 'replace', path: 'password', value: password })],
    ['no path', (password: string) => ({ op: 'replace', value: { password } })],
    ['the schema URN in the path', (password: string) => ({ op: 'Replace', path: `${USER_SCHEMA}:password`, value: password })],
    ['a URN-qualified key', (password: string) => ({ op: 'add', value: { [`${USER_SCHEMA}:password`]: password } })],
    // A key the guess before the transaction does not read (the path parser trims it): the transaction stops, the
    // password is hashed outside, and the PATCH runs again.
    ['a key the guess misses', (password: string) => ({ op: 'replace', value: { ' password': password } })],
  ])('PATCH with %s hashes outside and sets the password the operations give', async (_how, operation) => {
    const userName = `patch.${Math.random().toString(36).slice(2)}@example.com`;
    const id = await createUser(userName);
    calls.length = 0;
    const patched = await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [operation('patched passphrase 1')] });
    expect(patched.status).toBe(200);
    expectOutsideTransactions('hash');
    expect((await login(userName, 'patched passphrase 1')).status).toBe(200);
  });

  it('PATCH that sets the password twice keeps the last one, hashed outside', async () => {
    const id = await createUser('patch.twice@example.com');
    calls.length = 0;
    const patched = await t.client.request('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'password', value: 'first of two passphrases' },
        { op: 'replace', value: { displayName: 'Twice', password: 'second of two passphrases' } },
      ],
    });
    expect(patched.status).toBe(200);
    expectOutsideTransactions('hash');
    expect((await login('patch.twice@example.com', 'second of two passphrases')).status).toBe(200);
    expect((await login('patch.twice@example.com', 'first of two passphrases')).status).toBe(401);
  });

  it('Bulk POST, PUT and PATCH with passwords hash outside, and so does a circular Bulk', async () => {
    const bulk = await t.client.request('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'one', data: userBody('bulk.one@example.com', { password: 'bulk passphrase one' }) },
        { method: 'PUT', path: '/Users/bulkId:one', data: userBody('bulk.one@example.com', { password: 'bulk passphrase two' }) },
        { method: 'PATCH', path: '/Users/bulkId:one', data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'password', value: 'bulk passphrase three' }] } },
      ],
    });
    expect(bulk.status).toBe(200);
    expect(bulk.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '200', '200']);
    expectOutsideTransactions('hash');
    expect(calls.filter((c) => c.call === 'hash')).toHaveLength(3);
    expect((await login('bulk.one@example.com', 'bulk passphrase three')).status).toBe(200);

    calls.length = 0;
    const manager = (bulkId: string) => ({ manager: { value: `bulkId:${bulkId}` } });
    const circular = await t.client.request('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'ann', data: userBody('cycle.ann@example.com', { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], password: 'ann passphrase', [ENTERPRISE_SCHEMA]: manager('ben') }) },
        { method: 'POST', path: '/Users', bulkId: 'ben', data: userBody('cycle.ben@example.com', { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], password: 'ben passphrase', [ENTERPRISE_SCHEMA]: manager('ann') }) },
      ],
    });
    expect(circular.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '201']);
    expectOutsideTransactions('hash');
    expect((await login('cycle.ann@example.com', 'ann passphrase')).status).toBe(200);
    expect((await login('cycle.ben@example.com', 'ben passphrase')).status).toBe(200);
  });
});
