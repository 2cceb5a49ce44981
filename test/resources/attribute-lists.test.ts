// `attributes` and `excludedAttributes` naming a value path (`emails[type eq "work"]`, `emails[type eq "work"].value`):
// read as the attribute it filters, as Microsoft's SCIM reference server reads them (RFC 7644 §3.4.2.5 names attributes).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, groupBody, userBody, type TestContext } from '../helpers/app.js';

let t: TestContext;
let userId: string;
let groupId: string;
const q = encodeURIComponent;

beforeAll(async () => {
  t = await createTestContext();
  const user = await t.client.request(
    'POST',
    '/Users',
    userBody('bjensen', {
      name: { givenName: 'Barbara', familyName: 'Jensen' },
      title: 'Tour Guide',
      emails: [
        { value: 'bjensen@example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ],
      phoneNumbers: [{ value: '555-555-8377', type: 'work' }],
    }),
  );
  expect(user.status).toBe(201);
  userId = user.body.id;
  const group = await t.client.request('POST', '/Groups', groupBody('Tour Guides', { members: [{ value: userId }] }));
  expect(group.status).toBe(201);
  groupId = group.body.id;
});
afterAll(() => t.close());

/** The resource as GET answers it with one query parameter, meta left out (its lastModified is the same anyway). */
async function read(path: string, name: 'attributes' | 'excludedAttributes', value: string): Promise<Record<string, unknown>> {
  const response = await t.client.request('GET', `${path}${path.includes('?') ? '&' : '?'}${name}=${q(value)}`);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

describe('a value path in an attribute list reads as its attribute', () => {
  it.each([
    ['attributes', 'emails[type eq "work"]', 'emails'],
    ['attributes', 'emails[type eq "work"].value', 'emails.value'],
    ['attributes', 'emails[type eq work and primary eq true].type', 'emails.type'],
    ['attributes', 'emails[value co ","],userName', 'emails,userName'],
    ['attributes', 'userName, emails[type eq "work"] ,phoneNumbers[type eq "work"].value', 'userName,emails,phoneNumbers.value'],
    ['attributes', 'urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]', 'emails'],
    ['attributes', 'EMAILS[TYPE EQ "work"].VALUE', 'emails.value'],
    ['excludedAttributes', 'emails[type eq "work"]', 'emails'],
    ['excludedAttributes', 'emails[type eq "work"].value', 'emails.value'],
    ['excludedAttributes', 'name,emails[type eq "home"],title', 'name,emails,title'],
  ] as const)('GET /Users/{id}?%s=%s is ?%s=%s', async (name, withFilter, plain) => {
    const got = await read(`/Users/${userId}`, name, withFilter);
    expect(got).toStrictEqual(await read(`/Users/${userId}`, name, plain));
    if (name === 'attributes') expect(got.userName === undefined).toBe(!plain.includes('userName'));
  });

  it('returns every element, not only those the filter matches', async () => {
    const got = await read(`/Users/${userId}`, 'attributes', 'emails[type eq "work"]');
    expect(got).toStrictEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: userId,
      emails: [
        { value: 'bjensen@example.com', type: 'work', primary: true },
        { value: 'babs@jensen.org', type: 'home' },
      ],
    });
  });

  it('in a list, and in a POST /.search body', async () => {
    const listed = await read(`/Users?filter=${q('userName eq "bjensen"')}`, 'attributes', 'emails[type eq "work"].value');
    expect(listed.Resources).toStrictEqual([{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], id: userId, emails: [{ value: 'bjensen@example.com' }, { value: 'babs@jensen.org' }] }]);
    const searched = await t.client.request('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName eq "bjensen"',
      attributes: ['emails[type eq "work"].value'],
    });
    expect(searched.body.Resources).toStrictEqual(listed.Resources);
    const excluded = await t.client.request('POST', '/Users/.search', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'],
      filter: 'userName eq "bjensen"',
      excludedAttributes: ['emails[type eq "work"]', 'phoneNumbers[type eq "work"]'],
    });
    expect(excluded.status).toBe(200);
    expect(excluded.body.Resources[0].emails).toBeUndefined();
    expect(excluded.body.Resources[0].phoneNumbers).toBeUndefined();
    expect(excluded.body.Resources[0].userName).toBe('bjensen');
  });

  it('for Groups: members[value eq "<id>"] is members', async () => {
    const got = await read(`/Groups/${groupId}`, 'attributes', `members[value eq "${userId}"]`);
    expect(got).toStrictEqual(await read(`/Groups/${groupId}`, 'attributes', 'members'));
    expect((got.members as unknown[]).length).toBe(1);
    const without = await read(`/Groups/${groupId}`, 'excludedAttributes', `members[value eq "${userId}"]`);
    expect(without.members).toBeUndefined();
    expect(without.displayName).toBe('Tour Guides');
  });
});

describe('a malformed value path in an attribute list', () => {
  it.each([
    ['emails[type eq "work"', 'Expected "and", "or" or "]" at position 21, found end of input'],
    ['emails[type eq "work"]x', 'Expected "." and a sub-attribute, or end of input, at position 22, found "x"'],
    ['emails[type eq "work"].value.x', 'Expected "." and a sub-attribute name after "]" at position 22, found ".value.x"'],
    ['emails[]', 'Expected an attribute path, "not" or "(" at position 7, found "]"'],
    ['emails]', undefined],
  ])('attributes=%s -> 400 invalidValue', async (value, position) => {
    const response = await t.client.request('GET', `/Users/${userId}?attributes=${q(value)}`);
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidValue']);
    expect(response.body.detail).toContain(`"${value}" is not an attribute path`);
    if (position) expect(response.body.detail).toContain(position);
  });
});
