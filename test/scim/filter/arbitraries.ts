// fast-check generators for filter trees and PATCH paths that the grammar of RFC 7644 §3.4.2.2 and §3.5.2 can express.

import fc from 'fast-check';
import type { AttrPath, CompareOperator, CompareValue, Filter, PatchPath } from '../../../src/scim/filter/ast.js';

const OPERATORS: readonly CompareOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];

// "not" is excluded because a filter operand spelled "not" is always the keyword.
export const attrName: fc.Arbitrary<string> = fc
  .stringMatching(/^\$?[A-Za-z][A-Za-z0-9_-]{0,8}$/)
  .filter((name) => name.toLowerCase() !== 'not');

export const urn: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'urn:ietf:params:scim:schemas:core:2.0:User',
    'urn:ietf:params:scim:schemas:core:2.0:Group',
    'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    'URN:IETF:params:scim:schemas:core:2.0:User',
  ),
  fc
    .tuple(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,6}$/), fc.array(fc.stringMatching(/^[A-Za-z0-9._~%@/-]{1,8}$/), { maxLength: 5 }))
    .map(([nid, segments]) => ['urn', nid, ...segments].join(':')),
);

/** Any attribute path a filter may name outside "[...]". */
export const attrPath: fc.Arbitrary<AttrPath> = fc.record({ uri: urn, name: attrName, subAttr: attrName }, { requiredKeys: ['name'], noNullPrototype: true });

/** An attribute that may carry "[...]": no sub-attribute. */
const outerAttr: fc.Arbitrary<AttrPath> = fc.record({ uri: urn, name: attrName }, { requiredKeys: ['name'], noNullPrototype: true });

/** Inside "[...]" names are sub-attributes of the outer attribute: bare names only. */
const innerAttr: fc.Arbitrary<AttrPath> = attrName.map((name) => ({ name }));

/** Strings a filter can compare with: any, but for NUL, which no attribute value can hold (the lexer refuses it). */
const storable = (strings: fc.Arbitrary<string>) => strings.filter((value) => !value.includes('\u0000'));

const JSON_NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** Whether `value` can be written unquoted (Usher's lenient reading) and still read back as this string. */
export function isBareWord(value: string): boolean {
  return (
    /^[^\s()[\]"\u0000-\u001f]+$/.test(value) &&
    !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value) &&
    !['true', 'false', 'null'].includes(value.toLowerCase()) &&
    !JSON_NUMBER.test(value)
  );
}

/** Strings a client may send without quotes: names, dates, e-mail addresses, words that look like numbers but are not. */
export const bareWord: fc.Arbitrary<string> = fc
  .oneof(
    fc.stringMatching(/^[A-Za-z0-9@.:_'+%&*!?~,;=\\/-]{1,16}$/),
    fc.constantFrom('O', 'Employee', '2015-10-10T14:38:21Z', "O'Malley", 'jane@example.com', '01', '+1', '.5', '1.', '-', 'and', 'or', 'not', 'pr', 'café😀'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }),
  )
  .filter(isBareWord);

export const compareValue: fc.Arbitrary<CompareValue> = fc.oneof(
  bareWord,
  storable(fc.string({ unit: 'binary' })),
  storable(fc.string()),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

function terms(path: fc.Arbitrary<AttrPath>): fc.Arbitrary<Filter> {
  return fc.oneof(
    fc.record({ kind: fc.constant('compare' as const), attr: path, op: fc.constantFrom(...OPERATORS), value: compareValue }, { noNullPrototype: true }),
    fc.record({ kind: fc.constant('present' as const), attr: path }, { noNullPrototype: true }),
  );
}

const { filter, inner } = fc.letrec<{ filter: Filter; inner: Filter }>((tie) => ({
  filter: fc.oneof(
    { depthSize: 'small', maxDepth: 6, withCrossShrink: true },
    terms(attrPath),
    fc.record({ kind: fc.constant('and' as const), left: tie('filter'), right: tie('filter') }, { noNullPrototype: true }),
    fc.record({ kind: fc.constant('or' as const), left: tie('filter'), right: tie('filter') }, { noNullPrototype: true }),
    fc.record({ kind: fc.constant('not' as const), filter: tie('filter') }, { noNullPrototype: true }),
    fc.record({ kind: fc.constant('valuePath' as const), attr: outerAttr, filter: tie('inner') }, { noNullPrototype: true }),
  ),
  // A valuePath's own filter: no nested valuePath.
  inner: fc.oneof(
    { depthSize: 'small', maxDepth: 6, withCrossShrink: true },
    terms(innerAttr),
    fc.record({ kind: fc.constant('and' as const), left: tie('inner'), right: tie('inner') }, { noNullPrototype: true }),
    fc.record({ kind: fc.constant('or' as const), left: tie('inner'), right: tie('inner') }, { noNullPrototype: true }),
    fc.record({ kind: fc.constant('not' as const), filter: tie('inner') }, { noNullPrototype: true }),
  ),
}));

export const filterTree: fc.Arbitrary<Filter> = filter;
export const valueFilterTree: fc.Arbitrary<Filter> = inner;

export const patchPath: fc.Arbitrary<PatchPath> = fc.oneof(
  attrPath.map((path) => ({ attr: path })),
  fc.record({ attr: outerAttr, filter: inner, subAttr: attrName }, { requiredKeys: ['attr', 'filter'], noNullPrototype: true }),
);

/** Fragments of filter syntax, right and wrong, to glue into inputs that get deep into the parser. */
export const FILTER_FRAGMENTS: readonly string[] = [
  'userName', 'emails', 'name.familyName', 'members.$ref', 'urn:ietf:params:scim:schemas:core:2.0:User:userName',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value', 'urn:', 'urn:x:', ':', '.', '.value', '$',
  'eq', 'EQ', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'Pr', 'xx',
  'and', 'AND', 'or', 'Or', 'not', 'NOT',
  '(', ')', '[', ']', '"', '"x"', '""', '"work"', '"\\u00e9"', '"\\ud83d\\ude00"', '"\\ud83d"', '"\\q"', '"\\', '"\\u12"', '"open',
  '0', '1', '-1.5e3', '01', '1.', '1e999', '-', 'true', 'False', 'NULL', '\u0000', '\ud800', '😀',
  // Unquoted values (Usher's lenient reading).
  'O', 'Employee', '2015-10-10T14:38:21Z', "O'Malley", 'a@b.c', '+1', '0x10', 'work]', 'x)', 'a\u0001b', 'b\udc00',
];

export const filterish: fc.Arbitrary<string> = fc
  .array(fc.tuple(fc.constantFrom(...FILTER_FRAGMENTS), fc.constantFrom('', ' ', ' ', ' ', '\t', '\n')), { maxLength: 24 })
  .map((parts) => parts.map(([fragment, space]) => fragment + space).join(''));
