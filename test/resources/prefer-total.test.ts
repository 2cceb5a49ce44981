// A list answered without its total when the client prefers so (RFC 7240 `Prefer: totalResults=omit`), for index
// and cursor paging, on every list endpoint; without the preference, or with one the server does not know, the
// answer is RFC 7644's, totalResults included.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, userBody, type TestContext } from '../helpers/app.js';

let t: TestContext;
const OMIT = { Prefer: 'totalResults=omit' };

beforeAll(async () => {
  t = await createTestContext();
  for (let i = 0; i < 7; i++) {
    const response = await t.client.request('POST', '/Users', userBody(`prefer.${i}@example.com`, { name: { givenName: 'Pref', familyName: `Family${i}` } }));
    expect(response.status, JSON.stringify(response.body)).toBe(201);
  }
});
afterAll(() => t.close());

describe('Prefer: totalResults=omit', () => {
  it('index paging: the same page, without totalResults, and the preference said applied', async () => {
    const path = `/Users?${new URLSearchParams({ filter: 'name.givenName co "ref"', sortBy: 'name.familyName', startIndex: '3', count: '2' })}`;
    const whole = await t.client.request('GET', path);
    const bare = await t.client.request('GET', path, undefined, OMIT);
    expect(whole.body.totalResults).toBe(7);
    expect(whole.headers.get('preference-applied')).toBeNull();
    expect(bare.status).toBe(200);
    expect(bare.headers.get('preference-applied')).toBe('totalResults=omit');
    expect(bare.headers.get('vary')).toMatch(/\bPrefer\b/);
    expect(bare.body).toEqual({ ...whole.body, totalResults: undefined });
    expect(Object.keys(bare.body)).not.toContain('totalResults');
    expect(bare.body.startIndex).toBe(3);
    expect(bare.body.itemsPerPage).toBe(2);
  });

  it('cursor paging: the first page without totalResults, its cursors as without the preference', async () => {
    const path = `/Users?${new URLSearchParams({ sortBy: 'userName', count: '3', cursor: '' })}`;
    const whole = await t.client.request('GET', path);
    const bare = await t.client.request('GET', path, undefined, OMIT);
    expect(whole.body.totalResults).toBe(7);
    expect(bare.body.totalResults).toBeUndefined();
    expect(bare.body.Resources).toEqual(whole.body.Resources);
    const next = await t.client.request('GET', `/Users?${new URLSearchParams({ sortBy: 'userName', count: '3', cursor: bare.body.nextCursor })}`, undefined, OMIT);
    expect(next.status, JSON.stringify(next.body)).toBe(200);
    expect(next.body.Resources).toHaveLength(3);
  });

  it('POST /Users/.search, /Groups and /History honour it too', async () => {
    const search = await t.client.request('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], count: 1 }, OMIT);
    expect(search.status).toBe(200);
    expect(search.body.totalResults).toBeUndefined();
    expect(search.body.Resources).toHaveLength(1);
    for (const path of ['/Groups?count=1', '/History?count=1&search=prefer', '/History?count=1&cursor=']) {
      const bare = await t.client.request('GET', path, undefined, OMIT);
      expect(bare.status, path).toBe(200);
      expect(bare.headers.get('preference-applied'), path).toBe('totalResults=omit');
      expect(bare.body.totalResults, path).toBeUndefined();
      expect(bare.body.Resources, path).toHaveLength(1);
      expect((await t.client.request('GET', path)).body.totalResults, path).toBeGreaterThan(1);
    }
  });

  it('count=0 still answers the total alone, the way to ask for it afterwards', async () => {
    const total = await t.client.request('GET', `/Users?${new URLSearchParams({ filter: 'userName sw "prefer."', count: '0' })}`);
    expect(total.body.totalResults).toBe(7);
  });

  it('other preferences, or another value, leave the answer whole', async () => {
    for (const prefer of ['respond-async', 'totalResults=exact', 'totalResults', 'return=minimal']) {
      const response = await t.client.request('GET', '/Users?count=1', undefined, { Prefer: prefer });
      expect(response.body.totalResults, prefer).toBe(7);
      expect(response.headers.get('preference-applied'), prefer).toBeNull();
    }
    // Several preferences in one header: the one the server knows is taken, case-insensitively.
    const mixed = await t.client.request('GET', '/Users?count=1', undefined, { Prefer: 'respond-async, TotalResults=omit; x=y' });
    expect(mixed.body.totalResults).toBeUndefined();
  });
});
