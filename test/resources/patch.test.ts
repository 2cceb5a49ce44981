// PATCH through the app (RFC 7644 §3.5.2), with the request shapes Okta and Microsoft Entra ID send.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE_SCHEMA, createTestContext, groupBody, userBody, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ops = (...Operations: unknown[]) => ({ schemas: [PATCH], Operations });

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

async function createUser(userName: string, extra: Record<string, unknown> = {}): Promise<string> {
  const response = await t.client.request('POST', '/Users', userBody(userName, extra));
  expect(response.status).toBe(201);
  return response.body.id;
}

async function memberIds(groupId: string): Promise<string[]> {
  const rows = await t.store.query<{ user_id: string }>('select user_id from group_members where group_id = $1 order by user_id', [groupId]);
  return rows.map((r) => r.user_id);
}

describe('PATCH /Users', () => {
  it('answers 200 with the resource and a new ETag', async () => {
    const id = await createUser('patch.one@example.com');
    const response = await t.client.request('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'displayName', value: 'Patch One' }));
    expect(response.status).toBe(200);
    expect(response.body.displayName).toBe('Patch One');
    expect(response.headers.get('etag')).toBe('W/"2"');
    expect(response.body.meta.version).toBe('W/"2"');
  });

  it('Okta: path-less replace {"active": false}', async () => {
    const id = await createUser('okta.deactivate@example.com');
    const response = await t.client.request('PATCH', `/Users/${id}`, ops({ op: 'replace', value: { active: false } }));
    expect(response.body.active).toBe(false);
    const listed = await t.client.request('GET', '/Users?filter=userName eq "okta.deactivate@example.com"');
    expect(listed.body.Resources[0].active).toBe(false);
  });

  it('Entra: Add emails[type eq "work"].value creates the work email, and it is searchable', async () => {
    const id = await createUser('entra.email@example.com');
    const response = await t.client.request(
      'PATCH',
      `/Users/${id}`,
      ops(
        { op: 'Add', path: 'emails[type eq "work"].value', value: 'entra.work@example.com' },
        { op: 'Replace', value: { 'name.givenName': 'Ent', [`${ENTERPRISE_SCHEMA}:employeeNumber`]: '42' } },
      ),
    );
    expect(response.status).toBe(200);
    expect(response.body.emails).toEqual([{ value: 'entra.work@example.com', type: 'work' }]);
    expect(response.body[ENTERPRISE_SCHEMA].employeeNumber).toBe('42');
    const found = await t.client.request('GET', '/Users?filter=emails[type eq "work"].value eq "ENTRA.WORK@example.com"');
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([id]);
  });

  it('Entra: manager as a bare id, then removed', async () => {
    const manager = await createUser('the.manager@example.com', { displayName: 'The Manager' });
    const id = await createUser('the.report@example.com');
    const set = await t.client.request('PATCH', `/Users/${id}`, ops({ op: 'Add', path: `${ENTERPRISE_SCHEMA}:manager`, value: manager }));
    expect(set.body[ENTERPRISE_SCHEMA].manager).toMatchObject({ value: manager, displayName: 'The Manager' });
    const removed = await t.client.request('PATCH', `/Users/${id}`, ops({ op: 'Remove', path: `${ENTERPRISE_SCHEMA}:manager` }));
    expect(removed.body[ENTERPRISE_SCHEMA]).toBeUndefined();
  });

  it('applies all operations or none', async () => {
    const id = await createUser('atomic@example.com', { nickName: 'before' });
    const response = await t.client.request(
      'PATCH',
      `/Users/${id}`,
      ops({ op: 'replace', path: 'nickName', value: 'after' }, { op: 'replace', path: 'meta', value: {} }),
    );
    expect(response.status).toBe(400);
    expect(response.body.scimType).toBe('mutability');
    expect(response.body.detail).toMatch(/^Operations\[1\]/);
    const after = await t.client.request('GET', `/Users/${id}`);
    expect(after.body.nickName).toBe('before');
    expect(after.body.meta.version).toBe('W/"1"');
  });

  it('refuses a stale If-Match with 412 and writes nothing', async () => {
    const id = await createUser('stale@example.com');
    const response = await t.client.request('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'nickName', value: 'x' }), { 'If-Match': 'W/"7"' });
    expect(response.status).toBe(412);
    expect((await t.client.request('GET', `/Users/${id}`)).body.nickName).toBeUndefined();
  });

  it('renaming to a taken userName is 409 uniqueness', async () => {
    await createUser('taken@example.com');
    const id = await createUser('free@example.com');
    const response = await t.client.request('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'userName', value: 'TAKEN@example.com' }));
    expect([response.status, response.body.scimType]).toEqual([409, 'uniqueness']);
  });

  it('a PATCH that changes nothing keeps the version', async () => {
    const id = await createUser('same@example.com', { nickName: 'same' });
    const response = await t.client.request('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'nickName', value: 'same' }));
    expect(response.body.meta.version).toBe('W/"1"');
  });
});

describe('PATCH /Groups', () => {
  it('Okta Group Push: create empty, rename, add members without type, empty with replace []', async () => {
    const a = await createUser('push.a@example.com');
    const b = await createUser('push.b@example.com');
    const created = await t.client.request('POST', '/Groups', groupBody('Push Group', { members: [] }));
    expect(created.status).toBe(201);
    const id = created.body.id;

    const renamed = await t.client.request('PATCH', `/Groups/${id}`, ops({ op: 'replace', value: { id, displayName: 'Push Group Renamed' } }));
    expect(renamed.status).toBe(204);
    expect(renamed.body).toBeUndefined();

    const added = await t.client.request('PATCH', `/Groups/${id}`, ops({ op: 'add', path: 'members', value: [{ value: a }, { value: b }] }));
    expect(added.status).toBe(204);
    expect(await memberIds(id)).toEqual([a, b].sort());

    const emptied = await t.client.request('PATCH', `/Groups/${id}`, ops({ op: 'replace', path: 'members', value: [] }));
    expect(emptied.status).toBe(204);
    expect(await memberIds(id)).toEqual([]);
    const group = await t.client.request('GET', `/Groups/${id}`);
    expect(group.body.displayName).toBe('Push Group Renamed');
  });

  it('Entra: Remove members with a value list; and members[value eq ...] removal', async () => {
    const a = await createUser('entra.a@example.com');
    const b = await createUser('entra.b@example.com');
    const c = await createUser('entra.c@example.com');
    const created = await t.client.request('POST', '/Groups', groupBody('Entra Group', { members: [{ value: a }, { value: b }, { value: c }] }));
    const id = created.body.id;
    const first = await t.client.request('PATCH', `/Groups/${id}`, ops({ op: 'Remove', path: 'members', value: [{ value: a }] }));
    expect(first.status).toBe(204);
    const second = await t.client.request('PATCH', `/Groups/${id}`, ops({ op: 'remove', path: `members[value eq "${b}"]` }));
    expect(second.status).toBe(204);
    expect(await memberIds(id)).toEqual([c]);
  });

  it('a foreign or unknown member is 400 invalidValue and nothing changes', async () => {
    const other = await t.newTenant('patch-other');
    const foreign = (await other.request('POST', '/Users', userBody('foreign@example.com'))).body.id;
    const mine = await createUser('mine@example.com');
    const id = (await t.client.request('POST', '/Groups', groupBody('Guarded', { members: [{ value: mine }] }))).body.id;
    const response = await t.client.request(
      'PATCH',
      `/Groups/${id}`,
      ops({ op: 'replace', path: 'displayName', value: 'Changed' }, { op: 'add', path: 'members', value: [{ value: foreign }] }),
    );
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidValue']);
    expect(response.body.detail).toMatch(/^Operations\[1\]/);
    expect(await memberIds(id)).toEqual([mine]);
    expect((await t.client.request('GET', `/Groups/${id}`)).body.displayName).toBe('Guarded');
  });

  it('RFC 7644 §3.5.2: answers 204 with the new ETag when the request names no attributes', async () => {
    const id = (await t.client.request('POST', '/Groups', groupBody('Quiet Answer'))).body.id;
    const response = await t.client.request('PATCH', `/Groups/${id}`, ops({ op: 'replace', path: 'displayName', value: 'Quiet Answer 2' }));
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expect(response.headers.get('etag')).toBe('W/"2"');
  });

  it('RFC 7644 §3.5.2: answers 200 with the group, projected, when the request names attributes', async () => {
    const a = await createUser('answered.a@example.com');
    const id = (await t.client.request('POST', '/Groups', groupBody('Answered', { externalId: 'ext-answered' }))).body.id;
    const response = await t.client.request(
      'PATCH',
      `/Groups/${id}?attributes=displayName`,
      ops({ op: 'replace', path: 'displayName', value: 'Answered 2' }, { op: 'add', path: 'members', value: [{ value: a }] }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/scim+json; charset=utf-8');
    expect(response.headers.get('etag')).toBe('W/"2"');
    // attributes keeps the named ones and those always returned (id, schemas); members and externalId are left out.
    expect(response.body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id, displayName: 'Answered 2' });
    expect(await memberIds(id)).toEqual([a]);
  });

  it('RFC 7644 §3.5.2: answers 200 with the group and its members when the request names excludedAttributes', async () => {
    const a = await createUser('excluded.a@example.com');
    const b = await createUser('excluded.b@example.com');
    const id = (await t.client.request('POST', '/Groups', groupBody('Excluded', { externalId: 'ext-excluded', members: [{ value: a }] }))).body.id;
    const response = await t.client.request(
      'PATCH',
      `/Groups/${id}?excludedAttributes=externalId`,
      ops({ op: 'add', path: 'members', value: [{ value: b }] }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('etag')).toBe('W/"2"');
    expect(response.body.externalId).toBeUndefined();
    expect(response.body.displayName).toBe('Excluded');
    expect(response.body.meta).toMatchObject({ resourceType: 'Group', version: 'W/"2"', location: `http://usher.test/scim/v2/Groups/${id}` });
    expect(response.body.members.map((m: { value: string }) => m.value).sort()).toEqual([a, b].sort());
    // The answer is what GET shows.
    const got = await t.client.request('GET', `/Groups/${id}?excludedAttributes=externalId`);
    expect(response.body).toEqual(got.body);
  });

  it('answers 200 with the group as it is when the PATCH changes nothing and names attributes', async () => {
    const id = (await t.client.request('POST', '/Groups', groupBody('Unchanged'))).body.id;
    const response = await t.client.request('PATCH', `/Groups/${id}?Attributes=displayName`, ops({ op: 'replace', path: 'displayName', value: 'Unchanged' }));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], id, displayName: 'Unchanged' });
    expect(response.headers.get('etag')).toBe('W/"1"');
  });

  it('a malformed attributes parameter is 400 and changes nothing', async () => {
    const id = (await t.client.request('POST', '/Groups', groupBody('Still Named'))).body.id;
    const response = await t.client.request('PATCH', `/Groups/${id}?attributes=${encodeURIComponent('display name')}`, ops({ op: 'replace', path: 'displayName', value: 'Renamed' }));
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidValue']);
    expect((await t.client.request('GET', `/Groups/${id}`)).body.displayName).toBe('Still Named');
  });

  it('User PATCH still answers 200 with the whole user, and with the named attributes when asked', async () => {
    const id = await createUser('user.answer@example.com');
    const whole = await t.client.request('PATCH', `/Users/${id}`, ops({ op: 'replace', path: 'title', value: 'Lead' }));
    expect(whole.status).toBe(200);
    expect(whole.body).toMatchObject({ id, userName: 'user.answer@example.com', title: 'Lead', meta: { version: 'W/"2"' } });
    const named = await t.client.request('PATCH', `/Users/${id}?attributes=title`, ops({ op: 'replace', path: 'title', value: 'Chief' }));
    expect(named.status).toBe(200);
    expect(named.body).toEqual({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id, title: 'Chief' });
  });

  it('concurrent member adds to one group lose nothing and duplicate nothing', async () => {
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => createUser(`concurrent.${i}@example.com`)));
    const id = (await t.client.request('POST', '/Groups', groupBody('Concurrent'))).body.id;
    const responses = await Promise.all(
      [...users, ...users].map((user) => t.client.request('PATCH', `/Groups/${id}`, ops({ op: 'add', path: 'members', value: [{ value: user }] }))),
    );
    expect(responses.every((r) => r.status === 204)).toBe(true);
    expect(await memberIds(id)).toEqual([...users].sort());
  });
});
