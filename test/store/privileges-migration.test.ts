// sql/0006_privileges.sql on a database as 0005 left it: each tenant's Administrator persona gains every default
// permission (keeping its own), nothing else changes, and API tokens gain scopes and an expiry.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALL_PERMISSIONS } from '../../src/auth/permissions.js';
import { migrate } from '../../src/store/index.js';
import { createTenancyService, insertDefaultPersonas } from '../../src/tenancy/service.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

const PERSONA = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';
let db: TestDatabase;

interface GroupRow {
  [key: string]: unknown;
  display_name: string;
  attributes: Record<string, Record<string, unknown>>;
  version: string | number;
}

const groupsOf = async (tenantId: string) =>
  db.store.query<GroupRow>('select display_name, attributes, version from groups where tenant_id = $1 order by display_name', [tenantId]);

beforeAll(async () => {
  db = await createTestDatabase({ migrateBefore: 6 });
});
afterAll(() => db.close());

it('gives existing Administrator personas every default permission, and tokens scopes and an expiry', async () => {
  const tenancy = createTenancyService({ store: db.store, clock: () => new Date(), newId: randomUUID });
  // Tenants as 0005 knows them: the tenancy service of today reads columns later migrations add.
  const createOldTenant = async (slug: string) => {
    const id = randomUUID();
    await db.store.query('insert into tenants (id, slug, name, created_at) values ($1, $2, $2, now())', [id, slug]);
    await insertDefaultPersonas(db.store, id, randomUUID, new Date());
    return { tenant: { id } };
  };
  const { tenant } = await createOldTenant('old');
  // As tenants made before 0006 have it, with a permission of the tenant's own.
  await db.store.query(
    `update groups set attributes = jsonb_set(attributes, '{${PERSONA},permissions}', '["users:read", "users:write", "zz:custom"]')
      where tenant_id = $1 and display_name = 'Administrator'`,
    [tenant.id],
  );
  const { tenant: plain } = await createOldTenant('plain');
  await db.store.query(`update groups set attributes = attributes - '${PERSONA}' where tenant_id = $1 and display_name = 'Administrator'`, [plain.id]);
  const before = await groupsOf(tenant.id);
  const plainBefore = await groupsOf(plain.id);

  expect((await migrate(db.store))[0]).toBe('0006_privileges.sql');

  const after = await groupsOf(tenant.id);
  const admin = after.find((g) => g.display_name === 'Administrator')!;
  expect(admin.attributes[PERSONA]!.permissions).toEqual([...ALL_PERMISSIONS, 'zz:custom'].sort());
  // Changed twice: here, and by 0018, which adds events:manage to the personas that hold every other permission.
  expect(Number(admin.version)).toBe(Number(before.find((g) => g.display_name === 'Administrator')!.version) + 2);
  // The other personas, and a group named Administrator that is no persona, are as they were.
  expect(after.filter((g) => g.display_name !== 'Administrator')).toEqual(before.filter((g) => g.display_name !== 'Administrator'));
  expect(await groupsOf(plain.id)).toEqual(plainBefore);

  const { info } = await tenancy.createToken('old', 'scoped', { scopes: ['users:read'], expiresAt: new Date(Date.now() + 60_000) });
  expect(info.scopes).toEqual(['users:read']);
  expect(info.expiresAt).toEqual(expect.any(String));
});
