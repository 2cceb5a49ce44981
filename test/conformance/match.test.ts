// The conformance runner's partial matcher: what a case's expectation accepts and what it refuses.
import { describe, expect, it } from 'vitest';
import { isMatcher, match } from '../../conformance/match.js';

const ok = (expected: unknown, actual: unknown, ordered = false) => expect(match(expected, actual, { ordered })).toBeUndefined();
const refused = (expected: unknown, actual: unknown, ordered = false) => {
  const mismatch = match(expected, actual, { ordered }, 'body');
  expect(mismatch).toBeDefined();
  return mismatch!;
};

describe('plain values', () => {
  it('compare strictly: no coercion between numbers, strings and booleans', () => {
    ok(3, 3);
    ok('a', 'a');
    ok(null, null);
    refused(3, '3');
    refused(false, 'False');
    refused('a', 'A');
    refused(null, undefined);
  });
});

describe('objects', () => {
  it('match when every expected key matches; extra actual keys are fine', () => {
    ok({ userName: 'bjensen', name: { givenName: 'Barbara' } }, { id: '1', userName: 'bjensen', name: { givenName: 'Barbara', familyName: 'Jensen' } });
  });

  it('report the path of the first difference', () => {
    const mismatch = refused({ name: { givenName: 'Babs' } }, { name: { givenName: 'Barbara' } });
    expect(mismatch).toMatchObject({ path: 'body.name.givenName', expected: 'Babs', actual: 'Barbara' });
  });

  it('find keys ignoring case when the exact name is missing (RFC 7643 §2.1)', () => {
    ok({ userName: 'x' }, { username: 'x' });
    ok({ userName: 'x' }, { userName: 'x', USERNAME: 'y' });
    refused({ userName: 'x' }, { username: 'x', USERNAME: 'x' });
  });

  it('quote keys that are not identifiers in the path', () => {
    const urn = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
    expect(refused({ [urn]: { employeeNumber: '1' } }, { [urn]: { employeeNumber: '2' } }).path).toBe(`body[${JSON.stringify(urn)}].employeeNumber`);
  });

  it('refuse a non-object', () => {
    refused({ a: 1 }, [1]);
    refused({ a: 1 }, null);
    refused({ a: 1 }, undefined);
  });

  it('treat {"$ref": ...} as a SCIM attribute, not an operator', () => {
    expect(isMatcher({ $ref: null, value: 'x' })).toBe(false);
    ok({ $ref: null, value: 'x' }, { $ref: null, value: 'x' });
    refused({ $ref: 'u' }, { $ref: 'v' });
  });
});

describe('arrays', () => {
  it('match in any order, each expected item against a different actual item', () => {
    ok([{ value: 'b' }, { value: 'a' }], [{ value: 'a', display: 'A' }, { value: 'b' }, { value: 'c' }]);
    ok([], [{ value: 'a' }]);
    refused([{ type: 'work' }, { type: 'work' }], [{ type: 'work', value: 'a' }, { type: 'home' }]);
  });

  it('find a distinct assignment when the greedy one fails', () => {
    // The first expected item fits both actual items; only one assignment lets the second fit too.
    ok([{ type: 'work' }, { type: 'work', primary: true }], [{ type: 'work', primary: true }, { type: 'work' }]);
  });

  it('say which expected item found no match', () => {
    const mismatch = refused([{ value: 'a' }, { value: 'z' }], [{ value: 'a' }]);
    expect(mismatch.reason).toBe('no item matches expected item 1');
    expect(mismatch.expected).toEqual({ value: 'z' });
  });

  it('match position by position when ordered', () => {
    ok([{ id: 'a' }, { id: 'b' }], [{ id: 'a' }, { id: 'b' }, { id: 'c' }], true);
    expect(refused([{ id: 'b' }, { id: 'a' }], [{ id: 'a' }, { id: 'b' }], true).path).toBe('body[0].id');
    expect(refused([{ id: 'a' }, { id: 'b' }], [{ id: 'a' }], true).reason).toBe('expected at least 2 items, got 1');
  });

  it('refuse a non-array', () => {
    refused([], {});
    refused([], undefined);
  });
});

describe('operators', () => {
  it('$type, with integer a kind of number', () => {
    ok({ $type: 'string' }, 'x');
    ok({ $type: 'integer' }, 3);
    ok({ $type: 'number' }, 3);
    ok({ $type: 'number' }, 1.5);
    refused({ $type: 'integer' }, 1.5);
    refused({ $type: 'integer' }, '3');
    ok({ $type: 'array' }, []);
    refused({ $type: 'object' }, []);
    ok({ $type: 'null' }, null);
    expect(() => match({ $type: 'date' }, 'x')).toThrow(/\$type must be one of/);
  });

  it('$absent: missing or null (RFC 7643 §2.5), and false for present', () => {
    ok({ password: { $absent: true } }, { userName: 'x' });
    ok({ password: { $absent: true } }, { password: null });
    refused({ password: { $absent: true } }, { password: '' });
    ok({ id: { $absent: false } }, { id: '1' });
    refused({ id: { $absent: false } }, {});
  });

  it('$empty: missing, null or []', () => {
    ok({ members: { $empty: true } }, {});
    ok({ members: { $empty: true } }, { members: null });
    ok({ members: { $empty: true } }, { members: [] });
    refused({ members: { $empty: true } }, { members: [{ value: 'a' }] });
    ok({ members: { $empty: false } }, { members: [{ value: 'a' }] });
  });

  it('$regex on strings and on the text of numbers, with $flags', () => {
    ok({ $regex: '/Users/[^/]+$' }, 'https://example.com/scim/v2/Users/2819c223');
    ok({ $regex: '^201$' }, 201);
    ok({ $regex: '^application/scim\\+json', $flags: 'i' }, 'Application/SCIM+JSON; charset=utf-8');
    refused({ $regex: '^201$' }, '200');
    refused({ $regex: 'x' }, undefined);
    expect(() => match({ $flags: 'i' }, 'x')).toThrow(/\$flags needs \$regex/);
  });

  it('$ci, $eq and $length', () => {
    ok({ $ci: 'BJensen@Example.com' }, 'bjensen@example.com');
    refused({ $ci: 'a' }, 1);
    ok({ $eq: { a: [1, 2] } }, { a: [1, 2] });
    refused({ $eq: { a: [1, 2] } }, { a: [1, 2], b: 3 });
    refused({ $eq: [1, 2] }, [2, 1]);
    ok({ $length: 2 }, [1, 2]);
    ok({ $length: 3 }, 'abc');
    refused({ $length: 0 }, [1]);
  });

  it('$contains and $none combine on one array', () => {
    const members = [{ value: 'b' }, { value: 'c' }];
    ok({ $contains: [{ value: 'c' }], $none: { value: 'a' } }, members);
    const mismatch = refused({ $contains: [{ value: 'c' }], $none: { value: 'b' } }, members);
    expect(mismatch).toMatchObject({ path: 'body[0]', reason: 'this item should not be here' });
    ok({ $none: { value: 'a' } }, undefined);
    refused({ $contains: [{ value: 'a' }], $length: 2 }, members);
  });

  it('$anyOf and $not', () => {
    ok({ $anyOf: [{ $absent: true }, { manager: { $absent: true } }] }, { department: 'x' });
    ok({ $anyOf: [{ $absent: true }, { manager: { $absent: true } }] }, undefined);
    refused({ $anyOf: [{ $absent: true }, { manager: { $absent: true } }] }, { manager: { value: '1' } });
    ok({ $not: 'W/"1"' }, 'W/"2"');
    refused({ $not: 'W/"1"' }, 'W/"1"');
    ok({ id: { $not: { $anyOf: ['a', 'b'] } } }, { id: 'c' });
  });

  it('apply inside objects and arrays, with the path of the failure', () => {
    const body = { totalResults: 1, Resources: [{ id: '1', meta: { version: 'W/"3"' } }] };
    ok({ totalResults: { $type: 'integer' }, Resources: [{ meta: { version: { $regex: '^W/' } } }] }, body);
    expect(refused({ Resources: { $length: 2 } }, body).path).toBe('body.Resources');
  });
});
