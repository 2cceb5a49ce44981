// History through the real app: GET /History and /Users/{id}/History as ListResponses (RFC 7644 §3.4.2), search, paging, isolation, 405 on writes.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  historyForLock,
  historyForMail,
  historyForMembers,
  historyForUserChange,
  historyForUserCreated,
  historyForUserDeleted,
  historyForUserEvent,
  historyScope,
  recordHistory,
  type HistoryEntry,
  type HistoryScope,
} from '../../src/resources/history/recorder.js';
import { HISTORY_EVENTS } from '../../src/scim/history/events.js';
import { PERSONA_SCHEMA } from '../../src/scim/schema/persona.js';
import { BASE, ERROR_SCHEMA, LIST_SCHEMA, createTestContext, groupBody, userBody, type Client, type ScimResponse, type TestContext } from '../helpers/app.js';

const SCIM_JSON = 'application/scim+json; charset=utf-8';
const HISTORY_SCHEMA = 'urn:usher:params:scim:schemas:core:2.0:HistoryEntry';
const SEARCH_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

let t: TestContext;
let other: Client;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

let john: { id: string; user_name: string };
let barbara: { id: string; user_name: string };
let billing: { id: string; display_name: string; attributes: Record<string, unknown> };
let otherUser: { id: string; user_name: string };
/** Every entry of tenant acme, in the order recorded. */
const recorded: HistoryEntry[] = [];

function scope(tenantId: string, minutes: number, actor = 'Okta'): HistoryScope {
  const type = actor === 'Okta' || actor === 'Entra' ? 'token' : 'user';
  return { tenantId, actor: { type, value: `actor-${actor}`, display: actor }, requestId: `req-${minutes}`, at: at(minutes), newId: randomUUID };
}

async function record(entries: HistoryEntry[]): Promise<void> {
  await t.store.transaction((tx) => recordHistory(tx, entries));
  if (entries[0]?.tenantId === t.client.tenantId) recorded.push(...entries);
}

async function list(path: string, client: Client = t.client): Promise<ScimResponse> {
  const response = await client.request('GET', path);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.headers.get('content-type')).toBe(SCIM_JSON);
  expect(response.body.schemas).toEqual([LIST_SCHEMA]);
  return response;
}

const ids = (response: ScimResponse): string[] => response.body.Resources.map((r: { id: string }) => r.id);
const q = (value: string) => encodeURIComponent(value);

/** The acme entries in the default order: newest first, and within one time the last recorded first. */
function newestFirst(entries: readonly HistoryEntry[]): string[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => b.entry.createdAt.getTime() - a.entry.createdAt.getTime() || b.index - a.index)
    .map(({ entry }) => entry.id);
}

function expectScimError(response: ScimResponse, status: number, scimType?: string): void {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toBe(SCIM_JSON);
  expect(response.body.schemas).toEqual([ERROR_SCHEMA]);
  expect(response.body.status).toBe(String(status));
  if (scimType) expect(response.body.scimType).toBe(scimType);
}

beforeAll(async () => {
  t = await createTestContext();
  other = await t.newTenant('globex');
  const tenantId = t.client.tenantId;

  const created = await t.client.request('POST', '/Users', userBody('jsmith', { displayName: 'John Smith' }));
  john = { id: created.body.id, user_name: 'jsmith' };
  const second = await t.client.request('POST', '/Users', userBody('bjensen'));
  barbara = { id: second.body.id, user_name: 'bjensen' };
  // Not a name of the personas every new tenant starts with.
  const group = await t.client.request('POST', '/Groups', groupBody('Claims Team'));
  expect(group.status, JSON.stringify(group.body)).toBe(201);
  billing = { id: group.body.id, display_name: 'Claims Team', attributes: { displayName: 'Claims Team', [PERSONA_SCHEMA.id]: { description: 'Handles claims' } } };
  const foreign = await other.request('POST', '/Users', userBody('jsmith'));
  otherUser = { id: foreign.body.id, user_name: 'jsmith' };

  // The API recorded its own entries while this file set up its users; start the fixture from an empty history.
  await t.store.query('delete from history where tenant_id = any($1::uuid[])', [[tenantId, other.tenantId]]);

  await record(historyForUserCreated(scope(tenantId, 0), john));
  await record(historyForUserCreated(scope(tenantId, 1), barbara));
  // One change, several attributes: the portal guide's example row is the roles one.
  await record(
    historyForUserChange(
      scope(tenantId, 2, 'Saby, Viji'),
      { ...john, attributes: { userName: 'jsmith', roles: [{ value: 'employer-billing', display: 'Employer Billing Access' }] } },
      { ...john, attributes: { userName: 'jsmith', title: 'Clerk', roles: [{ value: 'employer-all', display: 'Employer All Access' }] } },
      { passwordChanged: true },
    ),
  );
  await record(historyForLock(scope(tenantId, 3, 'Saby, Viji'), john, 'admin'));
  // Values full of LIKE metacharacters and quotes, and decoys that a wildcard would match.
  // Each decoy is an entry of its own, so that a match on it cannot hide behind the real one.
  await record([
    ...historyForUserEvent(scope(tenantId, 4), barbara, 'attributeChanged', { attribute: 'title', newValue: '100% off_site' }),
    ...historyForUserEvent(scope(tenantId, 4), barbara, 'attributeChanged', { attribute: 'userType', newValue: '1000 offXsite' }),
    ...historyForUserEvent(scope(tenantId, 5), barbara, 'attributeChanged', { attribute: 'nickName', newValue: `O'Brien "Bob"` }),
    ...historyForUserEvent(scope(tenantId, 5), barbara, 'attributeChanged', { attribute: 'nickName', newValue: `O'Brien Bob` }),
    ...historyForUserEvent(scope(tenantId, 6), barbara, 'attributeChanged', { attribute: 'profileUrl', oldValue: 'C:\\temp' }),
    ...historyForUserEvent(scope(tenantId, 6), barbara, 'attributeChanged', { attribute: 'locale', newValue: 'C:tmp' }),
  ]);
  await record(historyForMembers(scope(tenantId, 7), billing, [{ type: 'User', id: john.id, name: 'jsmith' }], []));
  await record(historyForMail(scope(tenantId, 8), barbara, 'welcomeEmailSent', 'bjensen@example.com'));
  await record(historyForUserDeleted(scope(tenantId, 9), barbara));
  expect((await t.client.request('DELETE', `/Users/${barbara.id}`)).status).toBe(204);
  // The fixture has its own 'deleted' entry, in its own time; drop the one the API recorded just now.
  await t.store.query('delete from history where tenant_id = $1 and created_at > $2::timestamptz', [tenantId, at(60).toISOString()]);

  await record([...historyForUserCreated(scope(other.tenantId, 0, 'Entra'), otherUser)]);
});
afterAll(() => t.close());

describe('GET /History', () => {
  it('lists every entry of the tenant as HistoryEntry resources, newest first', async () => {
    const response = await list('/History');
    expect(response.body.totalResults).toBe(recorded.length);
    expect(response.body.startIndex).toBe(1);
    expect(response.body.itemsPerPage).toBe(recorded.length);
    expect(ids(response)).toEqual(newestFirst(recorded));
    const roles = response.body.Resources.find((r: { attribute?: string }) => r.attribute === 'roles');
    expect(roles).toEqual({
      schemas: [HISTORY_SCHEMA],
      id: expect.any(String),
      resourceType: 'User',
      resourceId: john.id,
      userName: 'jsmith',
      event: 'attributeChanged',
      eventDescription: 'Attribute changed',
      attribute: 'roles',
      oldValue: 'Employer Billing Access',
      newValue: 'Employer All Access',
      created: at(2).toISOString(),
      updatedBy: 'Saby, Viji',
      actor: { type: 'user', value: 'actor-Saby, Viji', display: 'Saby, Viji' },
      requestId: 'req-2',
      meta: { resourceType: 'HistoryEntry', created: at(2).toISOString(), lastModified: at(2).toISOString(), location: `${BASE}/History/${roles.id}` },
    });
  });

  it('shows a password change without values, and leaves out what is unassigned', async () => {
    const response = await list(`/History?filter=${q('event eq "passwordChanged"')}`);
    expect(response.body.Resources).toHaveLength(1);
    const [entry] = response.body.Resources;
    expect(entry).toMatchObject({ attribute: 'password', eventDescription: 'Password changed' });
    expect(entry).not.toHaveProperty('oldValue');
    expect(entry).not.toHaveProperty('newValue');
    // A null is stored as SQL NULL, never as the text "NULL".
    const rows = await t.store.query<{ old_value: string | null; new_value: string | null }>('select old_value, new_value from history where id = $1', [entry.id]);
    expect(rows).toEqual([{ old_value: null, new_value: null }]);
  });

  it('keeps the entries of one change in the order recorded (oldest first when ascending)', async () => {
    const change = recorded.filter((e) => e.requestId === 'req-2');
    expect(change.map((e) => e.attribute)).toEqual(['title', 'password', 'roles']);
    const ascending = await list(`/History?sortOrder=ascending&filter=${q('requestId eq "req-2"')}`);
    expect(ids(ascending)).toEqual(change.map((e) => e.id));
    const descending = await list(`/History?filter=${q('requestId eq "req-2"')}`);
    expect(ids(descending)).toEqual(change.map((e) => e.id).reverse());
  });

  it('sorts by any attribute, ascending unless told otherwise (RFC 7644 §3.4.2.3)', async () => {
    const byName = await list('/History?sortBy=userName');
    const names = byName.body.Resources.map((r: { userName: string }) => r.userName);
    // userName is not caseExact: "Claims Team" sorts between "bjensen" and "jsmith".
    expect([...new Set(names)]).toEqual(['bjensen', 'Claims Team', 'jsmith']);
    const oldest = await list('/History?sortBy=created&sortOrder=ascending');
    expect(ids(oldest)[0]).toBe(recorded[0]!.id);
  });

  it.each([
    ['resourceId', () => `resourceId eq "${john.id}"`, (e: HistoryEntry) => e.resourceId === john.id],
    ['resourceType', () => 'resourceType eq "group"', (e: HistoryEntry) => e.resourceType === 'Group'],
    ['attribute', () => 'attribute eq "TITLE"', (e: HistoryEntry) => e.attribute === 'title'],
    ['updatedBy (the actor)', () => 'updatedBy eq "saby, viji"', (e: HistoryEntry) => e.actor.display === 'Saby, Viji'],
    ['actor.value (the actor by id, exactly)', () => 'actor.value eq "actor-Saby, Viji"', (e: HistoryEntry) => e.actor.value === 'actor-Saby, Viji'],
    ['actor.type', () => 'actor.type eq "user"', (e: HistoryEntry) => e.actor.type === 'user'],
    ['created', () => `created gt "${at(6).toISOString()}"`, (e: HistoryEntry) => e.createdAt > at(6)],
    ['created, as meta.created, in a range', () => `meta.created ge "${at(2).toISOString()}" and meta.created lt "2026-03-01T12:04:00Z"`, (e: HistoryEntry) => e.createdAt >= at(2) && e.createdAt < at(4)],
    ['event', () => 'event eq "locked" or event eq "personaAdded"', (e: HistoryEntry) => e.event === 'locked' || e.event === 'personaAdded'],
    ['eventDescription', () => 'eventDescription co "persona"', (e: HistoryEntry) => e.event === 'personaAdded'],
    ['oldValue', () => 'oldValue pr', (e: HistoryEntry) => e.oldValue !== null],
    ['userName and newValue', () => 'userName eq "bjensen" and newValue sw "100%"', (e: HistoryEntry) => e.newValue === '100% off_site'],
  ])('filters on %s', async (_name, filter, matches) => {
    const response = await list(`/History?filter=${q(filter())}`);
    const expected = newestFirst(recorded.filter(matches));
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThan(recorded.length);
    expect(ids(response)).toEqual(expected);
    expect(response.body.totalResults).toBe(expected.length);
  });

  it('refuses an unknown attribute or a malformed filter with 400 invalidFilter', async () => {
    expectScimError(await t.client.request('GET', `/History?filter=${q('password eq "x"')}`), 400, 'invalidFilter');
    expectScimError(await t.client.request('GET', `/History?filter=${q('created gt "yesterday"')}`), 400, 'invalidFilter');
    expectScimError(await t.client.request('GET', `/History?filter=${q('userName eq')}`), 400, 'invalidFilter');
    expectScimError(await t.client.request('GET', '/History?sortBy=nonsense'), 400, 'invalidValue');
  });

  it('honours attributes and excludedAttributes (RFC 7644 §3.4.2.5)', async () => {
    const only = await list('/History?attributes=userName,eventDescription&count=1');
    expect(Object.keys(only.body.Resources[0]).sort()).toEqual(['eventDescription', 'id', 'schemas', 'userName']);
    const without = await list('/History?excludedAttributes=meta,requestId&count=1');
    expect(without.body.Resources[0]).not.toHaveProperty('meta');
    expect(without.body.Resources[0]).not.toHaveProperty('requestId');
  });

  it('pages by index', async () => {
    const all = newestFirst(recorded);
    const page = await list('/History?startIndex=3&count=4');
    expect(page.body).toMatchObject({ totalResults: all.length, startIndex: 3, itemsPerPage: 4 });
    expect(ids(page)).toEqual(all.slice(2, 6));
    const past = await list(`/History?startIndex=${all.length + 1}`);
    expect(past.body.Resources).toEqual([]);
  });

  it('pages by cursor (RFC 9865), both ways, over entries that share their time', async () => {
    const all = newestFirst(recorded);
    const pages: string[][] = [];
    let cursor: string | undefined = '';
    let last: ScimResponse | undefined;
    while (cursor !== undefined) {
      last = await list(`/History?count=2&cursor=${q(cursor)}`);
      pages.push(ids(last));
      cursor = last.body.nextCursor;
      expect(pages.length).toBeLessThan(20);
    }
    expect(pages.flat()).toEqual(all);
    const back: string[][] = [];
    cursor = last!.body.previousCursor;
    while (cursor !== undefined) {
      const response = await list(`/History?count=2&cursor=${q(cursor)}`);
      back.unshift(ids(response));
      cursor = response.body.previousCursor;
    }
    expect(back.flat()).toEqual(all.slice(0, all.length - pages.at(-1)!.length));
  });

  it('binds a cursor to its search', async () => {
    const first = await list(`/History?count=1&cursor=&search=${q('jsmith')}`);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const same = await list(`/History?count=1&search=${q('jsmith')}&cursor=${q(first.body.nextCursor)}`);
    expect(same.body.Resources).toHaveLength(1);
    expectScimError(await t.client.request('GET', `/History?count=1&search=${q('bjensen')}&cursor=${q(first.body.nextCursor)}`), 400, 'invalidCursor');
    expectScimError(await t.client.request('GET', `/Users/${john.id}/History?count=1&search=${q('jsmith')}&cursor=${q(first.body.nextCursor)}`), 400, 'invalidCursor');
  });
});

describe('search=', () => {
  it.each([
    ['a name, in any case', 'JSMITH', (e: HistoryEntry) => e.resourceName === 'jsmith' || e.newValue === 'jsmith'],
    ['an event as the portal shows it', 'persona added', (e: HistoryEntry) => e.event === 'personaAdded'],
    ['an old or new value', 'employer all', (e: HistoryEntry) => e.newValue === 'Employer All Access'],
    ['an attribute', 'nickname', (e: HistoryEntry) => e.attribute === 'nickName'],
    ['the actor', 'saby', (e: HistoryEntry) => e.actor.display === 'Saby, Viji'],
    ['a lock reason in words', 'by an administrator', (e: HistoryEntry) => e.event === 'locked'],
    ['% as itself', '100%', (e: HistoryEntry) => e.newValue === '100% off_site'],
    ['_ as itself', 'f_s', (e: HistoryEntry) => e.newValue === '100% off_site'],
    ['a backslash as itself', 'C:\\t', (e: HistoryEntry) => e.oldValue === 'C:\\temp'],
    ['quotes', `O'Brien "Bob"`, (e: HistoryEntry) => e.newValue === `O'Brien "Bob"`],
  ])('finds %s', async (_name, text, matches) => {
    const response = await list(`/History?search=${q(text)}`);
    const expected = newestFirst(recorded.filter(matches));
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(response)).toEqual(expected);
  });

  it('finds nothing for text that is nowhere, and everything for blank text', async () => {
    expect((await list(`/History?search=${q("'; drop table history; --")}`)).body.totalResults).toBe(0);
    expect((await list(`/History?search=${q('  ')}`)).body.totalResults).toBe(recorded.length);
  });

  it('combines with a filter and paging, and is accepted in any case (Search=)', async () => {
    const response = await list(`/History?Search=${q('bjensen')}&filter=${q('event ne "attributeChanged"')}&count=1`);
    const expected = newestFirst(recorded.filter((e) => e.resourceName === 'bjensen' && e.event !== 'attributeChanged'));
    expect(response.body.totalResults).toBe(expected.length);
    expect(ids(response)).toEqual(expected.slice(0, 1));
  });

  it('works in a POST /History/.search body (RFC 7644 §3.4.3)', async () => {
    const response = await t.client.request('POST', '/History/.search', {
      schemas: [SEARCH_REQUEST],
      search: 'welcome',
      attributes: ['userName', 'newValue'],
    });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    expect(response.body.Resources).toEqual([{ schemas: [HISTORY_SCHEMA], id: expect.any(String), userName: 'bjensen', newValue: 'bjensen@example.com' }]);
  });

  it('refuses search text longer than 256 characters, and a repeated parameter', async () => {
    expectScimError(await t.client.request('GET', `/History?search=${'x'.repeat(257)}`), 400, 'invalidValue');
    expectScimError(await t.client.request('GET', '/History?search=a&search=b'), 400, 'invalidValue');
  });
});

describe('GET /Users/{id}/History', () => {
  it("lists only that user's entries, its persona changes included, newest first", async () => {
    const response = await list(`/Users/${john.id}/History`);
    const expected = newestFirst(recorded.filter((e) => e.resourceType === 'User' && e.resourceId === john.id));
    expect(ids(response)).toEqual(expected);
    expect(response.body.Resources.map((r: { event: string }) => r.event)).toEqual(['personaAdded', 'locked', 'attributeChanged', 'passwordChanged', 'attributeChanged', 'created']);
    expect(response.body.Resources[0]).toMatchObject({ eventDescription: 'Persona added', attribute: 'persona', newValue: 'Claims Team' });
  });

  it('filters, searches and pages within that user', async () => {
    const filtered = await list(`/Users/${john.id}/History?filter=${q('attribute eq "title"')}`);
    expect(filtered.body.Resources.map((r: { newValue: string }) => r.newValue)).toEqual(['Clerk']);
    // "cl" is in the persona's name and in the new title, Clerk.
    const searched = await list(`/Users/${john.id}/History?search=${q('CL')}`);
    expect(searched.body.Resources.map((r: { event: string; newValue: string }) => [r.event, r.newValue])).toEqual([
      ['personaAdded', 'Claims Team'],
      ['attributeChanged', 'Clerk'],
    ]);
    const cursorPages: string[] = [];
    let cursor: string | undefined = '';
    while (cursor !== undefined) {
      const page = await list(`/Users/${john.id}/History?count=4&cursor=${q(cursor)}`);
      cursorPages.push(...ids(page));
      cursor = page.body.nextCursor;
    }
    expect(cursorPages).toEqual(newestFirst(recorded.filter((e) => e.resourceType === 'User' && e.resourceId === john.id)));
  });

  it('still lists the history of a deleted user', async () => {
    expect((await t.client.request('GET', `/Users/${barbara.id}`)).status).toBe(404);
    const response = await list(`/Users/${barbara.id}/History`);
    expect(response.body.Resources[0]).toMatchObject({ event: 'deleted', eventDescription: 'Deleted', userName: 'bjensen' });
    expect(response.body.totalResults).toBe(recorded.filter((e) => e.resourceId === barbara.id).length);
  });

  it('lists a new user with its one creation entry, and answers 404 for an id that names nothing', async () => {
    const quiet = await t.client.request('POST', '/Users', userBody('quiet'));
    const response = await list(`/Users/${quiet.body.id}/History`);
    expect(response.body).toMatchObject({ totalResults: 1, Resources: [{ event: 'created', userName: 'quiet', updatedBy: 'test' }] });
    expectScimError(await t.client.request('GET', `/Users/${randomUUID()}/History`), 404);
    expectScimError(await t.client.request('GET', '/Users/not-a-uuid/History'), 404);
    // A group's id is not a user's.
    expectScimError(await t.client.request('GET', `/Users/${billing.id}/History`), 404);
  });

  it('leaves the /Users routes as they were', async () => {
    const user = await t.client.request('GET', `/Users/${john.id}`);
    expect(user.status).toBe(200);
    expect(user.body.userName).toBe('jsmith');
  });
});

describe('GET /History/{id}', () => {
  it('answers one entry, with attributes', async () => {
    const entry = recorded.find((e) => e.event === 'locked')!;
    const response = await t.client.request('GET', `/History/${entry.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe(SCIM_JSON);
    expect(response.body).toMatchObject({ id: entry.id, event: 'locked', attribute: 'lockReason', newValue: 'Locked by an administrator' });
    const only = await t.client.request('GET', `/History/${entry.id}?attributes=event`);
    expect(only.body).toEqual({ schemas: [HISTORY_SCHEMA], id: entry.id, event: 'locked' });
  });

  it('answers 404 for an unknown or malformed id', async () => {
    expectScimError(await t.client.request('GET', `/History/${randomUUID()}`), 404);
    expectScimError(await t.client.request('GET', '/History/nope'), 404);
  });
});

describe('tenants', () => {
  it('see only their own history', async () => {
    const mine = await list('/History', other);
    expect(mine.body.Resources).toContainEqual(expect.objectContaining({ resourceId: otherUser.id, updatedBy: 'Entra', event: 'created' }));
    const acmeIds = new Set(recorded.map((e) => e.id));
    expect(ids(mine).filter((id) => acmeIds.has(id))).toEqual([]);
    expect((await list(`/History?search=${q('saby')}`, other)).body.totalResults).toBe(0);
    expectScimError(await other.request('GET', `/Users/${john.id}/History`), 404);
    expectScimError(await other.request('GET', `/History/${recorded[0]!.id}`), 404);
    const theirs = await list(`/History?filter=${q(`resourceId eq "${otherUser.id}"`)}`);
    expect(theirs.body.totalResults).toBe(0);
  });
});

describe('writes', () => {
  it.each([
    ['POST', '/History'],
    ['PUT', '/History'],
    ['DELETE', '/History'],
    ['PUT', '/History/{entry}'],
    ['PATCH', '/History/{entry}'],
    ['DELETE', '/History/{entry}'],
    ['POST', '/Users/{user}/History'],
    ['PUT', '/Users/{user}/History'],
    ['PATCH', '/Users/{user}/History'],
    ['DELETE', '/Users/{user}/History'],
  ])('%s %s is 405 with a SCIM error, and changes nothing', async (method, template) => {
    const before = await t.store.query<{ n: number }>('select count(*)::bigint as n from history');
    const path = template.replace('{entry}', recorded[0]!.id).replace('{user}', john.id);
    const response = await t.client.request(method, path, method === 'DELETE' ? undefined : { schemas: [HISTORY_SCHEMA], event: 'deleted' });
    expectScimError(response, 405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
    expect(response.body.detail).toContain('cannot be changed');
    expect(await t.store.query('select count(*)::bigint as n from history')).toEqual(before);
  });
});

describe('the recorder', () => {
  it('records one scope for a whole request: actor label, token id, request id, one time', () => {
    const now = new Date('2026-05-16T18:58:00Z');
    const s = historyScope(
      { tenantId: t.client.tenantId, actor: { kind: 'token', id: 'tok-1', label: 'Okta' }, requestId: 'req-x' },
      { clock: () => now, newId: () => 'fixed-id' },
    );
    expect(historyForUserCreated(s, john)).toEqual([
      {
        tenantId: t.client.tenantId,
        id: 'fixed-id',
        resourceType: 'User',
        resourceId: john.id,
        resourceName: 'jsmith',
        event: 'created',
        attribute: null,
        oldValue: null,
        newValue: null,
        actor: { type: 'token', value: 'tok-1', display: 'Okta' },
        requestId: 'req-x',
        createdAt: now,
      },
    ]);
  });

  it('never records a value with a password event', () => {
    const [entry] = historyForUserEvent(scope(t.client.tenantId, 0), john, 'temporaryPasswordSet', { newValue: 'Secret123!' });
    expect(entry).toMatchObject({ attribute: 'password', oldValue: null, newValue: null });
  });

  it('records memberships on both sides: the group, and the persona or group on each user', () => {
    const s = scope(t.client.tenantId, 0);
    const plain = { ...billing, attributes: { displayName: 'Claims Team' } };
    const member = { type: 'User' as const, id: john.id, name: 'jsmith' };
    const nested = { type: 'Group' as const, id: randomUUID(), name: 'Finance' };
    const summary = (entries: HistoryEntry[]) => entries.map((e) => [e.resourceName, e.event, e.attribute, e.oldValue, e.newValue]);
    expect(summary(historyForMembers(s, billing, [member, nested], []))).toEqual([
      ['Claims Team', 'memberAdded', 'members', null, 'jsmith'],
      ['Claims Team', 'memberAdded', 'members', null, 'Finance'],
      ['jsmith', 'personaAdded', 'persona', null, 'Claims Team'],
    ]);
    expect(summary(historyForMembers(s, plain, [], [member]))).toEqual([
      ['Claims Team', 'memberRemoved', 'members', 'jsmith', null],
      ['jsmith', 'groupRemoved', 'groups', 'Claims Team', null],
    ]);
  });

  it('writes nothing for no entries', async () => {
    await t.store.transaction((tx) => recordHistory(tx, []));
  });

  it('has a label for every event', async () => {
    const labels = new Set<string>();
    for (const event of HISTORY_EVENTS) {
      const entries = historyForUserEvent(scope(t.client.tenantId, 100), { id: randomUUID(), user_name: `label-${event}` }, event);
      await record(entries);
      const response = await list(`/History?filter=${q(`userName eq "label-${event}"`)}`);
      expect(response.body.Resources[0].eventDescription).not.toBe(event);
      labels.add(response.body.Resources[0].eventDescription);
    }
    expect(labels.size).toBe(HISTORY_EVENTS.length);
  });
});
