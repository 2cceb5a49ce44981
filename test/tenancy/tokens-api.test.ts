// /api/tokens: the console's list, create (secret shown once) and revoke of a tenant's API tokens, for sessions
// holding events:manage only; API tokens cannot mint tokens; one tenant never sees or revokes another's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../../src/http/logger.js';
import { createTestContext, ERROR_SCHEMA, groupBody, postJson, userBody, type Client, type ScimResponse, type TestContext } from '../helpers/app.js';

const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PASSWORD = 'correct horse battery staple';

let t: TestContext;
let acme: Client;
let boss: string;
let helper: string;
const logged: { msg: string; fields: Record<string, unknown> | undefined }[] = [];
const logger: Logger = {
  debug() {},
  info: (msg, fields) => void logged.push({ msg, fields }),
  warn: (msg, fields) => void logged.push({ msg, fields }),
  error() {},
};
const security = (event: string) => logged.filter((l) => l.msg === 'security' && l.fields?.event === event).map((l) => l.fields!);

async function api(method: string, path: string, token: string, body?: unknown): Promise<ScimResponse> {
  const response = await t.app.request(`/api/tokens${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

function expectError(response: ScimResponse, status: number, detail: RegExp): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: String(status) });
  expect(response.body.detail).toMatch(detail);
}

async function signIn(client: Client, tenant: string, userName: string, persona: string): Promise<string> {
  const user = await client.request('POST', '/Users', userBody(userName, { password: PASSWORD, emails: [{ value: userName, primary: true }] }));
  expect(user.status).toBe(201);
  const groups = await client.request('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${persona}"`)}`);
  const added = await client.request('PATCH', `/Groups/${groups.body.Resources[0].id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] });
  expect(added.status).toBe(204);
  const session = await postJson(t.app, '/auth/login', { tenant, userName, password: PASSWORD });
  expect(session.status, JSON.stringify(session.body)).toBe(200);
  return session.body.token;
}

beforeAll(async () => {
  t = await createTestContext({ logger });
  acme = t.client;
  expect((await acme.request('POST', '/Groups', groupBody('Helpdesk', { [PERSONA]: { permissions: ['users:read', 'users:write'] } }))).status).toBe(201);
  boss = await signIn(acme, 'acme', 'boss@example.com', 'Administrator');
  helper = await signIn(acme, 'acme', 'helper@example.com', 'Helpdesk');
});

afterAll(async () => {
  await t.close();
});

describe('/api/tokens', () => {
  it('creates a token, answers its secret once, lists it without the secret, and the token works', async () => {
    const created = await api('POST', '', boss, { label: 'Okta', scopes: ['users:write'], expiresAt: '2099-01-01T00:00:00Z' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    expect(created.headers.get('location')).toBe(`/api/tokens/${created.body.id}`);
    expect(created.body).toMatchObject({ label: 'Okta', scopes: ['users:write'], expiresAt: '2099-01-01T00:00:00.000Z', lastUsedAt: null, revokedAt: null });
    expect(created.body.token).toMatch(/^usher_/);
    expect((await t.app.request('/scim/v2/Users', { headers: { Authorization: `Bearer ${created.body.token}` } })).status).toBe(200);

    const list = await api('GET', '', boss);
    expect(list.status).toBe(200);
    const listed = list.body.tokens.find((token: { id: string }) => token.id === created.body.id);
    expect(listed).toMatchObject({ label: 'Okta', scopes: ['users:write'] });
    expect(listed.lastUsedAt).not.toBeNull();
    expect(JSON.stringify(list.body)).not.toContain(created.body.token);
    expect(JSON.stringify(list.body)).not.toMatch(/hash/i);
    expect(security('token.created').at(-1)).toMatchObject({ tokenId: created.body.id, label: 'Okta', by: 'user', tenant: acme.tenantId });
  });

  it('revokes a token: it stops working at once, stays listed as revoked, and the security log says who', async () => {
    const created = await api('POST', '', boss, { label: 'Entra' });
    expect(created.status).toBe(201);
    expect(created.body.scopes).toBeNull();
    expect((await api('DELETE', `/${created.body.id}`, boss)).status).toBe(204);
    expect((await t.app.request('/scim/v2/Users', { headers: { Authorization: `Bearer ${created.body.token}` } })).status).toBe(401);
    const listed = (await api('GET', '', boss)).body.tokens.find((token: { id: string }) => token.id === created.body.id);
    expect(listed.revokedAt).not.toBeNull();
    expect(security('token.revoked').at(-1)).toMatchObject({ tokenId: created.body.id, by: 'user' });
  });

  it('refuses bad input in words', async () => {
    expectError(await api('POST', '', boss, { label: '  ' }), 400, /needs a label/);
    expectError(await api('POST', '', boss, { label: 'x', scopes: ['billing:read'] }), 400, /scopes/);
    expectError(await api('POST', '', boss, { label: 'x', scopes: [] }), 400, /at least one scope/);
    expectError(await api('POST', '', boss, { label: 'x', expiresAt: '2001-01-01T00:00:00Z' }), 400, /future/);
    expectError(await api('POST', '', boss, { label: 'x', secret: 'mine' }), 400, /secret/);
    expectError(await api('DELETE', '/not-a-token', boss), 404, /No token/);
  });

  it('an API token may not list, create or revoke tokens; a session without events:manage may not either', async () => {
    expectError(await api('GET', '', acme.token), 403, /API token cannot/);
    expectError(await api('POST', '', acme.token, { label: 'minted' }), 403, /API token cannot/);
    expectError(await api('GET', '', helper), 403, /events:manage/);
    expectError(await api('POST', '', helper, { label: 'minted' }), 403, /events:manage/);
    expect((await api('GET', '', 'nonsense')).status).toBe(401);
    const tokens = await t.tenancy.listTokens('acme');
    expect(tokens.some((token) => token.label === 'minted')).toBe(false);
  });

  it('makes no token that may do more than its maker: only an administrator makes one without scopes', async () => {
    expect((await acme.request('POST', '/Groups', groupBody('Integrators', { [PERSONA]: { permissions: ['events:manage', 'users:read'] } }))).status).toBe(201);
    const integrator = await signIn(acme, 'acme', 'integrator@example.com', 'Integrators');
    expectError(await api('POST', '', integrator, { label: 'everything' }), 403, /Only an administrator/);
    expectError(await api('POST', '', integrator, { label: 'writer', scopes: ['users:write'] }), 403, /"users:write" scope/);
    const reader = await api('POST', '', integrator, { label: 'reader', scopes: ['users:read', 'events:manage'] });
    expect(reader.status, JSON.stringify(reader.body)).toBe(201);
    expect(reader.body.scopes).toEqual(['events:manage', 'users:read']);
    expectError(await api('POST', '', boss, { label: 'late', expiresAt: '2000-01-01T00:00:00Z' }), 400, /in the future/);
    const labels = (await t.tenancy.listTokens('acme')).map((token) => token.label);
    expect(labels).not.toContain('everything');
    expect(labels).not.toContain('writer');
  });

  it('keeps tenants apart: another tenant neither sees nor revokes acme\'s tokens', async () => {
    const globex = await t.newTenant('globex');
    const globexBoss = await signIn(globex, 'globex', 'boss@globex.example', 'Administrator');
    const ours = await api('POST', '', boss, { label: 'acme only' });
    const theirs = await api('GET', '', globexBoss);
    expect(theirs.status).toBe(200);
    expect(theirs.body.tokens.map((token: { label: string }) => token.label)).toEqual(['test']);
    expectError(await api('DELETE', `/${ours.body.id}`, globexBoss), 404, /No token/);
    expect((await t.tenancy.listTokens('acme')).find((token) => token.id === ours.body.id)?.revokedAt).toBeNull();
  });
});
