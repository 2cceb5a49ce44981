// Bearer secrets name their tenant (docs/scaling.md): API tokens, sessions and single-use links carry the tenant's id in
// their text and are looked up on that tenant alone; those issued before they did keep working by their digest alone;
// a token whose tenant part is changed, malformed or another tenant's is refused like an unknown one, never with a 500.
import { randomBytes } from 'node:crypto';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../src/admin/commands.js';
import { hashToken, tenantOfToken } from '../../src/auth/tokens.js';
import { totpCode } from '../../src/auth/totp.js';
import { createTestContext, requestFrom, scimRequest, userBody, type Client, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PASSWORD = 'correct horse battery staple';
const NIL = '00000000-0000-0000-0000-000000000000';

let t: TestContext;
let globex: Client;
// A clock that stands still within a 30-second TOTP step until a test moves it.
const START = Math.floor(Date.now() / 30_000) * 30_000 + 1_000;
let offsetMs = 0;
const clock = () => new Date(START + offsetMs);

const request = (method: string, path: string, body?: unknown, token?: string) =>
  requestFrom(t.app, method, path, body, { address: '198.51.100.7', ...(token ? { token } : {}) });
const login = (userName: string, password = PASSWORD) => request('POST', '/auth/login', { tenant: 'acme', userName, password });
const scim = (token: string, path = '/Users?count=1') => scimRequest(t.app, token, 'GET', path);

/** A token as Usher made them before they named their tenant: a prefix and 256 random bits. */
const legacyText = (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`;

/** Makes an issued token one of before: its row keeps everything but answers to a token text without a tenant. */
async function makeLegacy(table: 'api_tokens' | 'sessions' | 'auth_tokens', token: string): Promise<string> {
  const legacy = legacyText(token.slice(0, token.indexOf('_')));
  const rows = await t.store.query(`update ${table} set token_hash = $2 where token_hash = $1 returning id`, [hashToken(token), hashToken(legacy)]);
  expect(rows).toHaveLength(1);
  return legacy;
}

/** The same token with the tenant part of another tenant (or any text) in its place. */
const withTenantPart = (token: string, part: string) => `${token.slice(0, token.indexOf('_'))}_${part}_${token.slice(-43)}`;
const tenantPart = (tenantId: string) => Buffer.from(tenantId.replaceAll('-', ''), 'hex').toString('base64url');

async function createUser(userName: string): Promise<string> {
  const created = await t.client.request('POST', '/Users', userBody(userName, { password: PASSWORD, emails: [{ value: userName, primary: true }] }));
  expect(created.status).toBe(201);
  return created.body.id;
}

beforeAll(async () => {
  t = await createTestContext({ clock });
  globex = await t.newTenant('globex');
});
afterAll(() => t?.close());

describe('API tokens', () => {
  it('name their tenant, and are looked up on it', async () => {
    expect(tenantOfToken(t.client.token)).toBe(t.client.tenantId);
    expect(tenantOfToken(globex.token)).toBe(globex.tenantId);
    expect(t.client.token).toMatch(/^usher_[A-Za-z0-9_-]{22}_[A-Za-z0-9_-]{43}$/);
    expect((await scim(t.client.token)).status).toBe(200);
    // Stored as a digest only.
    const stored = await t.store.query<{ token_hash: string }>('select token_hash from api_tokens where tenant_id = $1', [t.client.tenantId]);
    expect(stored.map((row) => row.token_hash)).toEqual([hashToken(t.client.token)]);
    // Looked up on the tenant it names, not by its digest alone: a row that is not where the token says is not found.
    // (Moved before its first use: a token the app has accepted is served from its cache until the database's
    // notification of the change arrives, which on PostgreSQL comes a moment after the UPDATE commits.)
    const { token, info } = await t.tenancy.createToken('acme', 'moved');
    await t.store.query('update api_tokens set tenant_id = $2 where id = $1', [info.id, globex.tenantId]);
    expect((await scim(token)).status).toBe(401);
    await t.store.query('update api_tokens set tenant_id = $2 where id = $1', [info.id, t.client.tenantId]);
    expect((await scim(token)).status).toBe(200);
  });

  it('issued before they named their tenant keep working', async () => {
    const { token } = await t.tenancy.createToken('acme', 'old okta');
    const legacy = await makeLegacy('api_tokens', token);
    expect(tenantOfToken(legacy)).toBeUndefined();
    const answer = await scim(legacy, '/Users?count=1');
    expect(answer.status).toBe(200);
    expect((await scim(token)).status).toBe(401);
  });

  it('with a changed, malformed or foreign tenant part are refused as unknown ones are', async () => {
    const { token } = await t.tenancy.createToken('acme', 'spare');
    expect((await scim(token)).status).toBe(200);
    const refused = [
      withTenantPart(token, tenantPart(globex.tenantId)),
      withTenantPart(token, tenantPart(NIL)),
      // 22 characters whose last carries bits past the 16 bytes: names no tenant.
      withTenantPart(token, `${tenantPart(t.client.tenantId).slice(0, 21)}B`),
      withTenantPart(token, 'A'.repeat(22)),
      withTenantPart(token, '-'.repeat(22)),
      `usher_${tenantPart(t.client.tenantId)}_short`,
      `usher_${tenantPart(t.client.tenantId)}`,
      'usher__',
      `${token}x`,
      token.replace(/^usher_/, 'usess_'),
      globex.token.slice(0, 29) + token.slice(29),
    ];
    for (const bad of refused) {
      const answer = await scim(bad);
      expect([bad, answer.status, answer.body.schemas]).toEqual([bad, 401, ['urn:ietf:params:scim:api:messages:2.0:Error']]);
    }
    expect(tenantOfToken(withTenantPart(token, `${tenantPart(t.client.tenantId).slice(0, 21)}B`))).toBeUndefined();
  });

  it('supplied as text (the bootstrap token) work by their digest, in one tenant only', async () => {
    const secret = `bootstrap-${randomBytes(16).toString('hex')}`;
    const first = await t.tenancy.createToken('acme', 'bootstrap', { secret });
    expect(first.created).toBe(true);
    expect((await t.tenancy.createToken('acme', 'bootstrap', { secret })).created).toBe(false);
    expect((await scim(secret)).status).toBe(200);
    await expect(t.tenancy.createToken('globex', 'bootstrap', { secret })).rejects.toThrow(/already in use by another tenant/);
    // A supplied secret shaped like a token of another tenant would be looked up there: it is refused.
    await expect(t.tenancy.createToken('acme', 'copied', { secret: globex.token.slice(0, 29) + 'A'.repeat(43) })).rejects.toThrow(/names another tenant/);
    const ofAcme = `usher_${tenantPart(t.client.tenantId)}_${'B'.repeat(43)}`;
    expect((await t.tenancy.createToken('acme', 'shaped', { secret: ofAcme })).created).toBe(true);
    expect((await scim(ofAcme)).status).toBe(200);
  });
});

describe('sessions', () => {
  it('name their tenant; those issued before keep working; changed ones are refused', async () => {
    await createUser('session.user@example.com');
    const signedIn = await login('session.user@example.com');
    expect(signedIn.status).toBe(200);
    const token: string = signedIn.body.token;
    expect(tenantOfToken(token)).toBe(t.client.tenantId);
    expect((await request('GET', '/auth/session', undefined, token)).status).toBe(200);
    expect((await scim(token, '/Me')).status).toBe(200);

    for (const bad of [withTenantPart(token, tenantPart(globex.tenantId)), withTenantPart(token, '_'.repeat(22)), `usess_${tenantPart(t.client.tenantId)}_x`]) {
      expect((await request('GET', '/auth/session', undefined, bad)).status).toBe(401);
      expect((await scim(bad, '/Me')).status).toBe(401);
    }

    const legacy = await makeLegacy('sessions', token);
    expect((await request('GET', '/auth/session', undefined, legacy)).status).toBe(200);
    expect((await scim(legacy, '/Me')).status).toBe(200);
    expect((await request('POST', '/auth/logout', {}, legacy)).status).toBe(204);
    expect((await request('GET', '/auth/session', undefined, legacy)).status).toBe(401);
  });
});

describe('single-use links and sign-in steps', () => {
  it('a reset link mailed before links named their tenant still sets a password, once', async () => {
    const id = await createUser('reset.user@example.com');
    const legacy = legacyText('ulink');
    const now = clock();
    await t.store.query(
      `insert into auth_tokens (tenant_id, id, user_id, purpose, token_hash, created_at, expires_at)
       values ($1, gen_random_uuid(), $2, 'reset', $3, $4, $5)`,
      [t.client.tenantId, id, hashToken(legacy), now.toISOString(), new Date(now.getTime() + 3_600_000).toISOString()],
    );
    expect((await request('POST', '/auth/reset', { token: legacy, newPassword: 'a fresh reset passphrase' })).status).toBe(204);
    expect((await request('POST', '/auth/reset', { token: legacy, newPassword: 'yet another passphrase' })).status).toBe(400);
    expect((await login('reset.user@example.com', 'a fresh reset passphrase')).status).toBe(200);
  });

  it('a forced password change works with a change token of either kind, and not with a changed one', async () => {
    const id = await createUser('temporary.user@example.com');
    await t.store.query('update users set password_change_required = true, password_set_at = $2 where id = $1', [id, clock().toISOString()]);
    const refused = await login('temporary.user@example.com');
    expect(refused.body.error).toBe('password_change_required');
    const changeToken: string = refused.body.changeToken;
    expect(tenantOfToken(changeToken)).toBe(t.client.tenantId);
    const foreign = withTenantPart(changeToken, tenantPart(globex.tenantId));
    expect((await request('POST', '/auth/password', { changeToken: foreign, newPassword: 'brand new passphrase' })).status).toBe(401);
    const legacy = await makeLegacy('auth_tokens', changeToken);
    expect((await request('POST', '/auth/password', { changeToken, newPassword: 'brand new passphrase' })).status).toBe(401);
    const changed = await request('POST', '/auth/password', { changeToken: legacy, newPassword: 'brand new passphrase' });
    expect(changed.status).toBe(200);
    expect(tenantOfToken(changed.body.token)).toBe(t.client.tenantId);
  });

  it('setting up and using a second factor works with sign-in tokens issued before they named their tenant', async () => {
    const id = await createUser('mfa.user@example.com');
    const groups = await t.client.request('GET', `/Groups?filter=${encodeURIComponent('displayName eq "Administrator"')}`);
    const patched = await t.client.request('PATCH', `/Groups/${groups.body.Resources[0].id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }],
    });
    expect(patched.status).toBe(204);
    const deps = { tenancy: t.tenancy } as Parameters<typeof runAdminCommand>[0];
    await runAdminCommand(deps, { command: 'tenant.update', slug: 'acme', mfaRequired: true });
    try {
      const started = await login('mfa.user@example.com');
      expect(started.body.error).toBe('mfa_enrolment_required');
      expect(tenantOfToken(started.body.mfaToken)).toBe(t.client.tenantId);
      const enrolToken = await makeLegacy('auth_tokens', started.body.mfaToken);
      // Unknown ones of either kind, and malformed ones, are refused without a 500.
      for (const bad of [legacyText('ulink'), withTenantPart(started.body.mfaToken, tenantPart(globex.tenantId)), 'ulink_', 'x']) {
        expect((await request('POST', '/auth/mfa/confirm', { mfaToken: bad, code: '123456' })).status).toBe(401);
        expect((await request('POST', '/auth/mfa/enrol', { mfaToken: bad })).status).toBe(401);
        expect((await request('POST', '/auth/mfa/verify', { mfaToken: bad, code: '123456' })).status).toBe(401);
      }
      const enrolment = await request('POST', '/auth/mfa/enrol', { mfaToken: enrolToken });
      expect(enrolment.status).toBe(200);
      const secret = decodeBase32IgnorePadding(enrolment.body.secret);
      const confirmed = await request('POST', '/auth/mfa/confirm', { mfaToken: enrolToken, code: totpCode(secret, clock()) });
      expect(confirmed.status).toBe(200);
      expect(tenantOfToken(confirmed.body.session.token)).toBe(t.client.tenantId);

      offsetMs += 30_000;
      const second = await login('mfa.user@example.com');
      expect(second.body.error).toBe('mfa_required');
      const verifyToken = await makeLegacy('auth_tokens', second.body.mfaToken);
      const verified = await request('POST', '/auth/mfa/verify', { mfaToken: verifyToken, code: totpCode(secret, clock()) });
      expect(verified.status).toBe(200);
      expect(tenantOfToken(verified.body.token)).toBe(t.client.tenantId);
    } finally {
      await runAdminCommand(deps, { command: 'tenant.update', slug: 'acme', mfaRequired: false });
    }
  });
});

describe('sign-in throttling', () => {
  it('is kept with the tenant; names typed for a tenant that does not exist are kept under the nil tenant', async () => {
    await createUser('throttled@example.com');
    // From an address of its own: the tests above spent this file's address's allowance of failed requests.
    const failed = (tenant: string, userName: string) =>
      requestFrom(t.app, 'POST', '/auth/login', { tenant, userName, password: 'wrong password here' }, { address: '203.0.113.9' });
    expect((await failed('acme', 'throttled@example.com')).status).toBe(401);
    expect((await failed('no-such-tenant', 'someone@example.com')).status).toBe(401);
    const rows = await t.store.query<{ tenant_id: string }>('select distinct tenant_id from login_throttle order by tenant_id');
    expect(rows.map((row) => row.tenant_id).sort()).toEqual([NIL, t.client.tenantId].sort());
  });
});
