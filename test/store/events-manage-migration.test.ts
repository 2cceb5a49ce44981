// sql/0018_events_manage.sql on a database as 0017 left it: every persona that made its members administrators
// (it carried every permission known before events:manage) gains events:manage, so that adding it to ALL_PERMISSIONS
// demotes no one; personas that carried less gain nothing, whatever their name.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALL_PERMISSIONS, EVENTS_MANAGE } from '../../src/auth/permissions.js';
import { countAdministrators, selectPermissions } from '../../src/auth/queries.js';
import { migrate } from '../../src/store/index.js';
import { insertDefaultPersonas } from '../../src/tenancy/service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
const BEFORE = ALL_PERMISSIONS.filter((p) => p !== EVENTS_MANAGE);
let db: TestDatabase;

interface GroupRow {
  [key: string]: unknown;
  id: string;
  display_name: string;
  attributes: Record<string, Record<string, unknown>>;
  version: string | number;
}

const groupsOf = async (tenantId: string) =>
  db.store.query<GroupRow>('select id, display_name, attributes, version from groups where tenant_id = $1 order by display_name', [tenantId]);
const setPermissions = (tenantId: string, name: string, permissions: string[]) =>
  db.store.query(`update groups set attributes = jsonb_set(attributes, '{${PERSONA},permissions}', $3::jsonb) where tenant_id = $1 and display_name = $2`, [
    tenantId,
    name,
    JSON.stringify(permissions),
  ]);

beforeAll(async () => {
  db = await createTestDatabase({ migrateBefore: 18 });
});
afterAll(() => db.close());

it('gives events:manage to the personas that made administrators, and to no other', async () => {
  expect(ALL_PERMISSIONS).toContain(EVENTS_MANAGE);
  const tenantId = randomUUID();
  const now = new Date();
  await db.store.query("insert into tenants (id, slug, name, created_at) values ($1, 'old', 'Old', now())", [tenantId]);
  await insertDefaultPersonas(db.store, tenantId, randomUUID, now);
  // As 0017 left it: the Administrator holds every permission but events:manage (the seed of today has it), and a
  // permission of the tenant's own; a persona of the tenant's own also holds them all; a group named like an
  // administrator holds less.
  await setPermissions(tenantId, 'Administrator', [...BEFORE, 'zz:custom']);
  for (const [name, permissions] of [
    ['Superusers', BEFORE],
    ['Administrators (read only)', BEFORE.filter((p) => p !== 'users:write')],
  ] as const) {
    await db.store.query(
      `insert into groups (tenant_id, id, display_name, attributes, created_at, last_modified) values ($1, $2, $3, $4, now(), now())`,
      [tenantId, randomUUID(), name, { [PERSONA]: { permissions } }],
    );
  }
  // A user who is an administrator through the Administrator persona, one through Superusers, and one who is none.
  const users: Record<string, string> = {};
  for (const [name, group] of [
    ['ada', 'Administrator'],
    ['bob', 'Superusers'],
    ['cy', 'Administrators (read only)'],
  ] as const) {
    users[name] = randomUUID();
    await db.store.query(
      `insert into users (tenant_id, id, user_name, active, attributes, created_at, last_modified) values ($1, $2, $3, true, '{}', now(), now())`,
      [tenantId, users[name], name],
    );
    await db.store.query(
      `insert into group_members (tenant_id, group_id, user_id) select $1, id, $2 from groups where tenant_id = $1 and display_name = $3`,
      [tenantId, users[name], group],
    );
  }
  // Before 0018 and with today's ALL_PERMISSIONS, nobody would count as an administrator.
  expect(await countAdministrators(db.store, tenantId, ALL_PERMISSIONS)).toBe(0);
  expect(await countAdministrators(db.store, tenantId, BEFORE)).toBe(2);
  const before = await groupsOf(tenantId);

  expect((await migrate(db.store))[0]).toBe('0018_events_manage.sql');

  const after = await groupsOf(tenantId);
  const byName = (rows: GroupRow[], name: string) => rows.find((g) => g.display_name === name)!;
  expect(byName(after, 'Administrator').attributes[PERSONA]!.permissions).toEqual([...ALL_PERMISSIONS, 'zz:custom'].sort());
  expect(byName(after, 'Superusers').attributes[PERSONA]!.permissions).toEqual(ALL_PERMISSIONS);
  for (const name of ['Administrator', 'Superusers']) {
    expect(Number(byName(after, name).version), name).toBe(Number(byName(before, name).version) + 1);
  }
  const untouched = (rows: GroupRow[]) => rows.filter((g) => !['Administrator', 'Superusers'].includes(g.display_name));
  expect(untouched(after)).toEqual(untouched(before));

  // The same two are administrators as before, under today's definition; the third is not.
  expect(await countAdministrators(db.store, tenantId, ALL_PERMISSIONS)).toBe(2);
  expect(await selectPermissions(db.store, tenantId, users.ada!)).toContain(EVENTS_MANAGE);
  expect(await selectPermissions(db.store, tenantId, users.cy!)).not.toContain(EVENTS_MANAGE);
  expect(await countAdministrators(db.store, tenantId, ALL_PERMISSIONS, [users.ada!, users.bob!])).toBe(0);
});
