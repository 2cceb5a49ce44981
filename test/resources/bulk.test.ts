// POST /Bulk through the app (RFC 7644 §3.7): the RFC's examples as vectors, bulkId order and cycles, failOnErrors, limits, tenants.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BASE,
  ENTERPRISE_SCHEMA,
  ERROR_SCHEMA,
  GROUP_SCHEMA,
  USER_SCHEMA,
  createTestContext,
  groupBody,
  userBody,
  type Client,
  type ScimResponse,
  type TestContext,
} from '../helpers/app.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SCIM_JSON = 'application/scim+json; charset=utf-8';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const NONEXISTENT = '00000000-0000-4000-8000-000000000000';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

function bulk(Operations: unknown[], extra: Record<string, unknown> = {}, client: Client = t.client): Promise<ScimResponse> {
  return client.request('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations, ...extra });
}

/** The response's operations, after checking what every bulk response shares (RFC 7644 §3.7: 200, BulkResponse). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function operationsOf(response: ScimResponse): any[] {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(SCIM_JSON);
  expect(response.body.schemas).toEqual([BULK_RESPONSE]);
  return response.body.Operations;
}

const idOf = (location: string) => location.slice(location.lastIndexOf('/') + 1);

async function createUser(userName: string, extra: Record<string, unknown> = {}, client: Client = t.client): Promise<string> {
  const response = await client.request('POST', '/Users', userBody(userName, extra));
  expect(response.status).toBe(201);
  return response.body.id;
}

async function countUsers(userName: string): Promise<number> {
  const rows = await t.store.query<{ n: number }>('select count(*)::int as n from users where tenant_id = $1 and lower(user_name) = lower($2)', [
    t.client.tenantId,
    userName,
  ]);
  return rows[0]!.n;
}

async function countGroups(displayName: string): Promise<number> {
  const rows = await t.store.query<{ n: number }>('select count(*)::int as n from groups where tenant_id = $1 and lower(display_name) = lower($2)', [
    t.client.tenantId,
    displayName,
  ]);
  return rows[0]!.n;
}

describe('RFC 7644 §3.7.2 vectors: bulkId temporary identifiers', () => {
  it('§3.7.2: creates Alice and the group "Tour Guides" with Alice as a member', async () => {
    const response = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], userName: 'Alice' } },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'ytrewq',
        data: { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:qwerty' }] },
      },
    ]);
    const [alice, guides] = operationsOf(response);
    expect(alice).toEqual({ method: 'POST', bulkId: 'qwerty', version: 'W/"1"', location: expect.stringMatching(new RegExp(`^${BASE}/Users/${UUID}$`)), status: '201' });
    expect(guides).toEqual({ method: 'POST', bulkId: 'ytrewq', version: 'W/"1"', location: expect.stringMatching(new RegExp(`^${BASE}/Groups/${UUID}$`)), status: '201' });

    // "A subsequent request for the 'Tour Guides' Group returns" Alice as a member, by her permanent id.
    const group = await t.client.request('GET', `/Groups/${idOf(guides.location)}`);
    expect(group.body.members).toEqual([expect.objectContaining({ type: 'User', value: idOf(alice.location), $ref: alice.location })]);
    expect(group.headers.get('etag')).toBe(guides.version);
  });

  it('§3.7.2: a bulkId inside the Enterprise User extension (manager) is replaced too', async () => {
    const response = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], userName: 'Alice.Manager' } },
      {
        method: 'POST',
        path: '/Users',
        bulkId: 'ytrewq',
        data: {
          schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA],
          userName: 'Bob.Report',
          [ENTERPRISE_SCHEMA]: { employeeNumber: '11250', manager: { value: 'bulkId:qwerty' } },
        },
      },
    ]);
    const [alice, bob] = operationsOf(response);
    expect([alice.status, bob.status]).toEqual(['201', '201']);
    const fetched = await t.client.request('GET', `/Users/${idOf(bob.location)}`);
    expect(fetched.body[ENTERPRISE_SCHEMA]).toMatchObject({ employeeNumber: '11250', manager: { value: idOf(alice.location), displayName: 'Alice.Manager' } });
  });
});

describe('RFC 7644 §3.7.3 vectors: responses and errors', () => {
  it('§3.7.3: add, update, patch and remove users with failOnErrors 1: 201, 200, 200, 204', async () => {
    const bob = await createUser('rfc.bob');
    const dave = await createUser('rfc.dave', { nickName: 'Davey' });
    const gone = await createUser('rfc.gone');
    const response = await bulk(
      [
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], userName: 'rfc.alice' } },
        { method: 'PUT', path: `/Users/${bob}`, version: 'W/"1"', data: { schemas: [USER_SCHEMA], id: bob, userName: 'rfc.bob', displayName: 'Bob' } },
        {
          method: 'PATCH',
          path: `/Users/${dave}`,
          version: 'W/"1"',
          data: {
            schemas: [PATCH_OP],
            Operations: [
              { op: 'remove', path: 'nickName' },
              { op: 'replace', path: 'userName', value: 'rfc.dave2' },
            ],
          },
        },
        { method: 'DELETE', path: `/Users/${gone}`, version: 'W/"1"' },
      ],
      { failOnErrors: 1 },
    );
    const [post, put, patch, del] = operationsOf(response);
    expect(post).toMatchObject({ method: 'POST', bulkId: 'qwerty', version: 'W/"1"', status: '201' });
    expect(put).toEqual({ method: 'PUT', version: 'W/"2"', location: `${BASE}/Users/${bob}`, status: '200' });
    expect(patch).toEqual({ method: 'PATCH', version: 'W/"2"', location: `${BASE}/Users/${dave}`, status: '200' });
    expect(del).toEqual({ method: 'DELETE', location: `${BASE}/Users/${gone}`, status: '204' });

    expect((await t.client.request('GET', `/Users/${bob}`)).body.displayName).toBe('Bob');
    const daveNow = (await t.client.request('GET', `/Users/${dave}`)).body;
    expect([daveNow.userName, daveNow.nickName]).toEqual(['rfc.dave2', undefined]);
    expect((await t.client.request('GET', `/Users/${gone}`)).status).toBe(404);
    expect(await countUsers('rfc.alice')).toBe(1);
  });

  it('§3.7.3: with failOnErrors 1, the first error stops the job; the response holds only that error', async () => {
    const response = await bulk(
      [
        { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], displayName: 'No userName' } },
        { method: 'POST', path: '/Users', bulkId: 'ytrewq', data: { schemas: [USER_SCHEMA], userName: 'never.created' } },
      ],
      { failOnErrors: 1 },
    );
    const operations = operationsOf(response);
    expect(operations).toEqual([
      {
        method: 'POST',
        bulkId: 'qwerty',
        status: '400',
        response: { schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidValue', detail: expect.stringContaining('userName') },
      },
    ]);
    expect(await countUsers('never.created')).toBe(0);
  });

  it('§3.7.3: without failOnErrors every operation runs, and each failure carries its error; failed POSTs have no location', async () => {
    const changed = await createUser('rfc.changed');
    await t.client.request('PATCH', `/Users/${changed}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: 'x' }] });
    const response = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], userName: '' } },
      { method: 'PUT', path: `/Users/${changed}`, version: 'W/"1"', data: { schemas: [USER_SCHEMA], userName: 'rfc.changed', displayName: 'Stale' } },
      { method: 'PATCH', path: `/Users/${changed}`, version: 'W/"1"', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: 'y' }] } },
      { method: 'DELETE', path: `/Users/${NONEXISTENT}`, version: 'W/"1"' },
    ]);
    const [post, put, patch, del] = operationsOf(response);
    expect(post).toMatchObject({ method: 'POST', bulkId: 'qwerty', status: '400', response: { schemas: [ERROR_SCHEMA], status: '400' } });
    expect(post.location).toBeUndefined();
    expect(put).toMatchObject({ method: 'PUT', location: `${BASE}/Users/${changed}`, status: '412', response: { schemas: [ERROR_SCHEMA], status: '412' } });
    expect(patch).toMatchObject({ method: 'PATCH', location: `${BASE}/Users/${changed}`, status: '412', response: { status: '412' } });
    expect(del).toMatchObject({ method: 'DELETE', location: `${BASE}/Users/${NONEXISTENT}`, status: '404', response: { status: '404' } });
    const after = (await t.client.request('GET', `/Users/${changed}`)).body;
    expect([after.displayName, after.nickName, after.meta.version]).toEqual([undefined, 'x', 'W/"2"']);
  });
});

describe('RFC 7644 §3.7.1 vectors: circular references', () => {
  it('§3.7.1: groups A and B, each a member of the other, cannot both hold: both fail with 409 naming the cycle, and nothing is written', async () => {
    const response = await bulk([
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'qwerty',
        data: { schemas: [GROUP_SCHEMA], displayName: 'Group A', members: [{ type: 'Group', value: 'bulkId:ytrewq' }] },
      },
      {
        method: 'POST',
        path: '/Groups',
        bulkId: 'ytrewq',
        data: { schemas: [GROUP_SCHEMA], displayName: 'Group B', members: [{ type: 'Group', value: 'bulkId:qwerty' }] },
      },
    ]);
    const operations = operationsOf(response);
    expect(operations.map((o) => [o.bulkId, o.status, o.location])).toEqual([
      ['qwerty', '409', undefined],
      ['ytrewq', '409', undefined],
    ]);
    for (const operation of operations) {
      expect(operation.response).toMatchObject({ schemas: [ERROR_SCHEMA], status: '409' });
      expect(operation.response.detail).toContain('bulkId:qwerty -> bulkId:ytrewq -> bulkId:qwerty');
      expect(operation.response.detail).toContain('member of itself');
    }
    expect(await countGroups('Group A')).toBe(0);
    expect(await countGroups('Group B')).toBe(0);
  });

  it('a cycle the rules allow is resolved: two users who manage each other are both created, each with the other as manager', async () => {
    const manager = (bulkId: string) => ({ manager: { value: `bulkId:${bulkId}` } });
    const response = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'ann', data: { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], userName: 'cycle.ann', [ENTERPRISE_SCHEMA]: manager('ben') } },
      { method: 'POST', path: '/Users', bulkId: 'ben', data: { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], userName: 'cycle.ben', [ENTERPRISE_SCHEMA]: manager('ann') } },
      // Depends on the cycle: runs after it.
      { method: 'POST', path: '/Groups', bulkId: 'pair', data: { schemas: [GROUP_SCHEMA], displayName: 'Cycle Pair', members: [{ value: 'bulkId:ann' }, { value: 'bulkId:ben' }] } },
    ]);
    const [ann, ben, pair] = operationsOf(response);
    expect([ann.status, ben.status, pair.status]).toEqual(['201', '201', '201']);
    const annNow = await t.client.request('GET', `/Users/${idOf(ann.location)}`);
    const benNow = await t.client.request('GET', `/Users/${idOf(ben.location)}`);
    expect(annNow.body[ENTERPRISE_SCHEMA].manager).toMatchObject({ value: idOf(ben.location), displayName: 'cycle.ben' });
    expect(benNow.body[ENTERPRISE_SCHEMA].manager).toMatchObject({ value: idOf(ann.location), displayName: 'cycle.ann' });
    // Each answer's version is the resource's version after the whole cycle ran.
    expect(annNow.headers.get('etag')).toBe(ann.version);
    expect(benNow.headers.get('etag')).toBe(ben.version);
    const group = await t.client.request('GET', `/Groups/${idOf(pair.location)}`);
    expect(group.body.members.map((m: { value: string }) => m.value).sort()).toEqual([idOf(ann.location), idOf(ben.location)].sort());
  });

  it('a POST that references itself is a cycle of one: 409, nothing written', async () => {
    const response = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'me', data: { schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA], userName: 'self.managed', [ENTERPRISE_SCHEMA]: { manager: { value: 'bulkId:me' } } } },
    ]);
    const [me] = operationsOf(response);
    expect(me.status).toBe('409');
    expect(me.response.detail).toContain('bulkId:me -> bulkId:me');
    expect(await countUsers('self.managed')).toBe(0);
  });

  it('what depends on a failed cycle fails with 409 too', async () => {
    const response = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'x', data: { schemas: [GROUP_SCHEMA], displayName: 'Loop X', members: [{ value: 'bulkId:y' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'y', data: { schemas: [GROUP_SCHEMA], displayName: 'Loop Y', members: [{ value: 'bulkId:x' }] } },
      { method: 'PATCH', path: '/Groups/bulkId:x', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Loop X2' }] } },
    ]);
    const operations = operationsOf(response);
    expect(operations.map((o) => o.status)).toEqual(['409', '409', '409']);
    expect(operations[2].response.detail).toContain('bulkId:x');
    expect(operations[2].location).toBeUndefined();
  });
});

describe('bulkId references in any order', () => {
  it('forward reference: a group whose member is a user created later in the list', async () => {
    const response = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'team', data: { schemas: [GROUP_SCHEMA], displayName: 'Forward Team', members: [{ type: 'User', value: 'bulkId:later' }] } },
      { method: 'POST', path: '/Users', bulkId: 'later', data: { schemas: [USER_SCHEMA], userName: 'forward.later' } },
    ]);
    const [team, later] = operationsOf(response);
    // Listed in request order, though the user ran first.
    expect([team.bulkId, team.status, later.bulkId, later.status]).toEqual(['team', '201', 'later', '201']);
    const group = await t.client.request('GET', `/Groups/${idOf(team.location)}`);
    expect(group.body.members).toEqual([expect.objectContaining({ value: idOf(later.location), type: 'User' })]);
  });

  it('backward references in paths and data, with every method: POST, PUT, PATCH, DELETE', async () => {
    const response = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'u1', data: { schemas: [USER_SCHEMA], userName: 'mixed.one' } },
      { method: 'POST', path: '/Users', bulkId: 'u2', data: { schemas: [USER_SCHEMA], userName: 'mixed.two' } },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'Mixed', members: [{ value: 'bulkId:u1' }] } },
      { method: 'put', path: '/Users/bulkId:u1', version: 'W/"1"', data: { schemas: [USER_SCHEMA], userName: 'mixed.one', displayName: 'One' } },
      { method: 'Patch', path: '/Groups/bulkId:g', data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:u2' }] }] } },
      { method: 'PATCH', path: '/Users/bulkId:u2', data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Second' }] } },
      { method: 'delete', path: '/Users/bulkId:u1' },
    ]);
    const operations = operationsOf(response);
    expect(operations.map((o) => [o.method, o.status])).toEqual([
      ['POST', '201'],
      ['POST', '201'],
      ['POST', '201'],
      ['PUT', '200'],
      ['PATCH', '204'],
      ['PATCH', '200'],
      ['DELETE', '204'],
    ]);
    const [u1, u2, g] = operations.map((o) => idOf(o.location));
    expect(operations[3].location).toBe(`${BASE}/Users/${u1}`);
    expect(operations[4]).toMatchObject({ location: `${BASE}/Groups/${g}`, version: 'W/"2"' });
    expect((await t.client.request('GET', `/Users/${u2}`)).body.title).toBe('Second');
    expect((await t.client.request('GET', `/Users/${u1}`)).status).toBe(404);
    // u1 left the group when it was deleted; u2 stays.
    const group = await t.client.request('GET', `/Groups/${g}`);
    expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([u2]);
  });

  it('an unknown bulkId fails that operation with 400 invalidValue; the rest run', async () => {
    const response = await bulk([
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'Unknown Ref', members: [{ value: 'bulkId:nobody' }] } },
      { method: 'DELETE', path: '/Users/bulkId:nobody' },
      { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA], userName: 'unknown.ref.ok' } },
    ]);
    const [group, del, user] = operationsOf(response);
    expect(group).toMatchObject({ status: '400', response: { scimType: 'invalidValue', detail: expect.stringContaining('bulkId:nobody') } });
    expect(del).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
    expect(del.location).toBeUndefined();
    expect(user.status).toBe('201');
    expect(await countGroups('Unknown Ref')).toBe(0);
  });

  it('a reference to a POST that failed fails with 409', async () => {
    await createUser('taken.name');
    const response = await bulk([
      { method: 'POST', path: '/Users', bulkId: 'dup', data: { schemas: [USER_SCHEMA], userName: 'TAKEN.name' } },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'Failed Ref', members: [{ value: 'bulkId:dup' }] } },
    ]);
    const [dup, group] = operationsOf(response);
    expect(dup).toMatchObject({ status: '409', response: { scimType: 'uniqueness' } });
    expect(group).toMatchObject({ status: '409', response: { schemas: [ERROR_SCHEMA], status: '409', detail: expect.stringContaining('bulkId:dup') } });
    expect(await countGroups('Failed Ref')).toBe(0);
  });

  it('bulkIds do not outlive their request', async () => {
    const first = operationsOf(await bulk([{ method: 'POST', path: '/Users', bulkId: 'once', data: { schemas: [USER_SCHEMA], userName: 'once.only' } }]));
    expect(first[0].status).toBe('201');
    const second = operationsOf(await bulk([{ method: 'DELETE', path: '/Users/bulkId:once' }]));
    expect(second[0]).toMatchObject({ status: '400', response: { scimType: 'invalidValue' } });
    expect(await countUsers('once.only')).toBe(1);
  });
});

describe('failOnErrors', () => {
  it('1: stops after the first error; later operations are neither performed nor listed', async () => {
    const response = await bulk(
      [
        { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER_SCHEMA], userName: 'stop.a' } },
        { method: 'DELETE', path: `/Users/${NONEXISTENT}` },
        { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [USER_SCHEMA], userName: 'stop.b' } },
      ],
      { failOnErrors: 1 },
    );
    expect(operationsOf(response).map((o) => o.status)).toEqual(['201', '404']);
    expect(await countUsers('stop.a')).toBe(1);
    expect(await countUsers('stop.b')).toBe(0);
  });

  it('2: goes on after one error and stops at the second', async () => {
    const response = await bulk(
      [
        { method: 'DELETE', path: `/Users/${NONEXISTENT}` },
        { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER_SCHEMA], userName: 'two.a' } },
        { method: 'GET', path: '/Users' },
        { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [USER_SCHEMA], userName: 'two.b' } },
      ],
      { failOnErrors: 2 },
    );
    expect(operationsOf(response).map((o) => o.status)).toEqual(['404', '201', '400']);
    expect(await countUsers('two.b')).toBe(0);
  });

  it('an invalid failOnErrors fails the request with 400 invalidValue', async () => {
    const response = await bulk([{ method: 'DELETE', path: `/Users/${NONEXISTENT}` }], { failOnErrors: -1 });
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidValue']);
  });
});

describe('bad operations fail alone, with a SCIM error body', () => {
  it.each([
    ['an unknown path', { method: 'POST', path: '/Devices', bulkId: 'd', data: { displayName: 'x' } }, 'invalidPath'],
    ['a POST without bulkId', { method: 'POST', path: '/Users', data: { schemas: [USER_SCHEMA], userName: 'no.bulkid' } }, 'invalidSyntax'],
    ['a bad method', { method: 'GET', path: '/Users' }, 'invalidSyntax'],
    ['a POST to a resource path', { method: 'POST', path: `/Users/${NONEXISTENT}`, bulkId: 'p', data: { schemas: [USER_SCHEMA], userName: 'post.to.id' } }, 'invalidPath'],
    ['a PUT without data', { method: 'PUT', path: `/Users/${NONEXISTENT}` }, 'invalidSyntax'],
    ['an operation that is not an object', 42, 'invalidSyntax'],
  ])('%s', async (_name, operation, scimType) => {
    const userName = `alongside.${scimType}.${Math.random().toString(36).slice(2)}`;
    const response = await bulk([operation, { method: 'POST', path: '/Users', bulkId: 'ok', data: { schemas: [USER_SCHEMA], userName } }]);
    const [bad, good] = operationsOf(response);
    expect(bad).toMatchObject({ status: '400', response: { schemas: [ERROR_SCHEMA], status: '400', scimType, detail: expect.any(String) } });
    expect(good.status).toBe('201');
    expect(await countUsers(userName)).toBe(1);
    expect(await countUsers('no.bulkid')).toBe(0);
    expect(await countUsers('post.to.id')).toBe(0);
  });

  it('a failed operation writes nothing: a PATCH whose second operation is refused leaves the user as it was', async () => {
    const id = await createUser('atomic.bulk', { nickName: 'before' });
    const response = await bulk([
      { method: 'PATCH', path: `/Users/${id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: 'after' }, { op: 'replace', path: 'meta', value: {} }] } },
    ]);
    expect(operationsOf(response)[0]).toMatchObject({ status: '400', response: { scimType: 'mutability' } });
    const after = await t.client.request('GET', `/Users/${id}`);
    expect([after.body.nickName, after.body.meta.version]).toEqual(['before', 'W/"1"']);
  });

  it('version is If-Match: a matching one deletes, a stale one is 412', async () => {
    const id = await createUser('versioned.delete');
    const stale = operationsOf(await bulk([{ method: 'DELETE', path: `/Users/${id}`, version: 'W/"9"' }]));
    expect(stale[0]).toMatchObject({ status: '412', response: { status: '412' } });
    const current = operationsOf(await bulk([{ method: 'DELETE', path: `/Users/${id}`, version: 'W/"1"' }]));
    expect(current[0]).toEqual({ method: 'DELETE', location: `${BASE}/Users/${id}`, status: '204' });
  });
});

describe('the request as a whole', () => {
  it('a body that is not a BulkRequest is 400 invalidSyntax', async () => {
    const response = await t.client.request('POST', '/Bulk', { schemas: [PATCH_OP], Operations: [] });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidSyntax' });
  });

  it('needs a token like every SCIM endpoint', async () => {
    const response = await t.app.request('/scim/v2/Bulk', {
      method: 'POST',
      headers: { 'Content-Type': 'application/scim+json' },
      body: JSON.stringify({ schemas: [BULK_REQUEST], Operations: [] }),
    });
    expect(response.status).toBe(401);
  });

  it('§3.7.4: more than maxOperations (1000) is 413, naming the limit, and nothing runs', async () => {
    const operations = Array.from({ length: 1001 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `b${i}`, data: { schemas: [USER_SCHEMA], userName: `too.many.${i}` } }));
    const response = await bulk(operations);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '413' });
    expect(response.body.detail).toContain('maxOperations (1000)');
    expect(await countUsers('too.many.0')).toBe(0);
  });

  it('ServiceProviderConfig advertises bulk with its limits', async () => {
    const { body } = await t.client.request('GET', '/ServiceProviderConfig');
    expect(body.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1_048_576 });
  });

  it('of duplicates among many POSTs (run side by side on PostgreSQL) the later one fails, every time', async () => {
    for (let round = 0; round < 5; round++) {
      const names = ['a', 'b', 'c', 'B', 'd', 'e', 'a', 'f', 'g', 'h'].map((n) => `dup${round}.${n}`);
      const operations = names.map((userName, i) => ({ method: 'POST', path: '/Users', bulkId: `d${i}`, data: { schemas: [USER_SCHEMA], userName } }));
      const results = operationsOf(await bulk(operations));
      expect(results.map((r) => r.status)).toEqual(['201', '201', '201', '409', '201', '201', '409', '201', '201', '201']);
      expect(results[3].response).toMatchObject({ scimType: 'uniqueness' });
    }
  });

  it('1,000 operations, the advertised maximum, all run', async () => {
    const operations = Array.from({ length: 1000 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `m${i}`, data: { schemas: [USER_SCHEMA], userName: `max.${i}` } }));
    const response = await bulk(operations);
    const results = operationsOf(response);
    expect(results).toHaveLength(1000);
    expect(results.every((r, i) => r.status === '201' && r.bulkId === `m${i}`)).toBe(true);
    const rows = await t.store.query<{ n: number }>("select count(*)::int as n from users where tenant_id = $1 and user_name like 'max.%'", [t.client.tenantId]);
    expect(rows[0]!.n).toBe(1000);
  });
});

describe('maxPayloadSize', () => {
  let small: TestContext;
  beforeAll(async () => {
    small = await createTestContext({ maxPayloadSize: 4096 });
  });
  afterAll(() => small.close());

  it('§3.7.4: a larger body is 413, naming maxPayloadSize, and nothing runs', async () => {
    const operations = Array.from({ length: 40 }, (_, i) => ({ method: 'POST', path: '/Users', bulkId: `p${i}`, data: { schemas: [USER_SCHEMA], userName: `payload.${i}` } }));
    const response = await bulk(operations, {}, small.client);
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ schemas: [ERROR_SCHEMA], status: '413' });
    expect(response.body.detail).toContain('maxPayloadSize (4096 bytes)');
    const rows = await small.store.query<{ n: number }>('select count(*)::int as n from users');
    expect(rows[0]!.n).toBe(0);
    const { body } = await small.client.request('GET', '/ServiceProviderConfig');
    expect(body.bulk.maxPayloadSize).toBe(4096);
  });
});

describe('tenant isolation', () => {
  it("bulk cannot read, change, delete or reference another tenant's resources", async () => {
    const other = await t.newTenant('bulk-other');
    const foreignUser = await createUser('foreign.user', { displayName: 'Foreign' }, other);
    const foreignGroup = (await other.request('POST', '/Groups', groupBody('Foreign Group'))).body.id as string;
    const response = await bulk([
      { method: 'PUT', path: `/Users/${foreignUser}`, data: { schemas: [USER_SCHEMA], userName: 'hijacked' } },
      { method: 'PATCH', path: `/Users/${foreignUser}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Hijacked' }] } },
      { method: 'DELETE', path: `/Groups/${foreignGroup}` },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'Reaching Out', members: [{ value: foreignUser }] } },
      { method: 'PATCH', path: `/Groups/${foreignGroup}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: foreignUser }] }] } },
    ]);
    const operations = operationsOf(response);
    expect(operations.map((o) => o.status)).toEqual(['404', '404', '404', '400', '404']);
    expect(operations[3].response.scimType).toBe('invalidValue');
    const user = await other.request('GET', `/Users/${foreignUser}`);
    expect([user.body.userName, user.body.displayName, user.body.meta.version]).toEqual(['foreign.user', 'Foreign', 'W/"1"']);
    expect((await other.request('GET', `/Groups/${foreignGroup}`)).status).toBe(200);
    expect(await countGroups('Reaching Out')).toBe(0);

    // And the other tenant's bulk creates land in its own tenant only.
    const theirs = operationsOf(await bulk([{ method: 'POST', path: '/Users', bulkId: 'x', data: { schemas: [USER_SCHEMA], userName: 'foreign.bulk' } }], {}, other));
    expect(theirs[0].status).toBe('201');
    expect(await countUsers('foreign.bulk')).toBe(0);
    expect((await t.client.request('GET', `/Users/${idOf(theirs[0].location)}`)).status).toBe(404);
  });
});

describe('a Bulk while the server stops', () => {
  const post = (i: number) => ({
    method: 'POST',
    path: '/Users',
    bulkId: `u${i}`,
    data: { schemas: [USER_SCHEMA], userName: `stopping.${i}`, emails: [{ value: `stopping.${i}@example.com`, primary: true }] },
  });
  const expectNotRun = (op: Record<string, unknown>, bulkId: string) =>
    expect(op).toEqual({
      method: 'POST',
      bulkId,
      status: '503',
      response: { schemas: [ERROR_SCHEMA], status: '503', detail: 'The server was stopping, so this operation was not run. Send it again.' },
    });

  it('runs none of its operations once the stop has begun, and answers each 503', async () => {
    const controller = new AbortController();
    controller.abort();
    const s = await createTestContext({ shutdown: controller.signal });
    try {
      const response = await s.client.request('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations: [post(1), post(2)] });
      const operations = operationsOf(response);
      expectNotRun(operations[0], 'u1');
      expectNotRun(operations[1], 'u2');
      expect(await s.store.query('select 1 from users where tenant_id = $1', [s.client.tenantId])).toHaveLength(0);
    } finally {
      await s.close();
    }
  });

  it('stopped mid-way, finishes the operations in flight, lists the rest as 503, and the database holds exactly what it reports done', async () => {
    const controller = new AbortController();
    let created = 0;
    // The stop begins once the third user's change has committed (each new user with an address queues a welcome mail).
    const s = await createTestContext({ shutdown: controller.signal, notifyMail: () => ++created === 3 && controller.abort() });
    try {
      const count = 20;
      const response = await s.client.request('POST', '/Bulk', { schemas: [BULK_REQUEST], Operations: Array.from({ length: count }, (_, i) => post(i)) });
      const operations = operationsOf(response);
      expect(operations).toHaveLength(count);
      const done = operations.filter((op) => op.status === '201');
      // PGlite runs one operation at a time; PostgreSQL a wave of up to 4, which finishes as a whole.
      expect(done.length).toBeGreaterThanOrEqual(3);
      expect(done.length).toBeLessThanOrEqual(4);
      operations.slice(done.length).forEach((op, k) => expectNotRun(op, `u${done.length + k}`));
      const rows = await s.store.query<{ id: string }>('select id from users where tenant_id = $1', [s.client.tenantId]);
      expect(rows.map((r) => r.id).sort()).toEqual(done.map((op) => idOf(op.location)).sort());
    } finally {
      await s.close();
    }
  });
});
