import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, userBody, type TestContext } from '../helpers/app.js';

let t: TestContext;
beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

describe('smoke', () => {
  it('creates, lists and fetches a user', async () => {
    const created = await t.client.request('POST', '/Users', userBody('bjensen@example.com', { emails: [{ value: 'b@example.com', type: 'work' }] }));
    expect(created.status).toBe(201);
    const list = await t.client.request('GET', '/Users?filter=emails[type eq "work"].value eq "B@example.com"');
    expect(list.status).toBe(200);
    expect(list.body.totalResults).toBe(1);
    const got = await t.client.request('GET', `/Users/${created.body.id}`);
    expect(got.body.userName).toBe('bjensen@example.com');
  });
});
