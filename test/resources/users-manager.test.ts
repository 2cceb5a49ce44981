// The Enterprise User manager (RFC 7643 §4.3) through the real app: kept as given when it names no user (yet),
// its displayName and $ref added only while it names a user of the same tenant, resolved when read.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE, ENTERPRISE_SCHEMA, createTestContext, userBody, type TestContext } from '../helpers/app.js';

let t: TestContext;
/** Statements the app has sent to the database. */
let statements = 0;
beforeAll(async () => {
  t = await createTestContext({
    wrapStore: (store) => ({
      ...store,
      query: (text, params) => {
        statements++;
        return store.query(text, params);
      },
      transaction: (fn) => store.transaction(fn),
      close: () => store.close(),
    }),
  });
});
afterAll(() => t.close());

const managed = (userName: string, manager: Record<string, unknown>) =>
  userBody(userName, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User', ENTERPRISE_SCHEMA], [ENTERPRISE_SCHEMA]: { department: 'Sales', manager } });

async function createUser(body: Record<string, unknown>): Promise<Record<string, any>> {
  const response = await t.client.request('POST', '/Users', body);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** A user with a chosen id, as one that arrives after its reports: the API chooses ids itself. */
async function insertUserWithId(id: string, userName: string, displayName: string | null): Promise<void> {
  await t.store.query(
    `insert into users (tenant_id, id, user_name, display_name, attributes, created_at, last_modified)
     values ($1, $2, $3, $4, $5, now(), now())`,
    [t.client.tenantId, id, userName, displayName, { userName, ...(displayName ? { displayName } : {}) }],
  );
}

async function storedManager(id: string): Promise<unknown> {
  const [row] = await t.store.query<{ attributes: Record<string, any> }>('select attributes from users where tenant_id = $1 and id = $2', [t.client.tenantId, id]);
  return row!.attributes[ENTERPRISE_SCHEMA]?.manager;
}

describe('a manager that names no user of the tenant (yet)', () => {
  it('is stored and returned as given, without displayName or $ref, on POST, GET, PUT and PATCH', async () => {
    const unknown = randomUUID().toUpperCase();
    const user = await createUser(managed('report.of.unknown', { value: unknown, $ref: `../Users/${unknown}`, displayName: 'Made up' }));
    expect(user[ENTERPRISE_SCHEMA]).toEqual({ department: 'Sales', manager: { value: unknown } });
    expect(await storedManager(user.id)).toEqual({ value: unknown });
    expect((await t.client.request('GET', `/Users/${user.id}`)).body[ENTERPRISE_SCHEMA].manager).toEqual({ value: unknown });

    const put = await t.client.request('PUT', `/Users/${user.id}`, managed('report.of.unknown', { value: 'entra-object-7' }));
    expect(put.status, JSON.stringify(put.body)).toBe(200);
    expect(put.body[ENTERPRISE_SCHEMA].manager).toEqual({ value: 'entra-object-7' });

    const patch = await t.client.request('PATCH', `/Users/${user.id}`, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'Add', path: `${ENTERPRISE_SCHEMA}:manager`, value: unknown }],
    });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    expect(patch.body[ENTERPRISE_SCHEMA].manager).toEqual({ value: unknown });
  });

  it('resolves by itself once a user with that id appears, and stops resolving when it is deleted', async () => {
    const managerId = randomUUID();
    const report = await createUser(managed('report.before.manager', { value: managerId }));
    expect(report[ENTERPRISE_SCHEMA].manager).toEqual({ value: managerId });

    await insertUserWithId(managerId, 'late.manager', 'Late Manager');
    const now = await t.client.request('GET', `/Users/${report.id}`);
    expect(now.body[ENTERPRISE_SCHEMA].manager).toEqual({ value: managerId, $ref: `${BASE}/Users/${managerId}`, displayName: 'Late Manager' });
    // Nothing was written to the report: the name is read with it.
    expect(now.body.meta.version).toBe(report.meta.version);

    const listed = await t.client.request('GET', `/Users?filter=${encodeURIComponent(`id eq "${report.id}"`)}`);
    expect(listed.body.Resources[0][ENTERPRISE_SCHEMA].manager).toMatchObject({ displayName: 'Late Manager' });

    expect((await t.client.request('DELETE', `/Users/${managerId}`)).status).toBe(204);
    const after = await t.client.request('GET', `/Users/${report.id}`);
    expect(after.body[ENTERPRISE_SCHEMA].manager).toEqual({ value: managerId });
  });

  it('shows the manager\'s name as it is now, not as it was when the report was written', async () => {
    const manager = await createUser(userBody('renamed.manager', { displayName: 'Old Name' }));
    const report = await createUser(managed('report.of.renamed', { value: manager.id }));
    expect(report[ENTERPRISE_SCHEMA].manager).toEqual({ value: manager.id, $ref: `${BASE}/Users/${manager.id}`, displayName: 'Old Name' });
    expect((await t.client.request('PUT', `/Users/${manager.id}`, userBody('renamed.manager', { displayName: 'New Name' }))).status).toBe(200);
    expect((await t.client.request('GET', `/Users/${report.id}`)).body[ENTERPRISE_SCHEMA].manager.displayName).toBe('New Name');
  });

  it('a page of users reads all of its managers in one statement, however many rows it has', async () => {
    for (let i = 0; i < 5; i++) {
      const manager = await createUser(userBody(`page.manager.${i}`, { displayName: `Page Manager ${i}` }));
      await createUser(userBody(`page.report.${i}`, { [ENTERPRISE_SCHEMA]: { department: 'Paged', manager: { value: manager.id } } }));
    }
    const statementsFor = async (count: number) => {
      statements = 0;
      const filter = encodeURIComponent(`${ENTERPRISE_SCHEMA}:department eq "Paged"`);
      const page = await t.client.request('GET', `/Users?filter=${filter}&count=${count}&sortBy=userName`);
      expect(page.status, JSON.stringify(page.body)).toBe(200);
      expect(page.body.Resources.map((r: Record<string, any>) => r[ENTERPRISE_SCHEMA].manager.displayName)).toEqual(
        ['Page Manager 0', 'Page Manager 1', 'Page Manager 2', 'Page Manager 3', 'Page Manager 4'].slice(0, count),
      );
      return statements;
    };
    expect(await statementsFor(5)).toBe(await statementsFor(1));
  });

  it('filters on manager.value find the users that name it, resolved or not', async () => {
    const dangling = randomUUID();
    const a = await createUser(managed('filter.report.a', { value: dangling }));
    const b = await createUser(managed('filter.report.b', { value: dangling }));
    await createUser(managed('filter.report.c', { value: randomUUID() }));
    const filter = encodeURIComponent(`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "${dangling}"`);
    const found = await t.client.request('GET', `/Users?filter=${filter}&sortBy=userName`);
    expect(found.status, JSON.stringify(found.body)).toBe(200);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([a.id, b.id]);
    expect(found.body.totalResults).toBe(2);
    const present = await t.client.request('GET', `/Users?filter=${encodeURIComponent('manager pr and userName sw "filter.report."')}`);
    expect(present.body.totalResults).toBe(3);
  });

  it('records a change of manager in history by the value when it names no user', async () => {
    const report = await createUser(managed('history.report', { value: 'not-yet-1' }));
    await t.client.request('PUT', `/Users/${report.id}`, managed('history.report', { value: 'not-yet-2' }));
    const history = await t.client.request('GET', `/Users/${report.id}/History?filter=${encodeURIComponent('attribute eq "manager"')}`);
    expect(history.status, JSON.stringify(history.body)).toBe(200);
    expect(history.body.Resources.map((e: Record<string, unknown>) => [e.oldValue, e.newValue])).toEqual([['not-yet-1', 'not-yet-2']]);
  });

  it('answers 400 invalidValue for a manager without a value, and for a user made its own manager', async () => {
    const noValue = await t.client.request('POST', '/Users', managed('manager.without.value', { $ref: '../Users/someone' }));
    expect(noValue.status).toBe(400);
    expect(noValue.body.scimType).toBe('invalidValue');
    const self = await createUser(userBody('own.manager'));
    const put = await t.client.request('PUT', `/Users/${self.id}`, managed('own.manager', { value: self.id.toUpperCase() }));
    expect(put.status).toBe(400);
    expect(put.body.scimType).toBe('invalidValue');
    expect(put.body.detail).toContain('own manager');
  });
});
