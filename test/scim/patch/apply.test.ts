// PATCH semantics on documents (RFC 7644 §3.5.2), with the shapes Okta and Microsoft Entra ID send.
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import { applyPatch } from '../../../src/scim/patch/apply.js';
import { PATCH_OP_SCHEMA, parsePatchRequest } from '../../../src/scim/patch/parse.js';
import { GROUP_RESOURCE_TYPE, USER_RESOURCE_TYPE } from '../../../src/scim/schema/resource-types.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

const patch = (data: Record<string, unknown>, ...Operations: unknown[]) =>
  applyPatch(USER_RESOURCE_TYPE, data, parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations })).data;

const failure = (fn: () => unknown): ScimError => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw error;
  }
  throw new Error('expected a ScimError');
};

const barbara = () => ({
  userName: 'bjensen',
  name: { givenName: 'Barbara', familyName: 'Jensen' },
  active: true,
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
});

describe('PATCH add (RFC 7644 §3.5.2.1)', () => {
  it('adds a value to a multi-valued attribute without duplicating an existing one', () => {
    const result = patch(barbara(), { op: 'add', path: 'emails', value: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'b@other.org', type: 'other' }] });
    expect(result.emails).toHaveLength(3);
  });

  it('keeps one primary: the value added last wins', () => {
    const result = patch(barbara(), { op: 'add', path: 'emails', value: [{ value: 'new@example.com', type: 'work', primary: true }] });
    expect((result.emails as { primary?: boolean }[]).filter((e) => e.primary)).toEqual([{ value: 'new@example.com', type: 'work', primary: true }]);
  });

  it('adds without a path: the value is a set of attributes (RFC 7644 §3.5.2.1 example)', () => {
    const result = patch(barbara(), { op: 'add', value: { nickName: 'Babs', emails: [{ value: 'babs@example.com', type: 'home' }] } });
    expect(result.nickName).toBe('Babs');
    expect(result.emails).toHaveLength(3);
  });

  it('creates the element a value path names when it is missing (Entra: Add emails[type eq "work"].value)', () => {
    const result = patch({ userName: 'x' }, { op: 'Add', path: 'emails[type eq "work"].value', value: 'x@example.com' });
    expect(result.emails).toEqual([{ value: 'x@example.com', type: 'work' }]);
  });

  it('sets a sub-attribute of the matching element only', () => {
    const result = patch(barbara(), { op: 'add', path: 'emails[type eq "home"].display', value: 'Home' });
    expect((result.emails as { display?: string }[]).map((e) => e.display)).toEqual([undefined, 'Home']);
  });
});

describe('PATCH replace (RFC 7644 §3.5.2.3)', () => {
  it('replaces all values of a multi-valued attribute', () => {
    const result = patch(barbara(), { op: 'replace', path: 'emails', value: [{ value: 'only@example.com' }] });
    expect(result.emails).toEqual([{ value: 'only@example.com' }]);
  });

  it('leaves sub-attributes of a complex attribute that the value omits', () => {
    const result = patch(barbara(), { op: 'replace', path: 'name', value: { givenName: 'Babs' } });
    expect(result.name).toEqual({ givenName: 'Babs', familyName: 'Jensen' });
  });

  it('replaces the matching element of a value filter (emails[type eq "work"])', () => {
    const result = patch(barbara(), { op: 'replace', path: 'emails[type eq "work"]', value: { value: 'w@example.com', type: 'work' } });
    expect(result.emails).toEqual([{ value: 'w@example.com', type: 'work' }, { value: 'babs@jensen.org', type: 'home' }]);
  });

  it('Okta: path-less replace {"active": false} deactivates', () => {
    expect(patch(barbara(), { op: 'replace', value: { active: false } }).active).toBe(false);
  });

  it('Entra: operation names in any case and booleans as strings', () => {
    expect(patch(barbara(), { op: 'Replace', path: 'active', value: 'False' }).active).toBe(false);
  });

  it('Entra: path-less replace with dotted and URN-qualified keys', () => {
    const result = patch(barbara(), {
      op: 'Replace',
      value: { 'name.givenName': 'Barb', [`${ENTERPRISE}:employeeNumber`]: '701984', 'urn:ietf:params:scim:schemas:core:2.0:User:title': 'Tour Guide' },
    });
    expect(result.name).toEqual({ givenName: 'Barb', familyName: 'Jensen' });
    expect(result[ENTERPRISE]).toEqual({ employeeNumber: '701984' });
    expect(result.title).toBe('Tour Guide');
  });

  it('Entra: manager as a bare id, then its removal', () => {
    const withManager = patch(barbara(), { op: 'Add', path: `${ENTERPRISE}:manager`, value: '26118915-6090-4610-87e4-49d8ca9f808d' });
    expect(withManager[ENTERPRISE]).toEqual({ manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } });
    const removed = patch(withManager, { op: 'Remove', path: `${ENTERPRISE}:manager` });
    expect(removed[ENTERPRISE]).toBeUndefined();
  });

  it('ignores read-only attributes in a path-less value (Okta sends id when renaming)', () => {
    expect(patch(barbara(), { op: 'replace', value: { id: 'abc', userName: 'babs' } }).userName).toBe('babs');
  });
});

describe('PATCH remove (RFC 7644 §3.5.2.2)', () => {
  it('removes the values a filter selects', () => {
    expect(patch(barbara(), { op: 'remove', path: 'emails[type eq "work"]' }).emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('removes a whole attribute, leaving it unassigned', () => {
    expect(patch(barbara(), { op: 'remove', path: 'emails' }).emails).toBeUndefined();
  });

  it('removes the listed values (Entra: {"op":"Remove","path":"members","value":[{"value":id}]})', () => {
    const result = patch(barbara(), { op: 'Remove', path: 'emails', value: [{ value: 'BJENSEN@example.com' }] });
    expect(result.emails).toEqual([{ value: 'babs@jensen.org', type: 'home' }]);
  });

  it('a listed value without "value" names nothing (found by test/http/fuzz.test.ts: it was a TypeError, a 500)', () => {
    const result = patch(barbara(), { op: 'remove', path: 'emails', value: { givenName: 'work' } });
    expect(result.emails).toEqual(barbara().emails);
  });

  it('needs a path (noTarget)', () => {
    const error = failure(() => patch(barbara(), { op: 'remove' }));
    expect([error.status, error.scimType]).toEqual([400, 'noTarget']);
    expect(error.detail).toMatch(/^Operations\[0\]/);
  });

  it('refuses to remove a required attribute (mutability)', () => {
    expect(failure(() => patch(barbara(), { op: 'remove', path: 'userName' })).scimType).toBe('mutability');
  });
});

describe('PATCH errors name the failing operation', () => {
  it.each([
    [{ op: 'replace', path: 'id', value: 'x' }, 'mutability'],
    [{ op: 'replace', path: 'groups', value: [] }, 'mutability'],
    [{ op: 'replace', path: 'nosuch', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'emails[type eq', value: 'x' }, 'invalidPath'],
    [{ op: 'replace', path: 'emails[type eq "fax"]', value: { value: 'x' } }, 'noTarget'],
    [{ op: 'replace', path: 'emails[type co "z"].value', value: 'x' }, 'noTarget'],
    [{ op: 'replace', path: 'emails[type eq "pager"].value', value: 'x@example.com' }, 'noTarget'],
    [{ op: 'add', path: 'emails[type eq "fax"]', value: { value: 'x' } }, 'noTarget'],
    [{ op: 'replace', path: 'active', value: 'maybe' }, 'invalidValue'],
    [{ op: 'move', path: 'active', value: true }, 'invalidSyntax'],
    [{ op: 'add', path: 'active' }, 'invalidSyntax'],
  ])('%j -> %s', (operation, scimType) => {
    const error = failure(() => patch(barbara(), { op: 'add', path: 'nickName', value: 'ok' }, operation));
    expect(error.scimType).toBe(scimType);
    expect(error.detail).toMatch(/^Operations\[1\]: /);
  });

  it('rejects a body without the PatchOp schema', () => {
    expect(failure(() => parsePatchRequest({ Operations: [{ op: 'add', path: 'nickName', value: 'x' }] })).scimType).toBe('invalidSyntax');
  });
});

describe('group members are left to the caller', () => {
  it('returns member changes in order, applying the rest', () => {
    const outcome = applyPatch(
      GROUP_RESOURCE_TYPE,
      { displayName: 'Sales' },
      parsePatchRequest({
        schemas: [PATCH_OP_SCHEMA],
        Operations: [
          { op: 'replace', value: { id: 'ignored', displayName: 'Sales EMEA' } },
          { op: 'add', path: 'members', value: [{ value: '6f2d8f6e-1c2b-4a0a-9d8e-0a6c1f0b2c3d' }] },
          { op: 'remove', path: 'members[value eq "6f2d8f6e-1c2b-4a0a-9d8e-0a6c1f0b2c3d"]' },
          { op: 'replace', path: 'members', value: [] },
        ],
      }),
      { external: ['members'] },
    );
    expect(outcome.data).toEqual({ displayName: 'Sales EMEA' });
    expect(outcome.external.map((c) => [c.op, c.filter ? 'filter' : 'all', c.value])).toEqual([
      ['add', 'all', [{ value: '6f2d8f6e-1c2b-4a0a-9d8e-0a6c1f0b2c3d' }]],
      ['remove', 'filter', undefined],
      ['replace', 'all', undefined],
    ]);
  });
});
