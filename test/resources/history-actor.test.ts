// Who did it, in a form no one can forge: each history entry names its actor by type and id (user, token or system)
// beside the display text of `updatedBy`, and the actor can be filtered on (actor.value, actor.type).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, postJson, userBody, type ScimResponse, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const PASSWORD = 'violet hammock ninety quartz';

let t: TestContext;
let okta: { token: string; id: string };
let forger: { id: string; session: string };
let victimId: string;

async function as(token: string, method: string, path: string, body?: unknown): Promise<ScimResponse> {
  const response = await t.app.request(`/scim/v2${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body !== undefined ? { 'Content-Type': 'application/scim+json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const q = (filter: string) => encodeURIComponent(filter);
const replaceTitle = (title: string) => ({ schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: title }] });

type Entry = { id: string; event: string; attribute?: string; newValue?: string; updatedBy: string; actor?: { type: string; value: string; display: string } };

async function list(path: string): Promise<Entry[]> {
  const response = await t.client.request('GET', path);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body.Resources;
}

beforeAll(async () => {
  t = await createTestContext();
  // The identity provider: an API token labelled "Okta".
  const created = await t.tenancy.createToken('acme', 'Okta');
  okta = { token: created.token, id: created.info.id };

  // A portal administrator who named itself "Okta".
  const user = await t.client.request('POST', '/Users', userBody('mallory@acme.example', { password: PASSWORD, displayName: 'Mallory' }));
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  const groups = await t.client.request('GET', `/Groups?filter=${q('displayName eq "Administrator"')}`);
  const admin = groups.body.Resources[0].id as string;
  const joined = await t.client.request('PATCH', `/Groups/${admin}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: user.body.id }] }] });
  expect(joined.status).toBe(204);
  const login = await postJson(t.app, '/auth/login', { tenant: 'acme', userName: 'mallory@acme.example', password: PASSWORD });
  expect(login.status, JSON.stringify(login.body)).toBe(200);
  const session = login.body.token as string;
  const renamed = await as(session, 'PATCH', `/Users/${user.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Okta' }] });
  expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
  forger = { id: user.body.id, session };

  const victim = await t.client.request('POST', '/Users', userBody('victor@acme.example', { title: 'Clerk' }));
  victimId = victim.body.id;
  // The same kind of change, once by the real Okta and once by the portal user who calls itself "Okta".
  expect((await as(okta.token, 'PATCH', `/Users/${victimId}`, replaceTitle('Manager'))).status).toBe(200);
  expect((await as(forger.session, 'PATCH', `/Users/${victimId}`, replaceTitle('Director'))).status).toBe(200);
});
afterAll(() => t?.close());

describe('the actor of a history entry', () => {
  it('tells the identity provider from a portal user who took its name', async () => {
    const entries = await list(`/Users/${victimId}/History?sortOrder=ascending&filter=${q('attribute eq "title"')}`);
    expect(entries.map((e) => [e.newValue, e.updatedBy])).toEqual([
      ['Manager', 'Okta'],
      ['Director', 'Okta'],
    ]);
    expect(entries[0]!.actor).toEqual({ type: 'token', value: okta.id, display: 'Okta' });
    expect(entries[1]!.actor).toEqual({ type: 'user', value: forger.id, display: 'Okta' });
  });

  it('is returned by GET /History/{id} and kept in columns of its own', async () => {
    const [entry] = await list(`/Users/${victimId}/History?filter=${q('newValue eq "Director"')}`);
    const one = await t.client.request('GET', `/History/${entry!.id}`);
    expect(one.status).toBe(200);
    expect(one.body.actor).toEqual({ type: 'user', value: forger.id, display: 'Okta' });
    const rows = await t.store.query('select actor, actor_type, actor_id from history where tenant_id = $1 and id = $2', [t.client.tenantId, entry!.id]);
    expect(rows).toEqual([{ actor: 'Okta', actor_type: 'user', actor_id: forger.id }]);
  });

  it('is filterable by value and by type', async () => {
    const byToken = await list(`/History?filter=${q(`actor.value eq "${okta.id}"`)}`);
    expect(byToken.length).toBeGreaterThan(0);
    expect(byToken.every((e) => e.actor?.value === okta.id && e.actor.type === 'token')).toBe(true);
    expect(byToken.map((e) => e.newValue)).toContain('Manager');

    const byForger = await list(`/History?filter=${q(`actor.value eq "${forger.id}"`)}`);
    expect(byForger.map((e) => e.newValue)).toContain('Director');
    expect(byForger.every((e) => e.actor?.type === 'user')).toBe(true);

    // "Everything the identity provider did, whatever its label": the forger's entries are not among them.
    const tokens = await list(`/History?count=200&filter=${q('actor.type eq "token" and updatedBy eq "Okta"')}`);
    expect(tokens.map((e) => e.newValue)).toContain('Manager');
    expect(tokens.map((e) => e.newValue)).not.toContain('Director');
    const users = await list(`/History?count=200&filter=${q('actor.type eq "USER"')}`);
    expect(users.length).toBeGreaterThan(0);
    expect(users.every((e) => e.actor?.type === 'user')).toBe(true);

    const shown = await list(`/History?count=200&filter=${q('actor.display eq "okta"')}`);
    expect(shown.map((e) => e.newValue)).toEqual(expect.arrayContaining(['Manager', 'Director']));
    expect(shown.every((e) => e.updatedBy === 'Okta')).toBe(true);
    expect((await list(`/History?filter=${q('actor pr')}`)).length).toBe((await list('/History?count=200')).length);
    const sorted = await list(`/History?count=200&sortBy=actor.value`);
    expect(sorted.map((e) => e.actor!.value)).toEqual(sorted.map((e) => e.actor!.value).sort());
  });

  it('answers a filter on an unknown sub-attribute with invalidFilter', async () => {
    const response = await t.client.request('GET', `/History?filter=${q('actor.secret eq "x"')}`);
    expect(response.status).toBe(400);
    expect(response.body.scimType).toBe('invalidFilter');
  });

  it('names the user itself for a password it changed', async () => {
    const changed = await postJson(t.app, '/auth/password', { currentPassword: PASSWORD, newPassword: 'amber lantern sixty walrus' }, forger.session);
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const [entry] = await list(`/Users/${forger.id}/History?filter=${q('event eq "passwordChanged"')}`);
    expect(entry).toMatchObject({ updatedBy: 'Okta', actor: { type: 'user', value: forger.id, display: 'Okta' } });
  });

  it('is schema-described as a readOnly complex attribute', async () => {
    const schema = await t.client.request('GET', '/Schemas/urn:usher:params:scim:schemas:core:2.0:HistoryEntry');
    const actor = schema.body.attributes.find((a: { name: string }) => a.name === 'actor');
    expect(actor).toMatchObject({ type: 'complex', mutability: 'readOnly', multiValued: false });
    expect(actor.subAttributes.map((s: { name: string }) => s.name)).toEqual(['type', 'value', 'display']);
  });
});
