// Every change to a user or group through the API leaves history in the same transaction: what changed, from what, to what, by whom.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, groupBody, userBody, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
let t: TestContext;

beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

type Entry = { event: string; attribute?: string; oldValue?: string; newValue?: string; updatedBy: string; userName: string; requestId?: string };

async function historyOf(id: string): Promise<Entry[]> {
  const response = await t.client.request('GET', `/Users/${id}/History?count=100`);
  expect(response.status).toBe(200);
  return response.body.Resources;
}

describe('history of a user', () => {
  it('records creation, each changed attribute, the password without values, lock and unlock, and deletion', async () => {
    const created = await t.client.request('POST', '/Users', userBody('history.subject@example.com', { name: { givenName: 'Hist', familyName: 'Ory' }, title: 'Clerk' }));
    const id = created.body.id;
    await t.client.request('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [
        { op: 'replace', path: 'title', value: 'Manager' },
        { op: 'replace', path: 'name.givenName', value: 'Histo' },
      ],
    });
    await t.client.request('PUT', `/Users/${id}`, userBody('history.subject@example.com', { name: { givenName: 'Histo', familyName: 'Ory' }, title: 'Manager', password: 'a new secret passphrase' }));
    await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: false }] });
    await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'active', value: true }] });
    expect((await t.client.request('DELETE', `/Users/${id}`)).status).toBe(204);

    const entries = (await historyOf(id)).reverse();
    expect(entries.map((e) => [e.event, e.attribute ?? null])).toEqual([
      ['created', null],
      ['attributeChanged', 'name.givenName'],
      ['attributeChanged', 'title'],
      ['passwordChanged', 'password'],
      ['locked', expect.anything()],
      ['unlocked', expect.anything()],
      ['deleted', null],
    ]);
    expect(entries[2]).toMatchObject({ oldValue: 'Clerk', newValue: 'Manager', updatedBy: 'test', userName: 'history.subject@example.com' });
    expect(entries[3]!.oldValue).toBeUndefined();
    expect(entries[3]!.newValue).toBeUndefined();
    expect(JSON.stringify(entries)).not.toContain('a new secret passphrase');
    // The user is gone, its history stays.
    expect((await t.client.request('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('records nothing for a change that fails, and for one that changes nothing', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('steady@example.com', { title: 'Same' }))).body.id;
    await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Same' }] });
    const failed = await t.client.request('PATCH', `/Users/${id}`, {
      schemas: [PATCH],
      Operations: [{ op: 'replace', path: 'title', value: 'Other' }, { op: 'replace', path: 'id', value: 'x' }],
    });
    expect(failed.status).toBe(400);
    expect((await historyOf(id)).map((e) => e.event)).toEqual(['created']);
  });

  it('records group creation, renames and deletion', async () => {
    const group = await t.client.request('POST', '/Groups', groupBody('Historians'));
    await t.client.request('PATCH', `/Groups/${group.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'displayName', value: 'Archivists' }] });
    await t.client.request('DELETE', `/Groups/${group.body.id}`);
    const response = await t.client.request('GET', `/History?filter=${encodeURIComponent(`resourceId eq "${group.body.id}"`)}&sortOrder=ascending`);
    expect(response.body.Resources.map((e: Entry) => [e.event, e.oldValue ?? null, e.newValue ?? null])).toEqual([
      ['created', null, null],
      ['attributeChanged', 'Historians', 'Archivists'],
      ['deleted', null, null],
    ]);
  });
});
