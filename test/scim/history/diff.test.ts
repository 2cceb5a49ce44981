// The history diff as tagged vectors: canonical documents before and after, and the rows the portal's history shows.
import { describe, expect, it } from 'vitest';
import { diffResource, MAX_VALUE_LENGTH, type AttributeChange } from '../../../src/scim/history/diff.js';
import { normalizeResource, type ResourceData } from '../../../src/scim/resource/normalize.js';
import { ACCOUNT_SCHEMA } from '../../../src/scim/schema/account.js';
import { PERSONA_SCHEMA } from '../../../src/scim/schema/persona.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../src/scim/schema/resource-types.js';
import { attribute, type ResourceTypeDefinition } from '../../../src/scim/schema/types.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/** A canonical User document, as the users table stores it. */
function user(body: Record<string, unknown>): ResourceData {
  const { password: _ignored, ...data } = normalizeResource(USER_RESOURCE_TYPE, { schemas: [USER, ENTERPRISE], userName: 'jsmith', ...body });
  return data;
}

/** The server fills in the manager's displayName after normalising (it is readOnly); stored documents have it. */
function withManager(data: ResourceData, value: string, displayName: string): ResourceData {
  const enterprise = (data[ENTERPRISE] ?? {}) as Record<string, unknown>;
  return { ...data, [ENTERPRISE]: { ...enterprise, manager: { value, displayName } } };
}

const changed = (attribute: string, oldValue: string | null, newValue: string | null): AttributeChange => ({
  event: 'attributeChanged',
  attribute,
  oldValue,
  newValue,
});

interface Vector {
  readonly ref: string;
  readonly before: ResourceData;
  readonly after: ResourceData;
  readonly passwordChanged?: boolean;
  readonly expected: AttributeChange[];
}

const MANAGER_A = '0f8fad5b-d9cb-469f-a165-70867728950e';
const MANAGER_B = '7c9e6679-7425-40de-944b-e07fc1f90ae7';

const USER_VECTORS: Vector[] = [
  { ref: 'nothing changed', before: user({ title: 'Clerk' }), after: user({ title: 'Clerk' }), expected: [] },
  {
    ref: 'simple attributes, in schema order, added, changed and removed',
    before: user({ active: true, nickName: 'Johnny', displayName: 'John Smith' }),
    after: user({ title: 'Vice President', active: false, displayName: 'John Q. Smith' }),
    expected: [
      changed('displayName', 'John Smith', 'John Q. Smith'),
      changed('nickName', 'Johnny', null),
      changed('title', null, 'Vice President'),
      changed('active', 'true', 'false'),
    ],
  },
  {
    ref: 'the common externalId comes first, userName next',
    before: user({ externalId: '701984' }),
    after: { ...user({ externalId: '701985' }), userName: 'john.smith' },
    expected: [changed('externalId', '701984', '701985'), changed('userName', 'jsmith', 'john.smith')],
  },
  {
    ref: 'a singular complex attribute by sub-attribute path',
    before: user({ name: { givenName: 'John', familyName: 'Smith' } }),
    after: user({ name: { givenName: 'Jon', familyName: 'Smith', formatted: 'Jon Smith' } }),
    expected: [changed('name.formatted', null, 'Jon Smith'), changed('name.givenName', 'John', 'Jon')],
  },
  {
    ref: 'a password set: one row without values, where the schema lists password',
    before: user({ active: true }),
    after: user({ active: false, emails: [{ value: 'j@x.example', type: 'work' }] }),
    passwordChanged: true,
    expected: [
      changed('active', 'true', 'false'),
      { event: 'passwordChanged', attribute: 'password', oldValue: null, newValue: null },
      changed('emails[work]', null, 'j@x.example'),
    ],
  },
  {
    ref: 'a password set alone',
    before: user({}),
    after: user({}),
    passwordChanged: true,
    expected: [{ event: 'passwordChanged', attribute: 'password', oldValue: null, newValue: null }],
  },
  {
    ref: 'emails per type: one changed, one added, the primary flag shown',
    before: user({ emails: [{ value: 'a@x.example', type: 'work', primary: true }] }),
    after: user({ emails: [{ value: 'b@y.example', type: 'Work', primary: true }, { value: 'home@y.example', type: 'home' }] }),
    expected: [changed('emails[home]', null, 'home@y.example'), changed('emails[work]', 'a@x.example (primary)', 'b@y.example (primary)')],
  },
  {
    ref: 'the primary flag moving from one type to another',
    before: user({ emails: [{ value: 'a@x.example', type: 'work', primary: true }, { value: 'h@x.example', type: 'home' }] }),
    after: user({ emails: [{ value: 'a@x.example', type: 'work' }, { value: 'h@x.example', type: 'home', primary: true }] }),
    expected: [changed('emails[home]', 'h@x.example', 'h@x.example (primary)'), changed('emails[work]', 'a@x.example (primary)', 'a@x.example')],
  },
  {
    ref: 'several values of one type joined and sorted; untyped ones under the bare name first',
    before: user({ phoneNumbers: [{ value: '555-0102', type: 'mobile' }, { value: '555-0100' }] }),
    after: user({ phoneNumbers: [{ value: '555-0103', type: 'mobile' }, { value: '555-0101', type: 'mobile' }] }),
    expected: [changed('phoneNumbers', '555-0100', null), changed('phoneNumbers[mobile]', '555-0102', '555-0101; 555-0103')],
  },
  {
    ref: 'reordering a list is no change',
    before: user({ emails: [{ value: 'a@x.example', type: 'work' }, { value: 'b@x.example', type: 'work' }] }),
    after: user({ emails: [{ value: 'b@x.example', type: 'work' }, { value: 'a@x.example', type: 'work' }] }),
    expected: [],
  },
  {
    ref: 'roles by their display name (the portal guide: Role, Employer Billing Access -> Employer All Access)',
    before: user({ roles: [{ value: 'employer-billing', display: 'Employer Billing Access' }] }),
    after: user({ roles: [{ value: 'employer-all', display: 'Employer All Access' }] }),
    expected: [changed('roles', 'Employer Billing Access', 'Employer All Access')],
  },
  {
    ref: 'elements whose short texts agree are told apart by every sub-attribute',
    before: user({ roles: [{ value: 'billing-1', display: 'Billing' }] }),
    after: user({ roles: [{ value: 'billing-2', display: 'Billing' }] }),
    expected: [changed('roles', 'value: billing-1, display: Billing', 'value: billing-2, display: Billing')],
  },
  {
    ref: 'addresses by formatted text, or by their parts',
    before: user({ addresses: [{ type: 'work', formatted: '100 Universal City Plaza, Hollywood' }] }),
    after: user({ addresses: [{ type: 'work', streetAddress: '1 Main St', locality: 'Springfield', country: 'USA' }] }),
    expected: [changed('addresses[work]', '100 Universal City Plaza, Hollywood', '1 Main St, Springfield, USA')],
  },
  {
    ref: 'extension attributes by their bare names; manager as one row, by display name',
    before: withManager(user({ [ENTERPRISE]: { department: 'Billing' } }), MANAGER_A, 'Saby, Viji'),
    after: withManager(user({ [ENTERPRISE]: { department: 'Claims', costCenter: '4130' } }), MANAGER_B, 'Doe, Jane'),
    expected: [changed('costCenter', null, '4130'), changed('department', 'Billing', 'Claims'), changed('manager', 'Saby, Viji', 'Doe, Jane')],
  },
  {
    ref: 'two managers of the same name are told apart by id',
    before: withManager(user({}), MANAGER_A, 'Smith, Pat'),
    after: withManager(user({}), MANAGER_B, 'Smith, Pat'),
    expected: [changed('manager', `value: ${MANAGER_A}, displayName: Smith, Pat`, `value: ${MANAGER_B}, displayName: Smith, Pat`)],
  },
  {
    ref: 'a manager without a display name, by id; the whole extension removed',
    before: user({ [ENTERPRISE]: { manager: { value: MANAGER_A }, employeeNumber: '42' } }),
    after: user({}),
    expected: [changed('employeeNumber', '42', null), changed('manager', MANAGER_A, null)],
  },
  {
    ref: 'multi-valued simple values by type; binary values by fingerprint, never pages of base64',
    before: user({ x509Certificates: [{ value: 'QUJD' }] }),
    after: user({ x509Certificates: [{ value: 'REVG' }] }),
    expected: [changed('x509Certificates', 'binary, SHA-256 d9cae0dbdbf078b2', 'binary, SHA-256 d783d1f41add0bc9')],
  },
];

describe('diffResource on Users', () => {
  it.each(USER_VECTORS)('$ref', ({ before, after, passwordChanged, expected }) => {
    const result = diffResource(USER_RESOURCE_TYPE, before, after, { passwordChanged });
    expect(result).toEqual(expected);
  });

  it('does not depend on the key order of the documents (JSONB keeps none)', () => {
    const before = user({ title: 'A', name: { givenName: 'J', familyName: 'S' }, emails: [{ value: 'a@x.example', type: 'work' }] });
    const after = user({ title: 'B', name: { familyName: 'T', givenName: 'K' }, emails: [{ type: 'work', value: 'b@x.example' }] });
    const reversed = (data: ResourceData) => Object.fromEntries(Object.entries(data).reverse());
    expect(diffResource(USER_RESOURCE_TYPE, reversed(before), reversed(after))).toEqual(diffResource(USER_RESOURCE_TYPE, before, after));
  });

  it('never shows a password, even one found in a document', () => {
    const result = diffResource(USER_RESOURCE_TYPE, { userName: 'j', password: 'old-secret' }, { userName: 'j', password: 'new-secret' });
    expect(result).toEqual([]);
    expect(JSON.stringify(diffResource(USER_RESOURCE_TYPE, { password: 'a' }, { password: 'b' }, { passwordChanged: true }))).not.toMatch(/a"|b"/);
  });

  it(`cuts values longer than ${MAX_VALUE_LENGTH} characters`, () => {
    const [change] = diffResource(USER_RESOURCE_TYPE, user({}), user({ title: 'x'.repeat(1024) }));
    expect(change!.newValue).toHaveLength(MAX_VALUE_LENGTH);
    expect(change!.newValue!.endsWith('…')).toBe(true);
  });

  it('compares keys no schema describes as plain JSON, an unknown extension by its bare attribute names', () => {
    const result = diffResource(
      USER_RESOURCE_TYPE,
      { userName: 'j', 'urn:example:ext:2.0:User': { badge: 'A1', tags: ['x', 'y'] } },
      { userName: 'j', 'urn:example:ext:2.0:User': { badge: 'B2', tags: ['y', 'x'] }, legacy: { a: 1 } },
    );
    expect(result).toEqual([changed('legacy', null, 'a: 1'), changed('badge', 'A1', 'B2')]);
  });
});

describe('diffResource on Groups and extensions', () => {
  const PERSONA_GROUP: ResourceTypeDefinition = { ...GROUP_RESOURCE_TYPE, schemaExtensions: [{ schema: PERSONA_SCHEMA, required: false }] };

  it('lists a renamed group, and leaves members to memberAdded and memberRemoved', () => {
    const before = { displayName: 'Billing', members: [{ value: MANAGER_A }] };
    const after = { displayName: 'Billing Team', members: [{ value: MANAGER_B }] };
    expect(diffResource(GROUP_RESOURCE_TYPE, before, after)).toEqual([changed('displayName', 'Billing', 'Billing Team')]);
  });

  it('ignores the password flag on a resource type without one', () => {
    expect(diffResource(GROUP_RESOURCE_TYPE, { displayName: 'A' }, { displayName: 'A' })).toEqual([]);
  });

  it("lists a persona's description and permissions, the list joined and sorted", () => {
    const before = { displayName: 'Billing', [PERSONA_SCHEMA.id]: { description: 'Pays', permissions: ['billing:read'] } };
    const after = { displayName: 'Billing', [PERSONA_SCHEMA.id]: { description: 'Pays invoices', permissions: ['billing:pay', 'billing:read'] } };
    expect(diffResource(PERSONA_GROUP, before, after)).toEqual([
      changed('description', 'Pays', 'Pays invoices'),
      changed('permissions', 'billing:read', 'billing:pay; billing:read'),
    ]);
  });

  it("skips an extension's readOnly attributes: the server's own state is recorded by its events (locked, lockedOut)", () => {
    const withAccount: ResourceTypeDefinition = { ...USER_RESOURCE_TYPE, schemaExtensions: [{ schema: ACCOUNT_SCHEMA, required: false }] };
    const before = { userName: 'j', [ACCOUNT_SCHEMA.id]: { failedLogins: 1, lastLogin: '2026-01-01T00:00:00Z' } };
    const after = { userName: 'j', [ACCOUNT_SCHEMA.id]: { failedLogins: 2, lastLogin: '2026-01-02T00:00:00Z' } };
    expect(diffResource(withAccount, before, after)).toEqual([]);
  });

  it('names an extension attribute that the core schema or another extension also has by its schema name', () => {
    const ext = (id: string, name: string): ResourceTypeDefinition['schemaExtensions'][number] => ({
      schema: { id, name, description: name, attributes: [attribute('title', 'string'), attribute('badge', 'string'), attribute('floor', 'string')] },
      required: false,
    });
    const other = { id: 'urn:example:other:2.0:User', name: 'Other', description: 'Other', attributes: [attribute('floor', 'string')] };
    const type: ResourceTypeDefinition = { ...USER_RESOURCE_TYPE, schemaExtensions: [ext('urn:example:site:2.0:User', 'Site'), { schema: other, required: false }] };
    const result = diffResource(
      type,
      { userName: 'j' },
      { userName: 'j', 'urn:example:site:2.0:User': { title: 'T', badge: 'B', floor: '3' }, 'urn:example:other:2.0:User': { floor: '4' } },
    );
    expect(result.map((c) => c.attribute)).toEqual(['Site:title', 'badge', 'Site:floor', 'Other:floor']);
  });
});
