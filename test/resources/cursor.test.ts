// Cursor paging (RFC 9865) through the app: complete walks in both directions, and refusal of forged, foreign or expired cursors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, userBody, type TestContext } from '../helpers/app.js';

let t: TestContext;
let now = Date.now();
const ids: string[] = [];

beforeAll(async () => {
  t = await createTestContext({ clock: () => new Date(now), cursorTtlSeconds: 600 });
  for (let i = 0; i < 23; i++) {
    // Several users share a family name, and two have none, so the order needs the id to be total.
    const familyName = i % 5 === 0 ? undefined : `Family${i % 4}`;
    const response = await t.client.request('POST', '/Users', userBody(`cursor.${String(i).padStart(2, '0')}@example.com`, familyName ? { name: { familyName } } : {}));
    ids.push(response.body.id);
    now += 1000;
  }
});
afterAll(() => t.close());

async function walk(query: string, direction: 'next' | 'previous', start = ''): Promise<{ pages: string[][]; last: { nextCursor?: string; previousCursor?: string } }> {
  const pages: string[][] = [];
  let cursor: string | undefined = start;
  let body: { nextCursor?: string; previousCursor?: string; Resources: { id: string }[] } = { Resources: [] };
  while (cursor !== undefined) {
    const response = await t.client.request('GET', `/Users?${query}&cursor=${encodeURIComponent(cursor)}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    body = response.body;
    pages.push(body.Resources.map((r) => r.id));
    cursor = direction === 'next' ? body.nextCursor : body.previousCursor;
    expect(pages.length).toBeLessThan(50);
  }
  return { pages, last: body };
}

describe('cursor paging (RFC 9865)', () => {
  it('walks every user exactly once, in creation order, and says the total on the first page', async () => {
    const first = await t.client.request('GET', '/Users?count=7&cursor=');
    expect(first.body.totalResults).toBe(23);
    expect(first.body.startIndex).toBeUndefined();
    expect(first.body.previousCursor).toBeUndefined();
    const { pages, last } = await walk('count=7', 'next');
    expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 2]);
    expect(pages.flat()).toEqual(ids);
    expect(last.nextCursor).toBeUndefined();
  });

  it('walks back with previousCursor to the first page', async () => {
    const { last } = await walk('count=7', 'next');
    const back = await walk('count=7', 'previous', last.previousCursor);
    // Pages come newest first when walking back; within each page, the order is the forward one.
    expect([...back.pages].reverse().flat()).toEqual(ids.slice(0, 21));
    expect(back.last.previousCursor).toBeUndefined();
  });

  it('follows a sort with ties and unassigned values, both directions, the same as index paging', async () => {
    for (const order of ['ascending', 'descending']) {
      const query = `count=5&sortBy=name.familyName&sortOrder=${order}`;
      const all = await t.client.request('GET', `/Users?sortBy=name.familyName&sortOrder=${order}&count=100`);
      const expected = all.body.Resources.map((r: { id: string }) => r.id);
      const forward = await walk(query, 'next');
      expect(forward.pages.flat()).toEqual(expected);
      const backward = await walk(query, 'previous', forward.last.previousCursor);
      expect([...backward.pages].reverse().flat()).toEqual(expected.slice(0, expected.length - forward.pages.at(-1)!.length));
    }
  });

  it('sorts by last login with those who never signed in last when newest first, and first when oldest first, walking both ways', async () => {
    // Five users signed in, a minute apart; the other eighteen never did.
    const signedIn = ids.slice(3, 8);
    for (const [i, id] of signedIn.entries()) {
      await t.store.query(`update users set last_login = $3 where tenant_id = $1 and id = $2`, [t.client.tenantId, id, new Date(Date.UTC(2026, 0, 1, 0, i))]);
    }
    const lastLogin = 'urn:usher:params:scim:schemas:extension:account:2.0:User:lastLogin';
    const all = async (order: string) =>
      (await t.client.request('GET', `/Users?sortBy=${lastLogin}&sortOrder=${order}&count=100`)).body.Resources.map((r: { id: string }) => r.id) as string[];
    const newest = await all('descending');
    expect(newest.slice(0, 5)).toEqual([...signedIn].reverse());
    const oldest = await all('ascending');
    expect(oldest.slice(-5)).toEqual(signedIn);
    for (const [order, expected] of [['descending', newest], ['ascending', oldest]] as const) {
      const query = `count=4&sortBy=${encodeURIComponent(lastLogin)}&sortOrder=${order}`;
      const forward = await walk(query, 'next');
      expect(forward.pages.flat()).toEqual(expected);
      const backward = await walk(query, 'previous', forward.last.previousCursor);
      expect([...backward.pages].reverse().flat()).toEqual(expected.slice(0, expected.length - forward.pages.at(-1)!.length));
    }
    const filtered = await t.client.request('GET', `/Users?filter=${encodeURIComponent(`${lastLogin} pr`)}&count=100`);
    expect(filtered.body.totalResults).toBe(5);
  });

  it('filters while it pages', async () => {
    const { pages } = await walk(`count=2&filter=${encodeURIComponent('name.familyName eq "family1"')}`, 'next');
    expect(pages.flat()).toHaveLength(ids.filter((_, i) => i % 5 !== 0 && i % 4 === 1).length);
  });

  it.each([
    ['a forged cursor', (c: string) => `${c.slice(0, -2)}${c.endsWith('A') ? 'BB' : 'AA'}`],
    ['garbage', () => 'not-a-cursor'],
    ['SQL in a cursor', () => "' or 1=1 --"],
    ['a very long cursor', () => 'x'.repeat(100_000)],
  ])('refuses %s with 400 invalidCursor', async (_name, mangle) => {
    const first = await t.client.request('GET', '/Users?count=3&cursor=');
    const response = await t.client.request('GET', `/Users?count=3&cursor=${encodeURIComponent(mangle(first.body.nextCursor))}`);
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidCursor']);
  });

  it('refuses a cursor used with another filter or by another tenant', async () => {
    const first = await t.client.request('GET', '/Users?count=3&cursor=');
    const otherQuery = await t.client.request('GET', `/Users?count=3&sortBy=userName&cursor=${first.body.nextCursor}`);
    expect(otherQuery.body.scimType).toBe('invalidCursor');
    const other = await t.newTenant('cursor-other');
    const foreign = await other.request('GET', `/Users?count=3&cursor=${first.body.nextCursor}`);
    expect([foreign.status, foreign.body.scimType]).toEqual([400, 'invalidCursor']);
  });

  it('refuses an expired cursor with 400 expiredCursor', async () => {
    const first = await t.client.request('GET', '/Users?count=3&cursor=');
    now += 601_000;
    const response = await t.client.request('GET', `/Users?count=3&cursor=${first.body.nextCursor}`);
    expect([response.status, response.body.scimType]).toEqual([400, 'expiredCursor']);
  });

  it('refuses cursor with startIndex, and count 0 with a cursor', async () => {
    expect((await t.client.request('GET', '/Users?cursor=&startIndex=2')).body.scimType).toBe('invalidValue');
    expect((await t.client.request('GET', '/Users?cursor=&count=0')).body.scimType).toBe('invalidCount');
  });

  it('advertises cursor paging in ServiceProviderConfig', async () => {
    const config = await t.client.request('GET', '/ServiceProviderConfig');
    expect(config.body.pagination).toMatchObject({ cursor: true, index: true, cursorTimeout: 600, maxPageSize: 100 });
  });
});
