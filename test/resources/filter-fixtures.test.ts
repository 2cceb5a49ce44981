// Filter fixture table (RFC 7644 §3.4.2.2): filter -> the users it must return, on a small seeded dataset, through the app.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTERPRISE_SCHEMA, createTestContext, userBody, type TestContext } from '../helpers/app.js';

let t: TestContext;
let before: string;
let between: string;

const people: Record<string, Record<string, unknown>> = {
  john: {
    name: { familyName: "O'Malley", givenName: 'John' },
    userType: 'Employee',
    title: 'Engineer',
    emails: [{ value: 'john@example.com', type: 'work', primary: true }],
    [ENTERPRISE_SCHEMA]: { employeeNumber: '42', department: 'R&D', manager: undefined },
  },
  jane: {
    name: { familyName: 'Doe', givenName: 'Jane' },
    userType: 'Employee',
    emails: [
      { value: 'jane@example.org', type: 'work' },
      { value: 'jane@example.com', type: 'home' },
    ],
    ims: [{ value: 'jane@foo.com', type: 'xmpp' }],
    active: false,
  },
  Jim: {
    name: { familyName: 'Beam' },
    userType: 'Contractor',
    emails: [{ value: 'jim@example.com', type: 'work' }],
    [ENTERPRISE_SCHEMA]: { employeeNumber: '7' },
  },
  'bob%_\\': {
    userType: 'Intern',
    title: '',
    phoneNumbers: [{ value: '+1 555 0100', type: 'mobile' }],
  },
};

const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestContext();
  for (const [userName, attributes] of Object.entries(people)) {
    if (userName === 'Jim') {
      between = new Date().toISOString();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const response = await t.client.request('POST', '/Users', userBody(userName, JSON.parse(JSON.stringify(attributes))));
    expect(response.status).toBe(201);
    ids[userName] = response.body.id;
  }
  before = '2000-01-01T00:00:00Z';
});
afterAll(() => t.close());

const table: { ref: string; filter: () => string; expected: string[] }[] = [
  { ref: 'RFC 7644 §3.4.2.2', filter: () => 'userName Eq "john"', expected: ['john'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => `name.familyName co "O'Malley"`, expected: ['john'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"', expected: ['john', 'jane', 'Jim'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => 'title pr', expected: ['john'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => `meta.lastModified gt "${before}"`, expected: ['john', 'jane', 'Jim', 'bob%_\\'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => `meta.lastModified ge "${between}"`, expected: ['Jim', 'bob%_\\'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => `meta.lastModified lt "${between}"`, expected: ['john', 'jane'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => 'title pr and userType eq "Employee"', expected: ['john'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => 'title pr or userType eq "Intern"', expected: ['john', 'bob%_\\'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => 'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"', expected: ['john', 'Jim'] },
  { ref: 'schemas: the core schema', filter: () => 'schemas eq "urn:ietf:params:scim:schemas:core:2.0:User"', expected: ['john', 'jane', 'Jim', 'bob%_\\'] },
  {
    ref: 'RFC 7644 §3.4.2.2',
    filter: () => 'userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")',
    expected: ['john', 'jane'],
  },
  {
    ref: 'RFC 7644 §3.4.2.2',
    filter: () => 'userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")',
    expected: ['bob%_\\'],
  },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => 'userType eq "Employee" and (emails.type eq "work")', expected: ['john', 'jane'] },
  { ref: 'RFC 7644 §3.4.2.2', filter: () => 'userType eq "Employee" and emails[type eq "work" and value co "@example.com"]', expected: ['john'] },
  {
    ref: 'RFC 7644 §3.4.2.2',
    filter: () => 'emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]',
    expected: ['john', 'jane', 'Jim'],
  },
  { ref: 'same element', filter: () => 'emails[type eq "home" and value co "example.org"]', expected: [] },
  { ref: 'case-insensitive userName', filter: () => 'userName eq "JOHN"', expected: ['john'] },
  { ref: 'caseExact id', filter: () => `id eq "${ids.jane}"`, expected: ['jane'] },
  { ref: 'caseExact id, other case', filter: () => `id eq "${ids.jane!.toUpperCase()}"`, expected: ['jane'] },
  { ref: 'not a UUID', filter: () => 'id eq "nope"', expected: [] },
  { ref: 'booleans', filter: () => 'active eq false', expected: ['jane'] },
  { ref: 'ne includes unassigned', filter: () => 'userType ne "Employee"', expected: ['Jim', 'bob%_\\'] },
  { ref: 'not over unassigned', filter: () => 'not (title eq "Engineer")', expected: ['jane', 'Jim', 'bob%_\\'] },
  { ref: 'enterprise URN', filter: () => `${ENTERPRISE_SCHEMA}:employeeNumber eq "42"`, expected: ['john'] },
  { ref: 'enterprise without URN', filter: () => 'department co "&"', expected: ['john'] },
  { ref: 'string ordering', filter: () => `${ENTERPRISE_SCHEMA}:employeeNumber gt "5"`, expected: ['Jim'] },
  { ref: 'LIKE metacharacters are literal', filter: () => 'userName co "%_\\\\"', expected: ['bob%_\\'] },
  { ref: 'LIKE metacharacters are literal', filter: () => 'userName co "_"', expected: ['bob%_\\'] },
  { ref: 'ew', filter: () => 'emails.value ew ".org"', expected: ['jane'] },
  { ref: 'multi-valued pr', filter: () => 'phoneNumbers pr', expected: ['bob%_\\'] },
  { ref: 'complex pr', filter: () => 'name pr', expected: ['john', 'jane', 'Jim'] },
  { ref: 'sloppy names', filter: () => 'Emails.Value eq "JIM@example.com" and NAME.FAMILYNAME eq "beam"', expected: ['Jim'] },
  { ref: 'eq null', filter: () => 'title eq null', expected: ['jane', 'Jim', 'bob%_\\'] },
  { ref: 'meta.resourceType', filter: () => 'meta.resourceType eq "User"', expected: ['john', 'jane', 'Jim', 'bob%_\\'] },
  { ref: 'precedence: and before or', filter: () => 'userName eq "john" or userName eq "jane" and active eq true', expected: ['john'] },
  // Unquoted values (Usher's lenient reading, as Microsoft's SCIM reference server): a bare word is a string.
  { ref: 'unquoted value', filter: () => 'userName sw J', expected: ['john', 'jane', 'Jim'] },
  { ref: 'unquoted value', filter: () => 'name.familyName eq doe', expected: ['jane'] },
  { ref: 'unquoted value', filter: () => "name.familyName eq O'Malley", expected: ['john'] },
  { ref: 'unquoted value', filter: () => 'userType eq Employee and active eq true', expected: ['john'] },
  { ref: 'unquoted value', filter: () => 'userName eq john or (userType eq Intern)', expected: ['john', 'bob%_\\'] },
  { ref: 'unquoted value', filter: () => 'emails[type eq work and value co @example.com]', expected: ['john', 'Jim'] },
  { ref: 'unquoted value', filter: () => 'emails[type eq work].value ew .org', expected: ['jane'] },
  { ref: 'unquoted value', filter: () => `${ENTERPRISE_SCHEMA}:department eq R&D`, expected: ['john'] },
  { ref: 'unquoted value, not a JSON number', filter: () => `${ENTERPRISE_SCHEMA}:employeeNumber eq 07`, expected: [] },
  { ref: 'unquoted dateTime', filter: () => 'meta.created gt 2015-10-10T14:38:21Z', expected: ['john', 'jane', 'Jim', 'bob%_\\'] },
  { ref: 'unquoted dateTime', filter: () => `meta.lastModified ge ${between}`, expected: ['Jim', 'bob%_\\'] },
  { ref: 'unquoted dateTime', filter: () => `meta.lastModified lt ${between}`, expected: ['john', 'jane'] },
  { ref: 'unquoted dateTime', filter: () => `not (meta.created lt ${between})`, expected: ['Jim', 'bob%_\\'] },
];

describe('filter fixtures', () => {
  it.each(table)('$ref: $filter', async ({ filter, expected }) => {
    const text = filter();
    const response = await t.client.request('GET', `/Users?count=100&filter=${encodeURIComponent(text)}`);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const names = (response.body.Resources as { userName: string }[]).map((r) => r.userName).sort();
    expect(names).toEqual([...expected].sort());
    expect(response.body.totalResults).toBe(expected.length);
    // POST /.search (RFC 7644 §3.4.3) runs the same engine.
    const searched = await t.client.request('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: text });
    expect(searched.body.totalResults).toBe(expected.length);
  });
});

describe('invalid and hostile filters, sortBy, attributes and cursors', () => {
  it.each([
    'userName eq',
    'userName xx "a"',
    'nosuch eq "a"',
    'active eq "yes"',
    'active gt true',
    'meta.lastModified gt "yesterday"',
    'name eq "x"',
    'password eq "x"',
    'emails[type eq "work"',
    'userName eq "a" and',
    '((((((((((((((((((((((((((((((((((userName pr))))))))))))))))))))))))))))))))))',
    `userName eq "${'x'.repeat(9000)}"`,
    "userName eq 'a'; drop table users; --",
    'userName eq "a" or 1=1',
    // Date.parse takes them; PostgreSQL's timestamptz does not (they were a 500).
    'meta.created gt "0000-01-01T00:00:00Z"',
    'meta.lastModified lt "9999-12-31T23:00:00-14:00"',
    'urn:usher:params:scim:schemas:extension:account:2.0:User:lastLogin gt "0000-06-01T00:00:00+01:00"',
    // Unquoted values are one word of a string; the rest of the grammar stays strict.
    'userName eq Barbara Jensen',
    'meta.created gt yesterday',
    'meta.created gt 2015-10-10',
    'active eq yes',
    `${'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'}:employeeNumber eq 42`,
  ])('%s -> 400 invalidFilter', async (filter) => {
    const response = await t.client.request('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter });
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidFilter']);
    expect(response.body.detail).toEqual(expect.any(String));
  });

  it('an unquoted value holding a control character -> 400 invalidFilter', async () => {
    const response = await t.client.request('GET', `/Users?filter=${encodeURIComponent('userName eq a\u0001b')}`);
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidFilter']);
    expect(response.body.detail).toBe('Control character U+0001 in an unquoted value at position 13');
  });

  it('a filter value full of SQL is just a value', async () => {
    const response = await t.client.request('GET', `/Users?filter=${encodeURIComponent(`userName eq "x' or '1'='1" or title co "'); drop table users; --"`)}`);
    expect([response.status, response.body.totalResults]).toEqual([200, 0]);
    expect((await t.client.request('GET', '/Users')).body.totalResults).toBe(4);
  });

  it.each(['userName; drop table users', 'name.familyName desc', "emails'", 'x'.repeat(100_000), 'urn:x:y:z:password', 'password'])(
    'sortBy %s -> 400 invalidValue',
    async (sortBy) => {
      const response = await t.client.request('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], sortBy });
      expect([response.status, response.body.scimType]).toEqual([400, 'invalidValue']);
    },
  );

  it.each(["userName'; drop table users; --", 'a.b.c.d', 'x'.repeat(100_000)])('attributes %s -> 400 or a correct answer', async (attributes) => {
    const response = await t.client.request('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], attributes: [attributes] });
    expect([200, 400]).toContain(response.status);
    if (response.status === 400) expect(response.body.scimType).toBe('invalidValue');
    else expect(response.body.Resources.every((r: Record<string, unknown>) => Object.keys(r).sort().join() === 'id,schemas')).toBe(true);
  });

  it.each(['%00', "'", '..', 'a'.repeat(5000)])('cursor %s -> 400 invalidCursor', async (cursor) => {
    const response = await t.client.request('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], cursor });
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidCursor']);
  });
});

describe('filters priced by what they cost', () => {
  const search = (filter: string) =>
    t.client.request('POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter });
  const terms = (term: string, n: number) => Array.from({ length: n }, () => term).join(' or ');

  it.each([
    ['200 groups.display terms', terms('groups.display co "x"', 200)],
    ['9 groups terms', terms('groups.value eq "2819c223-7f76-453a-919d-413861904646"', 9)],
    ['65 emails terms', terms('emails.value co "x"', 65)],
    ['65 value paths', terms('emails[type eq "work"]', 65)],
    ['a groups term past 240 plain ones', `${terms('userName eq "x"', 240)} or groups.display eq "x"`],
  ])('%s -> 400 invalidFilter "too costly", at once', async (_, filter) => {
    const started = performance.now();
    const response = await search(filter);
    expect([response.status, response.body.scimType]).toEqual([400, 'invalidFilter']);
    expect(response.body.detail).toContain('too costly');
    expect(response.body.detail).toContain('groups.value eq');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it.each([
    // What the admin console sends (src/console/app/users.ts usersFilter): a search and a persona.
    ['the console', '(userName co "j" or name.givenName co "j" or name.familyName co "j" or emails.value co "j") and groups.value eq "2819c223-7f76-453a-919d-413861904646"'],
    // What Okta and Microsoft Entra ID send (conformance/cases).
    ['Okta', 'userName eq "john"'],
    ['Entra', 'externalId eq "x" or emails[type eq "work"].value eq "john@example.com"'],
    ['8 groups terms', terms('groups.display co "x"', 8)],
    ['256 plain comparisons', terms('userName eq "x"', 256)],
    ['64 emails terms', terms('emails.value co "x"', 64)],
  ])('%s: within the budget', async (_, filter) => {
    const response = await search(filter);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
  });
});
