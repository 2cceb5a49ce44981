// Membership changes leave history on both sides, in the change's transaction: memberAdded / memberRemoved on the
// group, personaAdded / personaRemoved (or groupAdded / groupRemoved) on each user member.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, groupBody, userBody, type Client, type TestContext } from '../helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
let t: TestContext;

beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

type Entry = {
  resourceType: string;
  resourceId: string;
  userName: string;
  event: string;
  attribute?: string;
  oldValue?: string;
  newValue?: string;
  updatedBy: string;
  requestId?: string;
};

/** What one request recorded, in the order it recorded it. */
async function recordedBy(requestId: string, client: Client = t.client): Promise<Entry[]> {
  const response = await client.request('GET', `/History?count=100&sortOrder=ascending&filter=${encodeURIComponent(`requestId eq "${requestId}"`)}`);
  expect(response.status).toBe(200);
  return response.body.Resources ?? [];
}

/** A user's own history, oldest first. */
async function historyOfUser(id: string, client: Client = t.client): Promise<Entry[]> {
  const response = await client.request('GET', `/Users/${id}/History?count=100`);
  expect(response.status).toBe(200);
  return (response.body.Resources as Entry[]).reverse();
}

/** A group's history, oldest first. */
async function historyOfGroup(id: string, client: Client = t.client): Promise<Entry[]> {
  const response = await client.request('GET', `/History?count=100&sortOrder=ascending&filter=${encodeURIComponent(`resourceId eq "${id}"`)}`);
  expect(response.status).toBe(200);
  return response.body.Resources ?? [];
}

const brief = (entries: readonly Entry[]) => entries.map((e) => [e.resourceType, e.userName, e.event, e.attribute ?? null, e.oldValue ?? null, e.newValue ?? null]);

async function createUser(userName: string, client: Client = t.client): Promise<string> {
  const response = await client.request('POST', '/Users', userBody(userName));
  expect(response.status).toBe(201);
  return response.body.id;
}

async function createGroup(displayName: string, members: readonly string[] = []): Promise<string> {
  const response = await t.client.request('POST', '/Groups', groupBody(displayName, { members: members.map((value) => ({ value })) }));
  expect(response.status).toBe(201);
  return response.body.id;
}

async function findGroup(displayName: string, client: Client = t.client): Promise<string> {
  const response = await client.request('GET', `/Groups?filter=${encodeURIComponent(`displayName eq "${displayName}"`)}`);
  expect(response.body.totalResults).toBe(1);
  return response.body.Resources[0].id;
}

/** Sends a PATCH tagged with a fresh request id, and returns its status and that id. */
async function patchGroup(id: string, operations: unknown[], client: Client = t.client): Promise<{ status: number; requestId: string }> {
  const requestId = randomUUID();
  const response = await client.request('PATCH', `/Groups/${id}`, { schemas: [PATCH], Operations: operations }, { 'X-Request-Id': requestId });
  return { status: response.status, requestId };
}

describe('history of memberships', () => {
  it('records a persona given to a user on the user and on the persona, by the token, in one request', async () => {
    const billing = await findGroup('Billing');
    const userId = await createUser('persona.member@example.com');

    const { status, requestId } = await patchGroup(billing, [{ op: 'add', path: 'members', value: [{ value: userId }] }]);

    expect(status).toBe(204);
    expect(brief(await recordedBy(requestId))).toEqual([
      ['Group', 'Billing', 'memberAdded', 'members', null, 'persona.member@example.com'],
      ['User', 'persona.member@example.com', 'personaAdded', 'persona', null, 'Billing'],
    ]);
    const userHistory = await historyOfUser(userId);
    expect(userHistory.map((e) => e.event)).toEqual(['created', 'personaAdded']);
    expect(userHistory[1]).toMatchObject({ resourceId: userId, newValue: 'Billing', updatedBy: 'test', requestId });
    expect((await historyOfGroup(billing)).filter((e) => e.newValue === 'persona.member@example.com')).toMatchObject([
      { resourceId: billing, event: 'memberAdded', updatedBy: 'test', requestId },
    ]);
  });

  it('records removals in the Okta form (a filter) and the Entra ID form (a value)', async () => {
    const billing = await findGroup('Billing');
    const okta = await createUser('removed.by.okta@example.com');
    const entra = await createUser('removed.by.entra@example.com');
    expect((await patchGroup(billing, [{ op: 'add', path: 'members', value: [{ value: okta }, { value: entra }] }])).status).toBe(204);

    const byOkta = await patchGroup(billing, [{ op: 'remove', path: `members[value eq "${okta}"]` }]);
    const byEntra = await patchGroup(billing, [{ op: 'Remove', path: 'members', value: [{ value: entra }] }]);

    expect(byOkta.status).toBe(204);
    expect(byEntra.status).toBe(204);
    expect(brief(await recordedBy(byOkta.requestId))).toEqual([
      ['Group', 'Billing', 'memberRemoved', 'members', 'removed.by.okta@example.com', null],
      ['User', 'removed.by.okta@example.com', 'personaRemoved', 'persona', 'Billing', null],
    ]);
    expect(brief(await recordedBy(byEntra.requestId))).toEqual([
      ['Group', 'Billing', 'memberRemoved', 'members', 'removed.by.entra@example.com', null],
      ['User', 'removed.by.entra@example.com', 'personaRemoved', 'persona', 'Billing', null],
    ]);
    for (const id of [okta, entra]) {
      expect((await historyOfUser(id)).map((e) => [e.event, e.oldValue ?? null, e.newValue ?? null])).toEqual([
        ['created', null, null],
        ['personaAdded', null, 'Billing'],
        ['personaRemoved', 'Billing', null],
      ]);
    }
  });

  it('records only the differences when PUT replaces the members of a plain group, as groupAdded and groupRemoved', async () => {
    const [ann, bob, cat] = [await createUser('ann@example.com'), await createUser('bob@example.com'), await createUser('cat@example.com')];
    const pilots = await createGroup('Pilots', [bob, ann]);
    expect(brief(await historyOfGroup(pilots))).toEqual([
      ['Group', 'Pilots', 'created', null, null, null],
      ['Group', 'Pilots', 'memberAdded', 'members', null, 'ann@example.com'],
      ['Group', 'Pilots', 'memberAdded', 'members', null, 'bob@example.com'],
    ]);

    const requestId = randomUUID();
    const put = await t.client.request('PUT', `/Groups/${pilots}`, groupBody('Pilots', { members: [{ value: bob }, { value: cat }] }), { 'X-Request-Id': requestId });

    expect(put.status).toBe(200);
    expect(brief(await recordedBy(requestId))).toEqual([
      ['Group', 'Pilots', 'memberAdded', 'members', null, 'cat@example.com'],
      ['Group', 'Pilots', 'memberRemoved', 'members', 'ann@example.com', null],
      ['User', 'cat@example.com', 'groupAdded', 'groups', null, 'Pilots'],
      ['User', 'ann@example.com', 'groupRemoved', 'groups', 'Pilots', null],
    ]);
    expect((await historyOfUser(bob)).map((e) => [e.event, e.newValue ?? null])).toEqual([
      ['created', null],
      ['groupAdded', 'Pilots'],
    ]);

    // The same members again: nothing changed, nothing recorded.
    const again = randomUUID();
    const same = await t.client.request('PUT', `/Groups/${pilots}`, groupBody('Pilots', { members: [{ value: cat }, { value: bob }] }), { 'X-Request-Id': again });
    expect(same.status).toBe(200);
    expect(await recordedBy(again)).toEqual([]);
  });

  it('records a renamed group with its new name on the members added in the same PUT', async () => {
    const dan = await createUser('dan@example.com');
    const group = await createGroup('Drivers');
    const requestId = randomUUID();
    const put = await t.client.request('PUT', `/Groups/${group}`, groupBody('Chauffeurs', { members: [{ value: dan }] }), { 'X-Request-Id': requestId });
    expect(put.status).toBe(200);
    expect(brief(await recordedBy(requestId))).toEqual([
      ['Group', 'Chauffeurs', 'attributeChanged', 'displayName', 'Drivers', 'Chauffeurs'],
      ['Group', 'Chauffeurs', 'memberAdded', 'members', null, 'dan@example.com'],
      ['User', 'dan@example.com', 'groupAdded', 'groups', null, 'Chauffeurs'],
    ]);
  });

  it('records a nested group on the parent group only, not on the nested group or its users', async () => {
    const eve = await createUser('eve@example.com');
    const crew = await createGroup('Crew', [eve]);
    const fleet = await createGroup('Fleet');

    const { status, requestId } = await patchGroup(fleet, [{ op: 'add', path: 'members', value: [{ value: crew, type: 'Group' }] }]);

    expect(status).toBe(204);
    expect(brief(await recordedBy(requestId))).toEqual([['Group', 'Fleet', 'memberAdded', 'members', null, 'Crew']]);
    expect((await historyOfGroup(crew)).map((e) => e.event)).toEqual(['created', 'memberAdded']);
    expect((await historyOfUser(eve)).map((e) => [e.event, e.newValue ?? null])).toEqual([
      ['created', null],
      ['groupAdded', 'Crew'],
    ]);

    const removed = await patchGroup(fleet, [{ op: 'remove', path: `members[value eq "${crew}"]` }]);
    expect(removed.status).toBe(204);
    expect(brief(await recordedBy(removed.requestId))).toEqual([['Group', 'Fleet', 'memberRemoved', 'members', 'Crew', null]]);
  });

  it('records on each parent group that a deleted nested group left it, with the same request id', async () => {
    const zoe = await createUser('zoe@example.com');
    const wing = await createGroup('Wing', [zoe]);
    const squadron = await createGroup('Squadron', [wing]);
    const air = await createGroup('Air', [wing]);

    const requestId = randomUUID();
    const deleted = await t.client.request('DELETE', `/Groups/${wing}`, undefined, { 'X-Request-Id': requestId });
    expect(deleted.status).toBe(204);

    const recorded = brief(await recordedBy(requestId));
    expect(recorded).toEqual(
      expect.arrayContaining([
        ['Group', 'Squadron', 'memberRemoved', 'members', 'Wing', null],
        ['Group', 'Air', 'memberRemoved', 'members', 'Wing', null],
        ['User', 'zoe@example.com', 'groupRemoved', 'groups', 'Wing', null],
        ['Group', 'Wing', 'deleted', null, null, null],
      ]),
    );
    expect(recorded).toHaveLength(4);
    expect((await historyOfGroup(squadron)).map((e) => e.event)).toEqual(['created', 'memberAdded', 'memberRemoved']);
    expect((await historyOfGroup(air)).map((e) => e.event)).toEqual(['created', 'memberAdded', 'memberRemoved']);
  });

  it('records nothing for adding a member that is already there', async () => {
    const billing = await findGroup('Billing');
    const userId = await createUser('already.there@example.com');
    expect((await patchGroup(billing, [{ op: 'add', path: 'members', value: [{ value: userId }] }])).status).toBe(204);

    const { status, requestId } = await patchGroup(billing, [{ op: 'add', path: 'members', value: [{ value: userId }] }]);

    expect(status).toBe(204);
    expect(await recordedBy(requestId)).toEqual([]);
    expect((await historyOfUser(userId)).map((e) => e.event)).toEqual(['created', 'personaAdded']);
  });

  it('records nothing for a PATCH that fails, even after an operation that added a member', async () => {
    const billing = await findGroup('Billing');
    const userId = await createUser('not.added@example.com');

    const { status, requestId } = await patchGroup(billing, [
      { op: 'add', path: 'members', value: [{ value: userId }] },
      { op: 'add', path: 'members', value: [{ value: randomUUID() }] },
    ]);

    expect(status).toBe(400);
    expect(await recordedBy(requestId)).toEqual([]);
    expect((await historyOfUser(userId)).map((e) => e.event)).toEqual(['created']);
    const members = await t.client.request('GET', `/Groups?filter=${encodeURIComponent(`members.value eq "${userId}"`)}`);
    expect(members.body.totalResults).toBe(0);
  });

  it('records personaRemoved on each user when a persona is deleted, and ends the persona with deleted alone', async () => {
    const other = await t.newTenant('membership-delete');
    const billing = await findGroup('Billing', other);
    const fay = await createUser('fay@example.com', other);
    const gus = await createUser('gus@example.com', other);
    const nested = await other.request('POST', '/Groups', groupBody('Auditors'));
    expect(nested.status).toBe(201);
    const added = await patchGroup(billing, [{ op: 'add', path: 'members', value: [{ value: fay }, { value: gus }, { value: nested.body.id }] }], other);
    expect(added.status).toBe(204);

    const requestId = randomUUID();
    const deleted = await other.request('DELETE', `/Groups/${billing}`, undefined, { 'X-Request-Id': requestId });

    expect(deleted.status).toBe(204);
    expect(brief(await recordedBy(requestId, other))).toEqual([
      ['User', 'fay@example.com', 'personaRemoved', 'persona', 'Billing', null],
      ['User', 'gus@example.com', 'personaRemoved', 'persona', 'Billing', null],
      ['Group', 'Billing', 'deleted', null, null, null],
    ]);
    expect((await recordedBy(requestId, other)).every((e) => e.updatedBy === 'test')).toBe(true);
    expect((await historyOfUser(fay, other)).map((e) => e.event)).toEqual(['created', 'personaAdded', 'personaRemoved']);
    expect((await historyOfGroup(nested.body.id, other)).map((e) => e.event)).toEqual(['created']);
  });

  it('records memberRemoved on each group a deleted user was a direct member of, by the same actor in the same request', async () => {
    const other = await t.newTenant('membership-user-delete');
    const hal = await createUser('hal@example.com', other);
    const ivy = await createUser('ivy@example.com', other);
    const team = await other.request('POST', '/Groups', groupBody('Night Shift', { members: [{ value: hal }, { value: ivy }] }));
    const inner = await other.request('POST', '/Groups', groupBody('Night Leads', { members: [{ value: hal }] }));
    // Night Leads is nested in Night Shift: Night Shift holds hal directly and through it.
    const outer = await other.request('POST', '/Groups', groupBody('Everyone', { members: [{ value: team.body.id }] }));
    expect([team.status, inner.status, outer.status]).toEqual([201, 201, 201]);
    expect((await patchGroup(team.body.id, [{ op: 'add', path: 'members', value: [{ value: inner.body.id }] }], other)).status).toBe(204);

    const requestId = randomUUID();
    const deleted = await other.request('DELETE', `/Users/${hal}`, undefined, { 'X-Request-Id': requestId });
    expect(deleted.status).toBe(204);

    const recorded = await recordedBy(requestId, other);
    expect(brief(recorded).sort()).toEqual(
      [
        ['Group', 'Night Leads', 'memberRemoved', 'members', 'hal@example.com', null],
        ['Group', 'Night Shift', 'memberRemoved', 'members', 'hal@example.com', null],
        ['User', 'hal@example.com', 'deleted', null, null, null],
      ].sort(),
    );
    expect(recorded.every((e) => e.updatedBy === 'test' && e.requestId === requestId)).toBe(true);
    expect((await historyOfGroup(team.body.id, other)).map((e) => e.event)).toEqual(['created', 'memberAdded', 'memberAdded', 'memberAdded', 'memberRemoved']);
    expect((await historyOfGroup(inner.body.id, other)).map((e) => e.event)).toEqual(['created', 'memberAdded', 'memberRemoved']);
    // A group that held hal only through nesting lost no member of its own.
    expect((await historyOfGroup(outer.body.id, other)).map((e) => e.event)).toEqual(['created', 'memberAdded']);
    expect((await other.request('GET', `/Groups/${team.body.id}`)).body.members.map((m: { value: string }) => m.value).sort()).toEqual([ivy, inner.body.id].sort());
  });
});
