// RFC 7644 §3.4.2.2 filter examples and §3.5.2 PATCH path examples, as tagged vectors, plus the extensions Usher accepts.

import { describe, expect, it } from 'vitest';
import type { Filter, PatchPath } from '../../../src/scim/filter/ast.js';
import { parseFilter, parsePath } from '../../../src/scim/filter/parser.js';
import { printFilter, printPath } from '../../../src/scim/filter/print.js';
import { and, attr, cmp, CORE_USER, ENTERPRISE_USER, not, or, pr, vp } from './builders.js';

interface Vector<T> {
  readonly ref: string;
  readonly input: string;
  readonly expected: T;
}

const lastModified = attr('meta', 'lastModified');
const employeeOrOrg = or(cmp(attr('emails'), 'co', 'example.com'), cmp(attr('emails', 'value'), 'co', 'example.org'));

const FILTERS: readonly Vector<Filter>[] = [
  // RFC 7644 §3.4.2.2: attribute names and operators are case-insensitive.
  { ref: 'RFC 7644 §3.4.2.2', input: 'userName Eq "john"', expected: cmp(attr('userName'), 'eq', 'john') },
  { ref: 'RFC 7644 §3.4.2.2', input: 'Username eq "john"', expected: cmp(attr('Username'), 'eq', 'john') },
  // RFC 7644 §3.4.2.2: the example filters after the operator table, in order.
  { ref: 'RFC 7644 §3.4.2.2', input: 'userName eq "bjensen"', expected: cmp(attr('userName'), 'eq', 'bjensen') },
  { ref: 'RFC 7644 §3.4.2.2', input: 'name.familyName co "O\'Malley"', expected: cmp(attr('name', 'familyName'), 'co', "O'Malley") },
  { ref: 'RFC 7644 §3.4.2.2', input: 'userName sw "J"', expected: cmp(attr('userName'), 'sw', 'J') },
  {
    ref: 'RFC 7644 §3.4.2.2',
    input: 'urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J"',
    expected: cmp(attr('userName', undefined, CORE_USER), 'sw', 'J'),
  },
  { ref: 'RFC 7644 §3.4.2.2', input: 'title pr', expected: pr(attr('title')) },
  { ref: 'RFC 7644 §3.4.2.2', input: 'meta.lastModified gt "2011-05-13T04:42:34Z"', expected: cmp(lastModified, 'gt', '2011-05-13T04:42:34Z') },
  { ref: 'RFC 7644 §3.4.2.2', input: 'meta.lastModified ge "2011-05-13T04:42:34Z"', expected: cmp(lastModified, 'ge', '2011-05-13T04:42:34Z') },
  { ref: 'RFC 7644 §3.4.2.2', input: 'meta.lastModified lt "2011-05-13T04:42:34Z"', expected: cmp(lastModified, 'lt', '2011-05-13T04:42:34Z') },
  { ref: 'RFC 7644 §3.4.2.2', input: 'meta.lastModified le "2011-05-13T04:42:34Z"', expected: cmp(lastModified, 'le', '2011-05-13T04:42:34Z') },
  {
    ref: 'RFC 7644 §3.4.2.2',
    input: 'title pr and userType eq "Employee"',
    expected: and(pr(attr('title')), cmp(attr('userType'), 'eq', 'Employee')),
  },
  {
    ref: 'RFC 7644 §3.4.2.2',
    input: 'title pr or userType eq "Intern"',
    expected: or(pr(attr('title')), cmp(attr('userType'), 'eq', 'Intern')),
  },
  {
    ref: 'RFC 7644 §3.4.2.2',
    input: 'schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"',
    expected: cmp(attr('schemas'), 'eq', ENTERPRISE_USER),
  },
  {
    ref: 'RFC 7644 §3.4.2.2',
    input: 'userType eq "Employee" and (emails co "example.com" or\n  emails.value co "example.org")',
    expected: and(cmp(attr('userType'), 'eq', 'Employee'), employeeOrOrg),
  },
  {
    ref: 'RFC 7644 §3.4.2.2',
    input: 'userType ne "Employee" and not (emails co "example.com" or\n  emails.value co "example.org")',
    expected: and(cmp(attr('userType'), 'ne', 'Employee'), not(employeeOrOrg)),
  },
  {
    ref: 'RFC 7644 §3.4.2.2',
    input: 'userType eq "Employee" and (emails.type eq "work")',
    expected: and(cmp(attr('userType'), 'eq', 'Employee'), cmp(attr('emails', 'type'), 'eq', 'work')),
  },
  {
    ref: 'RFC 7644 §3.4.2.2',
    input: 'userType eq "Employee" and emails[type eq "work" and\n  value co "@example.com"]',
    expected: and(
      cmp(attr('userType'), 'eq', 'Employee'),
      vp(attr('emails'), and(cmp(attr('type'), 'eq', 'work'), cmp(attr('value'), 'co', '@example.com'))),
    ),
  },
  {
    ref: 'RFC 7644 §3.4.2.2',
    input: 'emails[type eq "work" and value co "@example.com"] or\n  ims[type eq "xmpp" and value co "@foo.com"]',
    expected: or(
      vp(attr('emails'), and(cmp(attr('type'), 'eq', 'work'), cmp(attr('value'), 'co', '@example.com'))),
      vp(attr('ims'), and(cmp(attr('type'), 'eq', 'xmpp'), cmp(attr('value'), 'co', '@foo.com'))),
    ),
  },

  // RFC 7644 §3.4.2.2 precedence: not > and > or; and/or are left-associative.
  { ref: 'RFC 7644 §3.4.2.2 precedence', input: 'a pr or b pr and c pr', expected: or(pr(attr('a')), and(pr(attr('b')), pr(attr('c')))) },
  { ref: 'RFC 7644 §3.4.2.2 precedence', input: 'a pr and b pr or c pr', expected: or(and(pr(attr('a')), pr(attr('b'))), pr(attr('c'))) },
  { ref: 'RFC 7644 §3.4.2.2 precedence', input: 'a pr and b pr and c pr', expected: and(and(pr(attr('a')), pr(attr('b'))), pr(attr('c'))) },
  { ref: 'RFC 7644 §3.4.2.2 precedence', input: 'a pr or b pr or c pr', expected: or(or(pr(attr('a')), pr(attr('b'))), pr(attr('c'))) },
  {
    ref: 'RFC 7644 §3.4.2.2 precedence',
    input: 'a pr and (b pr or c pr) and d pr',
    expected: and(and(pr(attr('a')), or(pr(attr('b')), pr(attr('c')))), pr(attr('d'))),
  },
  {
    ref: 'RFC 7644 §3.4.2.2 precedence',
    input: 'not (a pr) and b pr or not (c pr or d pr)',
    expected: or(and(not(pr(attr('a'))), pr(attr('b'))), not(or(pr(attr('c')), pr(attr('d'))))),
  },
  { ref: 'RFC 7644 §3.4.2.2 grouping', input: '((a pr))', expected: pr(attr('a')) },
  { ref: 'RFC 7644 §3.4.2.2 grouping', input: 'a pr and (b pr and c pr)', expected: and(pr(attr('a')), and(pr(attr('b')), pr(attr('c')))) },

  // RFC 7644 §3.4.2.2: keywords, operators and literals in any case; the AST keeps operators in lower case.
  {
    ref: 'RFC 7644 §3.4.2.2 case',
    input: 'NOT (a GT 1) AND b Le 2 oR c PR',
    expected: or(and(not(cmp(attr('a'), 'gt', 1)), cmp(attr('b'), 'le', 2)), pr(attr('c'))),
  },
  { ref: 'RFC 7644 §3.4.2.2 case', input: 'active eq TRUE', expected: cmp(attr('active'), 'eq', true) },
  { ref: 'RFC 7644 §3.4.2.2 case', input: 'active Ne False', expected: cmp(attr('active'), 'ne', false) },
  { ref: 'RFC 7644 §3.4.2.2 case', input: 'title eq Null', expected: cmp(attr('title'), 'eq', null) },

  // RFC 7644 §3.4.2.2 compValue: JSON numbers (RFC 8259 §6) and JSON strings (RFC 8259 §7).
  { ref: 'RFC 8259 §6', input: 'x eq 42', expected: cmp(attr('x'), 'eq', 42) },
  { ref: 'RFC 8259 §6', input: 'x eq 0', expected: cmp(attr('x'), 'eq', 0) },
  { ref: 'RFC 8259 §6', input: 'x eq -0', expected: cmp(attr('x'), 'eq', -0) },
  { ref: 'RFC 8259 §6', input: 'x lt -1.5e3', expected: cmp(attr('x'), 'lt', -1500) },
  { ref: 'RFC 8259 §6', input: 'x gt 2.25E+2', expected: cmp(attr('x'), 'gt', 225) },
  { ref: 'RFC 8259 §6', input: 'x ge 1e-3', expected: cmp(attr('x'), 'ge', 0.001) },
  { ref: 'RFC 8259 §7', input: 'x eq ""', expected: cmp(attr('x'), 'eq', '') },
  {
    ref: 'RFC 8259 §7',
    input: String.raw`x eq "q\"b\\s\/b\bf\fn\nr\rt\t"`,
    expected: cmp(attr('x'), 'eq', 'q"b\\s/b\bf\fn\nr\rt\t'),
  },
  { ref: 'RFC 8259 §7', input: String.raw`x eq "caf\u00e9 \u00C9"`, expected: cmp(attr('x'), 'eq', 'café É') },
  { ref: 'RFC 8259 §7 surrogate pair', input: String.raw`x eq "\ud83d\ude00"`, expected: cmp(attr('x'), 'eq', '😀') },
  { ref: 'RFC 8259 §7', input: 'x eq "😀 and (or) [not]"', expected: cmp(attr('x'), 'eq', '😀 and (or) [not]') },

  // RFC 7644 §3.10 and RFC 7643 §3.3: URN-qualified attributes; the name is after the last colon.
  {
    ref: 'RFC 7644 §3.10',
    input: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984"',
    expected: cmp(attr('employeeNumber', undefined, ENTERPRISE_USER), 'eq', '701984'),
  },
  {
    ref: 'RFC 7644 §3.10',
    input: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"',
    expected: cmp(attr('manager', 'value', ENTERPRISE_USER), 'eq', '26118915-6090-4610-87e4-49d8ca9f808d'),
  },
  {
    ref: 'RFC 7644 §3.10',
    input: 'urn:ietf:params:scim:schemas:core:2.0:User:name.familyName pr',
    expected: pr(attr('name', 'familyName', CORE_USER)),
  },
  {
    ref: 'RFC 7644 §3.10 (URN kept as written)',
    input: 'URN:IETF:params:scim:schemas:core:2.0:User:userName pr',
    expected: pr(attr('userName', undefined, 'URN:IETF:params:scim:schemas:core:2.0:User')),
  },
  {
    ref: 'RFC 7644 §3.10',
    input: 'urn:ietf:params:scim:schemas:core:2.0:User:emails[type eq "work"]',
    expected: vp(attr('emails', undefined, CORE_USER), cmp(attr('type'), 'eq', 'work')),
  },

  // RFC 7643 §2.4 names sub-attributes "$ref".
  { ref: 'RFC 7643 §2.4', input: 'members.$ref eq "https://example.com/v2/Users/1"', expected: cmp(attr('members', '$ref'), 'eq', 'https://example.com/v2/Users/1') },
  { ref: 'RFC 7643 §2.4', input: 'members[$ref pr]', expected: vp(attr('members'), pr(attr('$ref'))) },
  { ref: 'RFC 7644 ATTRNAME', input: 'x-Attr_2.sub-Name_3 pr', expected: pr(attr('x-Attr_2', 'sub-Name_3')) },

  // RFC 7644 §3.4.2.2 valFilter: grouping and "not" inside brackets.
  {
    ref: 'RFC 7644 §3.4.2.2 valFilter',
    input: 'emails[not (type eq "work")]',
    expected: vp(attr('emails'), not(cmp(attr('type'), 'eq', 'work'))),
  },
  {
    ref: 'RFC 7644 §3.4.2.2 valFilter',
    input: 'emails[(type eq "work" or type eq "home") and primary eq true]',
    expected: vp(attr('emails'), and(or(cmp(attr('type'), 'eq', 'work'), cmp(attr('type'), 'eq', 'home')), cmp(attr('primary'), 'eq', true))),
  },

  // Extension sent by real clients: valuePath, then ".subAttr" and an operator; the same element must match both.
  {
    ref: 'Usher extension (valuePath.subAttr)',
    input: 'emails[type eq "work"].value eq "a@b.c"',
    expected: vp(attr('emails'), and(cmp(attr('type'), 'eq', 'work'), cmp(attr('value'), 'eq', 'a@b.c'))),
  },
  {
    ref: 'Usher extension (valuePath.subAttr)',
    input: 'emails[type eq "work"].value pr',
    expected: vp(attr('emails'), and(cmp(attr('type'), 'eq', 'work'), pr(attr('value')))),
  },
  {
    ref: 'Usher extension (valuePath.subAttr)',
    input: 'emails[type eq "work" or type eq "home"].value ew "@example.com" and active eq true',
    expected: and(
      vp(attr('emails'), and(or(cmp(attr('type'), 'eq', 'work'), cmp(attr('type'), 'eq', 'home')), cmp(attr('value'), 'ew', '@example.com'))),
      cmp(attr('active'), 'eq', true),
    ),
  },

  // Whitespace: any run of spaces, tabs and newlines separates tokens; none is needed next to ( ) [ ] or a string.
  { ref: 'Usher whitespace', input: ' \t userName \n\t eq \r\n "x" \t', expected: cmp(attr('userName'), 'eq', 'x') },
  { ref: 'Usher whitespace', input: 'userName eq"x"', expected: cmp(attr('userName'), 'eq', 'x') },
  { ref: 'Usher whitespace', input: '(a pr)and(b pr)', expected: and(pr(attr('a')), pr(attr('b'))) },
  { ref: 'Usher whitespace', input: 'not(a pr)', expected: not(pr(attr('a'))) },
  { ref: 'Usher whitespace', input: 'emails [ type eq "work" ]', expected: vp(attr('emails'), cmp(attr('type'), 'eq', 'work')) },

  // Usher's lenient reading of unquoted values (outside RFC 7644's grammar; Microsoft's SCIM reference server reads them
  // so): a word that is neither true, false, null nor a JSON number is the string it spells, up to the next space,
  // parenthesis, bracket or quote.
  { ref: 'Usher unquoted value', input: 'userName sw O', expected: cmp(attr('userName'), 'sw', 'O') },
  { ref: 'Usher unquoted value', input: 'name.familyName eq Employee', expected: cmp(attr('name', 'familyName'), 'eq', 'Employee') },
  { ref: 'Usher unquoted value', input: 'meta.created gt 2015-10-10T14:38:21Z', expected: cmp(attr('meta', 'created'), 'gt', '2015-10-10T14:38:21Z') },
  {
    ref: 'Usher unquoted value',
    input: 'userName eq foo and active eq true',
    expected: and(cmp(attr('userName'), 'eq', 'foo'), cmp(attr('active'), 'eq', true)),
  },
  {
    ref: 'Usher unquoted value',
    input: 'userName eq foo or not (title eq Boss)',
    expected: or(cmp(attr('userName'), 'eq', 'foo'), not(cmp(attr('title'), 'eq', 'Boss'))),
  },
  { ref: 'Usher unquoted value', input: '(userName eq foo)', expected: cmp(attr('userName'), 'eq', 'foo') },
  { ref: 'Usher unquoted value', input: 'emails[type eq work]', expected: vp(attr('emails'), cmp(attr('type'), 'eq', 'work')) },
  {
    ref: 'Usher unquoted value',
    input: 'emails[type eq work].value eq a@b.c',
    expected: vp(attr('emails'), and(cmp(attr('type'), 'eq', 'work'), cmp(attr('value'), 'eq', 'a@b.c'))),
  },
  { ref: 'Usher unquoted value', input: "name.familyName co O'Malley", expected: cmp(attr('name', 'familyName'), 'co', "O'Malley") },
  { ref: 'Usher unquoted value', input: 'x eq urn:a:b', expected: cmp(attr('x'), 'eq', 'urn:a:b') },
  { ref: 'Usher unquoted value', input: 'x eq caf\u00e9😀', expected: cmp(attr('x'), 'eq', 'café😀') },
  { ref: 'Usher unquoted value', input: 'x eq \\u00e9', expected: cmp(attr('x'), 'eq', '\\u00e9') },
  { ref: 'Usher unquoted value (keywords)', input: 'x eq and', expected: cmp(attr('x'), 'eq', 'and') },
  { ref: 'Usher unquoted value (keywords)', input: 'x eq or or y pr', expected: or(cmp(attr('x'), 'eq', 'or'), pr(attr('y'))) },
  { ref: 'Usher unquoted value (keywords)', input: 'x eq not', expected: cmp(attr('x'), 'eq', 'not') },
  { ref: 'Usher unquoted value (literals)', input: 'x eq TRUE and y eq nulls', expected: and(cmp(attr('x'), 'eq', true), cmp(attr('y'), 'eq', 'nulls')) },
  // Not JSON numbers (RFC 8259 §6), so strings: a string attribute such as employeeNumber may hold them.
  { ref: 'Usher unquoted value (not a number)', input: 'x eq 01', expected: cmp(attr('x'), 'eq', '01') },
  { ref: 'Usher unquoted value (not a number)', input: 'x eq 1.', expected: cmp(attr('x'), 'eq', '1.') },
  { ref: 'Usher unquoted value (not a number)', input: 'x eq +1', expected: cmp(attr('x'), 'eq', '+1') },
  { ref: 'Usher unquoted value (not a number)', input: 'x eq .5', expected: cmp(attr('x'), 'eq', '.5') },
  { ref: 'Usher unquoted value (not a number)', input: 'x eq 0x10', expected: cmp(attr('x'), 'eq', '0x10') },
  { ref: 'Usher unquoted value (not a number)', input: 'x eq -', expected: cmp(attr('x'), 'eq', '-') },

  // Position decides what a word is, so keywords are usable as attribute names (except "not", always the keyword).
  { ref: 'Usher keywords as names', input: 'pr pr and eq eq "x"', expected: and(pr(attr('pr')), cmp(attr('eq'), 'eq', 'x')) },
  { ref: 'Usher keywords as names', input: 'and eq true', expected: cmp(attr('and'), 'eq', true) },
];

const PATHS: readonly Vector<PatchPath>[] = [
  // RFC 7644 §3.5.2: the path examples.
  { ref: 'RFC 7644 §3.5.2', input: 'members', expected: { attr: attr('members') } },
  { ref: 'RFC 7644 §3.5.2', input: 'name.familyName', expected: { attr: attr('name', 'familyName') } },
  {
    ref: 'RFC 7644 §3.5.2',
    input: 'addresses[type eq "work"]',
    expected: { attr: attr('addresses'), filter: cmp(attr('type'), 'eq', 'work') },
  },
  {
    ref: 'RFC 7644 §3.5.2',
    input: 'members[value eq "2819c223-7f76-453a-919d-413861904646"]',
    expected: { attr: attr('members'), filter: cmp(attr('value'), 'eq', '2819c223-7f76-453a-919d-413861904646') },
  },
  {
    ref: 'RFC 7644 §3.5.2',
    input: 'members[value eq "2819c223-7f76-453a-919d-413861904646"].displayName',
    expected: {
      attr: attr('members'),
      filter: cmp(attr('value'), 'eq', '2819c223-7f76-453a-919d-413861904646'),
      subAttr: 'displayName',
    },
  },
  // RFC 7644 §3.5.2.2 and §3.5.2.3 examples.
  {
    ref: 'RFC 7644 §3.5.2.2',
    input: 'emails[type eq "work" and value ew "example.com"]',
    expected: { attr: attr('emails'), filter: and(cmp(attr('type'), 'eq', 'work'), cmp(attr('value'), 'ew', 'example.com')) },
  },
  {
    ref: 'RFC 7644 §3.5.2.3',
    input: 'addresses[type eq "work"].streetAddress',
    expected: { attr: attr('addresses'), filter: cmp(attr('type'), 'eq', 'work'), subAttr: 'streetAddress' },
  },
  // Paths Usher's PATCH must accept (RFC 7644 §3.5.2 grammar, §3.10 URN prefixes).
  { ref: 'RFC 7644 §3.5.2', input: 'userName', expected: { attr: attr('userName') } },
  { ref: 'RFC 7644 §3.5.2', input: 'emails[type eq "work"]', expected: { attr: attr('emails'), filter: cmp(attr('type'), 'eq', 'work') } },
  {
    ref: 'RFC 7644 §3.5.2',
    input: 'emails[type eq "work"].value',
    expected: { attr: attr('emails'), filter: cmp(attr('type'), 'eq', 'work'), subAttr: 'value' },
  },
  {
    ref: 'RFC 7644 §3.5.2',
    input: 'addresses[type eq "work"].locality',
    expected: { attr: attr('addresses'), filter: cmp(attr('type'), 'eq', 'work'), subAttr: 'locality' },
  },
  {
    ref: 'RFC 7644 §3.10',
    input: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber',
    expected: { attr: attr('employeeNumber', undefined, ENTERPRISE_USER) },
  },
  {
    ref: 'RFC 7644 §3.10',
    input: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
    expected: { attr: attr('manager', undefined, ENTERPRISE_USER) },
  },
  {
    ref: 'RFC 7644 §3.10',
    input: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
    expected: { attr: attr('manager', 'value', ENTERPRISE_USER) },
  },
  {
    ref: 'RFC 7644 §3.10',
    input: 'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName',
    expected: { attr: attr('name', 'givenName', CORE_USER) },
  },
  // A bare schema URN: the last segment reads as the name; whether that names anything is decided against the schema.
  {
    ref: 'RFC 7644 §3.10 (bare schema id)',
    input: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
    expected: { attr: attr('User', undefined, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0') },
  },
  { ref: 'Usher whitespace', input: '  members \n', expected: { attr: attr('members') } },
  {
    ref: 'Usher unquoted value',
    input: 'emails[type eq work].value',
    expected: { attr: attr('emails'), filter: cmp(attr('type'), 'eq', 'work'), subAttr: 'value' },
  },
  { ref: 'Usher case', input: 'emails[TYPE EQ "work"]', expected: { attr: attr('emails'), filter: cmp(attr('TYPE'), 'eq', 'work') } },
];

describe('parseFilter: vectors', () => {
  it.each(FILTERS)('$ref: $input', ({ input, expected }) => {
    expect(parseFilter(input)).toStrictEqual(expected);
  });

  it.each(FILTERS)('$ref: the canonical print of $input parses back to the same tree', ({ expected }) => {
    expect(parseFilter(printFilter(expected))).toStrictEqual(expected);
  });

  it('keeps -0 apart from 0, as JSON does', () => {
    const parsed = parseFilter('x eq -0');
    expect(parsed.kind === 'compare' && Object.is(parsed.value, -0)).toBe(true);
  });
});

describe('parsePath: vectors', () => {
  it.each(PATHS)('$ref: $input', ({ input, expected }) => {
    expect(parsePath(input)).toStrictEqual(expected);
  });

  it.each(PATHS)('$ref: the canonical print of $input parses back to the same path', ({ expected }) => {
    expect(parsePath(printPath(expected))).toStrictEqual(expected);
  });
});
