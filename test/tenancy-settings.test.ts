// A tenant's settings through the app: the welcome mail for users an identity provider creates, on or off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, postJson, scimRequest, userBody, type TestContext } from './helpers/app.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ACCOUNT = 'urn:usher:params:scim:schemas:extension:account:2.0:User';

let t: TestContext;

async function mailKinds(address: string): Promise<string[]> {
  const rows = await t.store.query<{ kind: string }>('select kind from outbox where recipient = $1', [address]);
  return rows.map((row) => row.kind);
}

const withEmail = (userName: string) => userBody(userName, { emails: [{ value: userName, primary: true }] });

beforeAll(async () => {
  t = await createTestContext();
});
afterAll(() => t.close());

describe('the welcome mail setting', () => {
  it('is on for a new tenant: a user the identity provider creates with an e-mail and no password is welcomed', async () => {
    const tenant = (await t.tenancy.listTenants()).find((x) => x.slug === 'acme')!;
    expect(tenant).toMatchObject({ welcomeMail: true, mfaRequired: false });
    const created = await t.client.request('POST', '/Users', withEmail('first@example.com'));
    expect(created.status).toBe(201);
    expect(created.body[ACCOUNT].welcomeEmailSentAt).toBeDefined();
    expect(await mailKinds('first@example.com')).toEqual(['welcome']);
  });

  it('off: the identity provider\'s new users get no mail; users an administrator adds at the portal still do', async () => {
    const updated = await t.tenancy.updateTenant('acme', { welcomeMail: false });
    expect(updated).toMatchObject({ slug: 'acme', welcomeMail: false });
    const created = await t.client.request('POST', '/Users', withEmail('quiet@example.com'));
    expect(created.status).toBe(201);
    expect(created.body[ACCOUNT].welcomeEmailSentAt).toBeUndefined();
    // In a Bulk too.
    const bulk = await t.client.request('POST', '/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'q1', data: withEmail('quiet.bulk@example.com') }],
    });
    expect(bulk.body.Operations[0].status).toBe('201');
    expect(await mailKinds('quiet@example.com')).toEqual([]);
    expect(await mailKinds('quiet.bulk@example.com')).toEqual([]);

    // An administrator's session (the portal's "Add Account") welcomes as before.
    const admin = await t.client.request('POST', '/Users', userBody('boss@example.com', { password: 'correct horse battery staple' }));
    const groups = await t.client.request('GET', '/Groups?count=100');
    const administrators = groups.body.Resources.find((g: { displayName: string }) => g.displayName === 'Administrator').id;
    await t.client.request('PATCH', `/Groups/${administrators}`, { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: admin.body.id }] }] });
    const session = await postJson(t.app, '/auth/login', { tenant: 'acme', userName: 'boss@example.com', password: 'correct horse battery staple' });
    const added = await scimRequest(t.app, (session.body as { token: string }).token, 'POST', '/Users', withEmail('added@example.com'));
    expect(added.status).toBe(201);
    expect(await mailKinds('added@example.com')).toEqual(['welcome']);
    // And the welcome can still be sent on request.
    expect((await t.client.request('POST', `/Users/${created.body.id}/welcome-email`)).status).toBe(202);
    expect(await mailKinds('quiet@example.com')).toEqual(['welcome']);
  });

  it('is per tenant, and an unknown tenant or an empty name is refused', async () => {
    const other = await t.newTenant('globex');
    expect((await other.request('POST', '/Users', withEmail('loud@example.com'))).status).toBe(201);
    expect(await mailKinds('loud@example.com')).toEqual(['welcome']);
    await expect(t.tenancy.updateTenant('nobody', { welcomeMail: false })).rejects.toThrow(/No tenant "nobody"/);
    await expect(t.tenancy.updateTenant('globex', { name: '  ' })).rejects.toThrow(/cannot be empty/);
    expect(await t.tenancy.updateTenant('globex', { name: 'Globex Corporation' })).toMatchObject({ name: 'Globex Corporation', welcomeMail: true });
  });
});
