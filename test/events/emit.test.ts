// Every committed change to a user or group writes its SCIM events (RFC 9967) in its own transaction, with one
// delivery per stream of the tenant that asked for the event's type; a failed request writes none.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SCIM_EVENT } from '../../src/scim/events/index.js';
import { createTestContext, groupBody, userBody, GROUP_SCHEMA, USER_SCHEMA, type TestContext } from '../helpers/app.js';
import { clearEvents, eventsOf, insertStream, membersOf, type StoredEvent } from './helpers.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PASSWORD = 'a long enough secret passphrase 2026';

let t: TestContext;
let tenantId: string;
let stream: string;

beforeAll(async () => {
  t = await createTestContext();
  tenantId = t.client.tenantId;
  stream = await insertStream(t.store, tenantId);
});
afterAll(() => t.close());
beforeEach(() => clearEvents(t.store, tenantId));

const events = () => eventsOf(t.store, tenantId);
const types = (list: StoredEvent[]) => list.map((e) => e.event_type);
const patch = (id: string, endpoint: string, operations: unknown[]) => t.client.request('PATCH', `/${endpoint}/${id}`, { schemas: [PATCH], Operations: operations });

describe('a user', () => {
  it('created: a create notice naming what it was created with (the password by name) and a full form with the user as GET shows it, never the password', async () => {
    const created = await t.client.request('POST', '/Users', userBody('ev.create@example.com', { externalId: 'ext-1', name: { givenName: 'Eve' }, password: PASSWORD }));
    expect(created.status).toBe(201);
    const id = created.body.id;
    const list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.createNotice, SCIM_EVENT.createFull]);
    for (const event of list) {
      expect(event.subject).toEqual({ format: 'scim', uri: `/Users/${id}`, externalId: 'ext-1' });
      expect(event.subject_key).toBe(`User:${id}`);
      expect(event.txn).toBe(created.headers.get('x-request-id'));
      expect(event.streams).toEqual([stream]);
    }
    expect(membersOf(list[0]!)).toEqual({ version: created.headers.get('etag'), attributes: ['id', 'externalId', 'userName', 'name', 'password'] });
    const full = membersOf(list[1]!);
    expect(full.version).toBe(created.headers.get('etag'));
    expect(full.attributes).toBeUndefined();
    const read = await t.client.request('GET', `/Users/${id}`);
    expect(full.data).toEqual(read.body);
    expect(JSON.stringify(list)).not.toContain(PASSWORD);
  });

  it('patched: a patch notice naming what changed, and a full form; PUT: the put forms', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('ev.patch@example.com', { title: 'Clerk' }))).body.id;
    await clearEvents(t.store, tenantId);
    const patched = await patch(id, 'Users', [
      { op: 'replace', path: 'title', value: 'Manager' },
      { op: 'add', path: 'name.familyName', value: 'Smith' },
    ]);
    expect(patched.status).toBe(200);
    let list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
    expect(membersOf(list[0]!)).toEqual({ version: patched.headers.get('etag'), attributes: ['name', 'title'] });
    expect((membersOf(list[1]!).data as Record<string, unknown>).title).toBe('Manager');

    await clearEvents(t.store, tenantId);
    const put = await t.client.request('PUT', `/Users/${id}`, userBody('ev.patch@example.com', { title: 'Director', name: { familyName: 'Smith' } }));
    expect(put.status).toBe(200);
    list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.putNotice, SCIM_EVENT.putFull]);
    expect(membersOf(list[0]!)).toEqual({ version: put.headers.get('etag'), attributes: ['title'] });
    expect(list[0]!.txn).toBe(put.headers.get('x-request-id'));
    expect(list[1]!.txn).toBe(put.headers.get('x-request-id'));
  });

  it('changed by nothing: no event (a PATCH that sets what is there, a PUT of the same user)', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('ev.same@example.com', { title: 'Clerk' }))).body.id;
    await clearEvents(t.store, tenantId);
    expect((await patch(id, 'Users', [{ op: 'replace', path: 'title', value: 'Clerk' }])).status).toBe(200);
    expect((await t.client.request('PUT', `/Users/${id}`, userBody('ev.same@example.com', { title: 'Clerk' }))).status).toBe(200);
    expect(await events()).toEqual([]);
  });

  it('deactivated and activated: deactivate / activate, and the patch forms naming active', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('ev.active@example.com'))).body.id;
    await clearEvents(t.store, tenantId);
    await patch(id, 'Users', [{ op: 'replace', path: 'active', value: false }]);
    let list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.deactivate, SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
    expect(membersOf(list[0]!)).toEqual({});
    expect(membersOf(list[1]!).attributes).toEqual(['active']);
    expect((membersOf(list[2]!).data as Record<string, unknown>).active).toBe(false);
    await clearEvents(t.store, tenantId);
    await patch(id, 'Users', [{ op: 'replace', path: 'active', value: true }]);
    list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.activate, SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
  });

  it('a new password alone: a patch notice naming password, no full form, no value anywhere', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('ev.password@example.com'))).body.id;
    await clearEvents(t.store, tenantId);
    expect((await patch(id, 'Users', [{ op: 'replace', path: 'password', value: PASSWORD }])).status).toBe(200);
    const list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.patchNotice]);
    expect(membersOf(list[0]!).attributes).toEqual(['password']);
    expect(JSON.stringify(list)).not.toContain(PASSWORD);
  });

  it('a temporary password set by an administrator: a patch notice naming password', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('ev.temporary@example.com'))).body.id;
    await clearEvents(t.store, tenantId);
    const response = await t.app.request(`/scim/v2/Users/${id}/temporary-password`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${t.client.token}`, 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ password: PASSWORD }),
    });
    expect(response.status).toBe(204);
    const list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.patchNotice]);
    expect(membersOf(list[0]!)).toEqual({ attributes: ['password'] });
    expect(list[0]!.txn).toBe(response.headers.get('x-request-id'));
    expect(JSON.stringify(list)).not.toContain(PASSWORD);
  });

  it('deleted: a delete event without members, and each group it was in a patch of members; one txn', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('ev.delete@example.com', { externalId: 'gone' }))).body.id;
    const group = (await t.client.request('POST', '/Groups', groupBody('ev.delete.group', { externalId: 'crm', members: [{ value: id }] }))).body;
    await clearEvents(t.store, tenantId);
    const deleted = await t.client.request('DELETE', `/Users/${id}`);
    expect(deleted.status).toBe(204);
    const list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.delete, SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
    expect(list[0]!.subject).toEqual({ format: 'scim', uri: `/Users/${id}`, externalId: 'gone' });
    expect(membersOf(list[0]!)).toEqual({});
    const read = await t.client.request('GET', `/Groups/${group.id}`);
    expect(list[1]!.subject).toEqual({ format: 'scim', uri: `/Groups/${group.id}`, externalId: 'crm' });
    expect(membersOf(list[1]!)).toEqual({ attributes: ['members'], version: read.headers.get('etag') });
    expect(membersOf(list[2]!).data).toEqual(read.body);
    expect(new Set(list.map((e) => e.txn))).toEqual(new Set([deleted.headers.get('x-request-id')]));
  });
});

describe('a group', () => {
  it('created with members, members changed by PATCH, renamed by PUT, deleted: the group has the events, its members none', async () => {
    const user = (await t.client.request('POST', '/Users', userBody('ev.member@example.com'))).body.id;
    const other = (await t.client.request('POST', '/Users', userBody('ev.member2@example.com'))).body.id;
    await clearEvents(t.store, tenantId);
    const created = await t.client.request('POST', '/Groups', groupBody('ev.group', { members: [{ value: user }] }));
    const id = created.body.id;
    let list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.createNotice, SCIM_EVENT.createFull]);
    expect(membersOf(list[0]!).attributes).toEqual(['id', 'displayName', 'members']);
    expect(membersOf(list[1]!).data).toEqual(created.body);

    await clearEvents(t.store, tenantId);
    const patched = await patch(id, 'Groups', [{ op: 'add', path: 'members', value: [{ value: other }] }]);
    expect(patched.status).toBe(204);
    list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
    expect(list.every((e) => e.subject_key === `Group:${id}`)).toBe(true);
    expect(membersOf(list[0]!)).toEqual({ attributes: ['members'], version: patched.headers.get('etag') });
    expect((membersOf(list[1]!).data as { members: { value: string }[] }).members.map((m) => m.value).sort()).toEqual([user, other].sort());

    await clearEvents(t.store, tenantId);
    // A member already there, added again: nothing changes, nothing is said.
    await patch(id, 'Groups', [{ op: 'add', path: 'members', value: [{ value: other }] }]);
    expect(await events()).toEqual([]);

    const put = await t.client.request('PUT', `/Groups/${id}`, groupBody('ev.group.renamed', { members: [{ value: user }, { value: other }] }));
    list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.putNotice, SCIM_EVENT.putFull]);
    expect(membersOf(list[0]!)).toEqual({ attributes: ['displayName'], version: put.headers.get('etag') });

    await clearEvents(t.store, tenantId);
    expect((await t.client.request('DELETE', `/Groups/${id}`)).status).toBe(204);
    list = await events();
    expect(types(list)).toEqual([SCIM_EVENT.delete]);
    expect(list[0]!.subject).toEqual({ format: 'scim', uri: `/Groups/${id}` });
  });

  it('deleted while nested in another: the parent says its members changed', async () => {
    const child = (await t.client.request('POST', '/Groups', groupBody('ev.child'))).body.id;
    const parent = (await t.client.request('POST', '/Groups', groupBody('ev.parent', { members: [{ value: child, type: 'Group' }] }))).body.id;
    await clearEvents(t.store, tenantId);
    await t.client.request('DELETE', `/Groups/${child}`);
    const list = await events();
    expect(list.map((e) => [e.event_type, e.subject_key])).toEqual([
      [SCIM_EVENT.delete, `Group:${child}`],
      [SCIM_EVENT.patchNotice, `Group:${parent}`],
      [SCIM_EVENT.patchFull, `Group:${parent}`],
    ]);
  });
});

describe('a failed request emits nothing', () => {
  it('a uniqueness conflict, a stale If-Match, an invalid PATCH', async () => {
    const id = (await t.client.request('POST', '/Users', userBody('ev.taken@example.com'))).body.id;
    await clearEvents(t.store, tenantId);
    expect((await t.client.request('POST', '/Users', userBody('ev.taken@example.com'))).status).toBe(409);
    expect((await t.client.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'X' }] }, { 'If-Match': 'W/"999"' })).status).toBe(412);
    expect((await patch(id, 'Users', [{ op: 'replace', path: 'title', value: 'Y' }, { op: 'replace', path: 'userName', value: 42 }])).status).toBe(400);
    expect(await events()).toEqual([]);
  });

  it('a Bulk: each operation that succeeds has its own txn, <request id>:<index>; the one that fails, none', async () => {
    const response = await t.client.request('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER_SCHEMA], userName: 'ev.bulk.a@example.com' } },
        { method: 'PATCH', path: '/Users/bulkId:a', data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'userName', value: 42 }] } },
        { method: 'PATCH', path: '/Users/bulkId:a', data: { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Bulked' }] } },
      ],
    });
    expect(response.status).toBe(200);
    expect(response.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '400', '200']);
    const rid = response.headers.get('x-request-id');
    const list = await events();
    expect(list.map((e) => [e.event_type, e.txn])).toEqual([
      [SCIM_EVENT.createNotice, `${rid}:0`],
      [SCIM_EVENT.createFull, `${rid}:0`],
      [SCIM_EVENT.patchNotice, `${rid}:2`],
      [SCIM_EVENT.patchFull, `${rid}:2`],
    ]);
  });

  it('a rolled-back transaction: a Bulk cycle whose first group was created before the cycle failed', async () => {
    const response = await t.client.request('POST', '/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Groups', bulkId: 'qa', data: { schemas: [GROUP_SCHEMA], displayName: 'ev.cycle.a', members: [{ type: 'Group', value: 'bulkId:qb' }] } },
        { method: 'POST', path: '/Groups', bulkId: 'qb', data: { schemas: [GROUP_SCHEMA], displayName: 'ev.cycle.b', members: [{ type: 'Group', value: 'bulkId:qa' }] } },
      ],
    });
    expect(response.body.Operations.map((o: { status: string }) => o.status)).toEqual(['409', '409']);
    expect(await events()).toEqual([]);
  });
});

describe('fan-out to streams', () => {
  it('a paused stream still gets deliveries, a disabled one none; a stream gets only the types it asked for', async () => {
    const paused = await insertStream(t.store, tenantId, { status: 'paused' });
    const disabled = await insertStream(t.store, tenantId, { status: 'disabled' });
    const deletes = await insertStream(t.store, tenantId, { events: [SCIM_EVENT.delete, SCIM_EVENT.createNotice] });
    try {
      const id = (await t.client.request('POST', '/Users', userBody('ev.fanout@example.com'))).body.id;
      await t.client.request('DELETE', `/Users/${id}`);
      const list = await events();
      expect(list.map((e) => [e.event_type, e.streams])).toEqual([
        [SCIM_EVENT.createNotice, [stream, paused, deletes].sort()],
        [SCIM_EVENT.createFull, [stream, paused].sort()],
        [SCIM_EVENT.delete, [stream, paused, deletes].sort()],
      ]);
      expect(list.flatMap((e) => e.streams)).not.toContain(disabled);
      const [jtis] = await t.store.query<{ n: number; distinct_jti: number }>(
        'select count(*)::int as n, count(distinct jti)::int as distinct_jti from event_deliveries where tenant_id = $1',
        [tenantId],
      );
      expect(jtis!.distinct_jti).toBe(jtis!.n);
    } finally {
      await t.store.query('delete from event_streams where tenant_id = $1 and id = any($2::uuid[])', [tenantId, [paused, disabled, deletes]]);
    }
  });

  it('no event is written when no stream wants it: a tenant without streams, or with only a disabled one, or one for other types', async () => {
    const other = await t.newTenant('ev-quiet');
    await insertStream(t.store, other.tenantId, { status: 'disabled' });
    await insertStream(t.store, other.tenantId, { events: [SCIM_EVENT.delete] });
    const id = (await other.request('POST', '/Users', userBody('ev.quiet@example.com'))).body.id;
    await other.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value: 'Q' }] });
    await other.request('POST', '/Groups', groupBody('ev.quiet.group', { members: [{ value: id }] }));
    const [count] = await t.store.query<{ n: number }>('select count(*)::int as n from events where tenant_id = $1', [other.tenantId]);
    expect(count!.n).toBe(0);
  });

  it("keeps tenants apart: one tenant's stream never gets another's events", async () => {
    const b = await t.newTenant('ev-tenant-b');
    const streamB = await insertStream(t.store, b.tenantId);
    await b.request('POST', '/Users', userBody('ev.isolated@example.com'));
    await t.client.request('POST', '/Users', userBody('ev.isolated@example.com'));
    const mine = await events();
    const theirs = await eventsOf(t.store, b.tenantId);
    expect(mine).toHaveLength(2);
    expect(theirs).toHaveLength(2);
    expect(mine.every((e) => e.streams.length === 1 && e.streams[0] === stream)).toBe(true);
    expect(theirs.every((e) => e.streams.length === 1 && e.streams[0] === streamB)).toBe(true);
    const [cross] = await t.store.query<{ n: number }>(
      'select count(*)::int as n from event_deliveries d join event_streams s on s.id = d.stream_id where d.tenant_id <> s.tenant_id',
    );
    expect(cross!.n).toBe(0);
  });

  it('numbers one request\'s events in order (seq), and stamps them with the time of the change', async () => {
    const before = Date.now();
    const id = (await t.client.request('POST', '/Users', userBody('ev.order@example.com'))).body.id;
    await patch(id, 'Users', [{ op: 'replace', path: 'active', value: false }]);
    const list = await events();
    const seqs = list.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(list.every((e) => e.toe.getTime() >= before - 1000 && e.toe.getTime() <= Date.now() + 1000)).toBe(true);
  });
});

describe("a server's guess of which full forms a tenant's streams want", () => {
  it('never invents or loses an event: the streams as they are decide, whatever the last change saw', async () => {
    const c = await t.newTenant('ev-hints');
    const streamId = await insertStream(t.store, c.tenantId);
    const setEvents = (events: string[]) =>
      t.store.query('update event_streams set events_delivered = $3::text[] where tenant_id = $1 and id = $2', [c.tenantId, streamId, events]);
    const id = (await c.request('POST', '/Users', userBody('ev.hints@example.com'))).body.id;
    const title = (value: string) => c.request('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', path: 'title', value }] });
    await title('one');
    // The server now expects full forms; the stream stops wanting them.
    await setEvents([SCIM_EVENT.patchNotice]);
    await clearEvents(t.store, c.tenantId);
    await title('two');
    expect(types(await eventsOf(t.store, c.tenantId))).toEqual([SCIM_EVENT.patchNotice]);
    // The server now expects none; the stream wants them again.
    await setEvents([SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
    await clearEvents(t.store, c.tenantId);
    await title('three');
    const list = await eventsOf(t.store, c.tenantId);
    expect(types(list)).toEqual([SCIM_EVENT.patchNotice, SCIM_EVENT.patchFull]);
    expect((membersOf(list[1]!).data as Record<string, unknown>).title).toBe('three');
    // And a stream removed altogether: nothing.
    await t.store.query('delete from event_streams where tenant_id = $1', [c.tenantId]);
    await clearEvents(t.store, c.tenantId);
    await title('four');
    expect(await eventsOf(t.store, c.tenantId)).toEqual([]);
  });
});
