// The seed writes what the API would have written: PUTting a seeded User back unchanged leaves its row and its user_values as they were.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { historyHolds, seedTenant } from '../../src/bench/seeder.js';
import { createTestContext, type TestContext } from '../helpers/app.js';

const USERS = 40;
const GROUPS = 5;
const BIG_GROUP = 12;
const HISTORY = 300;

let ctx: TestContext;
/** Groups a new tenant has before the seed (the portal's personas). */
let groupsBefore: number;

beforeAll(async () => {
  ctx = await createTestContext({ maxResults: 100 });
  groupsBefore = (await ctx.client.request('GET', '/Groups?count=0')).body.totalResults;
  await seedTenant(
    ctx.store,
    ctx.tenancy,
    { tenant: 'acme', users: USERS, groups: GROUPS, bigGroup: BIG_GROUP, batchSize: 15, jobs: 2, replace: false, clock: () => new Date(), history: HISTORY },
    () => {},
  );
});

afterAll(async () => {
  await ctx?.close();
});

interface Snapshot {
  user: Record<string, unknown>;
  values: Record<string, unknown>[];
}

async function snapshot(id: string): Promise<Snapshot> {
  const [user] = await ctx.store.query(
    'select user_name, external_id, display_name, active, password_hash, attributes from users where tenant_id = $1 and id = $2',
    [ctx.client.tenantId, id],
  );
  const values = await ctx.store.query(
    'select attribute, position, value, type, is_primary from user_values where tenant_id = $1 and user_id = $2 order by attribute, position',
    [ctx.client.tenantId, id],
  );
  return { user: user!, values };
}

describe('seed', () => {
  it('fills the tenant with the users, groups and memberships asked for', async () => {
    const list = await ctx.client.request('GET', '/Users?count=0');
    expect(list.body.totalResults).toBe(USERS);
    const groups = await ctx.client.request('GET', '/Groups?count=0');
    expect(groups.body.totalResults).toBe(groupsBefore + GROUPS);
    const allStaff = await ctx.client.request('GET', `/Groups?filter=${encodeURIComponent('displayName eq "All Staff"')}`);
    expect(allStaff.body.Resources[0].members).toHaveLength(BIG_GROUP);
  });

  it('writes History entries about the seeded users, in time order, that the API reads and searches', async () => {
    const page = await ctx.client.request('GET', '/History?count=100');
    expect(page.status).toBe(200);
    expect(page.body.totalResults).toBe(HISTORY);
    const entries = page.body.Resources as { resourceId: string; userName: string; event: string; created: string; actor: { type: string } }[];
    const users = new Map(((await ctx.client.request('GET', '/Users?count=100&attributes=userName')).body.Resources as { id: string; userName: string }[]).map((u) => [u.id, u.userName]));
    for (const entry of entries) expect(entry.userName, JSON.stringify(entry)).toBe(users.get(entry.resourceId));
    const created = entries.map((e) => e.created);
    expect(created).toEqual([...created].sort().reverse());
    expect(new Set(entries.map((e) => e.event))).toContain('attributeChanged');
    expect(new Set(entries.map((e) => e.actor.type))).toEqual(new Set(['token', 'user', 'system']));
    // The search box finds an entry by its user's name.
    const name = entries[0]!.userName;
    const found = await ctx.client.request('GET', `/History?search=${encodeURIComponent(name)}&count=100`);
    expect(found.body.Resources.length).toBeGreaterThan(0);
    for (const entry of found.body.Resources as { userName: string; oldValue?: string; newValue?: string }[]) {
      expect(JSON.stringify(entry).toLowerCase()).toContain(name.toLowerCase());
    }
  });

  it('writes Users that a PUT of their own representation leaves unchanged', async () => {
    const list = await ctx.client.request('GET', '/Users?count=100');
    expect(list.status).toBe(200);
    const users = list.body.Resources as Record<string, unknown>[];
    const withManager = users.filter((u) => (u['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'] as { manager?: unknown }).manager);
    expect(withManager.length).toBeGreaterThan(0);
    for (const user of users) {
      const id = user.id as string;
      const before = await snapshot(id);
      expect(before.values.length).toBeGreaterThanOrEqual(3);
      const put = await ctx.client.request('PUT', `/Users/${id}`, user);
      expect(put.status, JSON.stringify(put.body)).toBe(200);
      expect(await snapshot(id)).toEqual(before);
    }
  });

  it('finds seeded users by the filters clients send', async () => {
    const [row] = await ctx.store.query<{ id: string; user_name: string; external_id: string; home: string }>(
      `select u.id, u.user_name, u.external_id, v.value as home from users u
         join user_values v on v.tenant_id = u.tenant_id and v.user_id = u.id and v.attribute = 'emails' and v.type = 'home'
        where u.tenant_id = $1 order by u.created_at limit 1 offset 7`,
      [ctx.client.tenantId],
    );
    for (const filter of [
      `userName eq "${row!.user_name.toUpperCase()}"`,
      `externalId eq "${row!.external_id}"`,
      `emails[type eq "work"].value eq "${row!.user_name}"`,
      `emails[type eq "home" and value eq "${row!.home}"]`,
    ]) {
      const found = await ctx.client.request('GET', `/Users?filter=${encodeURIComponent(filter)}`);
      expect(found.body.Resources.map((u: { id: string }) => u.id), filter).toEqual([row!.id]);
    }
  });

  it('refuses a tenant that has users already, unless asked to replace them', async () => {
    const options = { tenant: 'acme', users: 3, groups: 1, bigGroup: 1, batchSize: 10, jobs: 1, replace: false, clock: () => new Date() };
    await expect(seedTenant(ctx.store, ctx.tenancy, options, () => {})).rejects.toThrow(/already has 40 users and 5 seeded groups/);
    const other = `seed-${randomUUID().slice(0, 8)}`;
    await seedTenant(ctx.store, ctx.tenancy, { ...options, tenant: other }, () => {});
    await seedTenant(ctx.store, ctx.tenancy, { ...options, tenant: other, users: 2, replace: true }, () => {});
    const { tenant } = await ctx.tenancy.createTenant(other);
    const [count] = await ctx.store.query<{ users: number; groups: number }>(
      'select (select count(*)::int from users where tenant_id = $1) as users, (select count(*)::int from groups where tenant_id = $1) as groups',
      [tenant.id],
    );
    // The replaced seed's group is gone and the new one's is there; the tenant's own groups are kept.
    expect(count).toEqual({ users: 2, groups: groupsBefore + 1 });
  });
});

describe("the bench's History scale", () => {
  it('keeps a History the writing cases have added to, and reseeds one of another size', () => {
    expect(historyHolds(10_000_000, 10_000_000)).toBe(true);
    // groupPatch, streamWriteCost and Bulk add a few thousand entries a run.
    expect(historyHolds(10_003_120, 10_000_000)).toBe(true);
    expect(historyHolds(9_999_999, 10_000_000)).toBe(false);
    expect(historyHolds(10_200_000, 10_000_000)).toBe(false);
    expect(historyHolds(0, 100_000)).toBe(false);
  });
});
