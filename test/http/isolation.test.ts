// Tenants are kept apart (RFC 7644 §6, multi-tenancy): another tenant's resources answer exactly like ids that do not exist.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENTERPRISE_SCHEMA,
  createTestContext,
  groupBody,
  userBody,
  type Client,
  type ScimResponse,
  type TestContext,
} from '../helpers/app.js';

let t: TestContext;
let acme: Client;
let globex: Client;
let acmeUser: Record<string, any>;
let acmeGroup: Record<string, any>;

const NONEXISTENT = '00000000-0000-4000-8000-000000000000';
const q = encodeURIComponent;

beforeAll(async () => {
  t = await createTestContext();
  acme = t.client;
  globex = await t.newTenant('globex', { withoutPersonas: true });
  const user = await acme.request('POST', '/Users', userBody('shared.name@example.com', { externalId: 'acme-ext', emails: [{ value: 'acme@example.com', type: 'work' }] }));
  expect(user.status).toBe(201);
  acmeUser = user.body;
  const group = await acme.request('POST', '/Groups', groupBody('Acme Staff', { members: [{ value: acmeUser.id }] }));
  expect(group.status).toBe(201);
  acmeGroup = group.body;
});
afterAll(() => t.close());

/** Two answers are the same but for the id named in the detail. */
function expectSameAnswer(actual: ScimResponse, expected: ScimResponse, id: string): void {
  expect(actual.status).toBe(expected.status);
  expect(actual.headers.get('content-type')).toBe(expected.headers.get('content-type'));
  expect(actual.headers.get('etag')).toBe(expected.headers.get('etag'));
  expect(JSON.stringify(actual.body).replaceAll(id, NONEXISTENT)).toBe(JSON.stringify(expected.body));
}

async function acmeState(): Promise<unknown[]> {
  return t.store.query(
    `select u.id, u.user_name, u.version, (select count(*)::int from group_members m where m.user_id = u.id) as groups
       from users u where u.tenant_id = $1 order by u.id`,
    [acme.tenantId],
  );
}

describe('another tenant\'s resources', () => {
  it.each([
    ['User', () => `/Users/${acmeUser.id}`, () => acmeUser.id],
    ['Group', () => `/Groups/${acmeGroup.id}`, () => acmeGroup.id],
  ])('%s: GET, PUT and DELETE answer exactly as for an id that does not exist', async (kind, path, id) => {
    const before = await acmeState();
    const missingPath = path().replace(id(), NONEXISTENT);
    const body = kind === 'User' ? userBody('taken-over') : groupBody('Taken Over');
    expectSameAnswer(await globex.request('GET', path()), await globex.request('GET', missingPath), id());
    expectSameAnswer(await globex.request('PUT', path(), body), await globex.request('PUT', missingPath, body), id());
    expectSameAnswer(await globex.request('DELETE', path()), await globex.request('DELETE', missingPath), id());
    expectSameAnswer(
      await globex.request('GET', path(), undefined, { 'If-None-Match': '*' }),
      await globex.request('GET', missingPath, undefined, { 'If-None-Match': '*' }),
      id(),
    );
    expect((await globex.request('GET', path())).status).toBe(404);
    // Nothing of acme's changed, and acme still sees its resource.
    expect(await acmeState()).toEqual(before);
    const own = await acme.request('GET', path());
    expect(own.status).toBe(200);
    expect(own.headers.get('etag')).toBe('W/"1"');
  });

  it('lists and filters only the caller\'s own resources', async () => {
    const users = await globex.request('GET', '/Users');
    expect(users.body).toMatchObject({ totalResults: 0, Resources: [] });
    const groups = await globex.request('GET', '/Groups');
    expect(groups.body).toMatchObject({ totalResults: 0, Resources: [] });
    for (const filter of [
      `id eq "${acmeUser.id}"`,
      'userName eq "shared.name@example.com"',
      'externalId eq "acme-ext"',
      'emails[type eq "work"].value eq "acme@example.com"',
      'userName pr',
    ]) {
      const response = await globex.request('GET', `/Users?filter=${q(filter)}`);
      expect(response.status, filter).toBe(200);
      expect(response.body.totalResults, filter).toBe(0);
      const search = await globex.request('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter });
      expect(search.body.totalResults, filter).toBe(0);
    }
    for (const filter of ['displayName eq "Acme Staff"', `members.value eq "${acmeUser.id}"`, `id eq "${acmeGroup.id}"`]) {
      const response = await globex.request('GET', `/Groups?filter=${q(filter)}`);
      expect(response.body.totalResults, filter).toBe(0);
    }
    // The same filters find acme's resources for acme: the zeros above are isolation, not broken filters.
    expect((await acme.request('GET', `/Users?filter=${q('externalId eq "acme-ext"')}`)).body.totalResults).toBe(1);
    expect((await acme.request('GET', `/Groups?filter=${q(`members.value eq "${acmeUser.id}"`)}`)).body.totalResults).toBe(1);
  });

  it('cannot add another tenant\'s user or group as a member, on POST or PUT', async () => {
    const foreignUser = await globex.request('POST', '/Groups', groupBody('Globex Raid', { members: [{ value: acmeUser.id }] }));
    expect(foreignUser.status).toBe(400);
    expect(foreignUser.body.scimType).toBe('invalidValue');
    const foreignGroup = await globex.request('POST', '/Groups', groupBody('Globex Raid', { members: [{ value: acmeGroup.id, type: 'Group' }] }));
    expect(foreignGroup.status).toBe(400);
    expect(foreignGroup.body.scimType).toBe('invalidValue');
    expect(await t.store.query(`select 1 from groups where display_name = 'Globex Raid'`)).toHaveLength(0);

    const own = await globex.request('POST', '/Groups', groupBody('Globex Own'));
    expect(own.status).toBe(201);
    const put = await globex.request('PUT', `/Groups/${own.body.id}`, groupBody('Globex Own', { members: [{ value: acmeUser.id }] }));
    expect(put.status).toBe(400);
    expect(put.body.scimType).toBe('invalidValue');
    expect(await t.store.query('select 1 from group_members where group_id = $1', [own.body.id])).toHaveLength(0);
  });

  it('never resolves a manager in another tenant: kept as an unknown id, without its name or link', async () => {
    const response = await globex.request('POST', '/Users', userBody('managed-by-acme', { [ENTERPRISE_SCHEMA]: { manager: { value: acmeUser.id } } }));
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body[ENTERPRISE_SCHEMA]).toEqual({ manager: { value: acmeUser.id } });
    const fetched = await globex.request('GET', `/Users/${response.body.id}`);
    expect(fetched.body[ENTERPRISE_SCHEMA]).toEqual({ manager: { value: acmeUser.id } });
    expect(JSON.stringify(fetched.body)).not.toContain(acmeUser.userName);
    const [row] = await t.store.query<{ attributes: Record<string, any> }>('select attributes from users where id = $1', [response.body.id]);
    expect(row!.attributes[ENTERPRISE_SCHEMA]).toEqual({ manager: { value: acmeUser.id } });
  });

  it('keeps userName and displayName unique per tenant only', async () => {
    const user = await globex.request('POST', '/Users', userBody('SHARED.NAME@example.com'));
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const group = await globex.request('POST', '/Groups', groupBody('acme staff'));
    expect(group.status, JSON.stringify(group.body)).toBe(201);
    const rows = await t.store.query<{ tenant_id: string }>(`select tenant_id from users where lower(user_name) = 'shared.name@example.com' order by tenant_id`);
    expect(rows.map((r) => r.tenant_id)).toEqual([acme.tenantId, globex.tenantId].sort());
    // Each tenant's filter finds only its own.
    const acmeFound = await acme.request('GET', `/Users?filter=${q('userName eq "shared.name@example.com"')}`);
    expect(acmeFound.body.Resources.map((r: { id: string }) => r.id)).toEqual([acmeUser.id]);
    const globexFound = await globex.request('GET', `/Users?filter=${q('userName eq "shared.name@example.com"')}`);
    expect(globexFound.body.Resources.map((r: { id: string }) => r.id)).toEqual([user.body.id]);
  });
});
