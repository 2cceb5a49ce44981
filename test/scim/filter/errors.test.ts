// Syntax errors, limits and hostile inputs for the RFC 7644 §3.4.2.2 filter and §3.5.2 path parsers: only ScimError escapes.

import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import type { Filter } from '../../../src/scim/filter/ast.js';
import { DEFAULT_FILTER_LIMITS, parseFilter, parsePath } from '../../../src/scim/filter/parser.js';
import { printFilter } from '../../../src/scim/filter/print.js';

interface ErrorVector {
  readonly ref: string;
  readonly input: string;
  readonly detail: string;
}

const UNLIMITED = { maxLength: Infinity, maxDepth: Infinity, maxTerms: Infinity };

function caught(run: () => unknown): ScimError {
  try {
    run();
  } catch (error) {
    if (error instanceof ScimError) return error;
    throw new Error(`expected a ScimError, got ${String(error)}`, { cause: error });
  }
  throw new Error('expected a ScimError, but nothing was thrown');
}

const VALUE = 'Expected a value (string, number, true, false or null)';

const FILTER_ERRORS: readonly ErrorVector[] = [
  { ref: 'RFC 7644 §3.4.2.2 FILTER', input: '', detail: 'Expected an attribute path, "not" or "(" at position 0, found end of input' },
  { ref: 'RFC 7644 §3.4.2.2 FILTER', input: '   ', detail: 'Expected an attribute path, "not" or "(" at position 3, found end of input' },
  { ref: 'RFC 7644 §3.4.2.2 compareOp', input: 'userName xx "a"', detail: 'Expected a comparison operator at position 9, found "xx"' },
  { ref: 'RFC 7644 §3.4.2.2 compareOp', input: 'userName', detail: 'Expected a comparison operator at position 8, found end of input' },
  { ref: 'RFC 7644 §3.4.2.2 compareOp', input: 'userName "a"', detail: 'Expected a comparison operator at position 9, found the string "a"' },
  { ref: 'RFC 7644 §3.4.2.2 compareOp', input: 'userName = "a"', detail: 'Expected a comparison operator at position 9, found "="' },
  { ref: 'RFC 7644 §3.4.2.2 compValue', input: 'userName eq', detail: `${VALUE} at position 11, found end of input` },
  { ref: 'RFC 7644 §3.4.2.2 compValue', input: 'userName eq (', detail: `${VALUE} at position 12, found "("` },
  { ref: 'RFC 8259 §6', input: 'x eq 1e999', detail: 'Expected a number within range at position 5, found "1e999"' },
  // Unquoted values (Usher's lenient reading): one word, holding only what a quoted string may hold.
  { ref: 'Usher unquoted value', input: 'userName eq ]', detail: `${VALUE} at position 12, found "]"` },
  { ref: 'Usher unquoted value', input: 'userName eq Barbara Jensen', detail: 'Expected "and", "or" or end of input at position 20, found "Jensen"' },
  { ref: 'Usher unquoted value', input: 'userName eq foo"bar"', detail: 'Expected "and", "or" or end of input at position 15, found the string "bar"' },
  { ref: 'Usher unquoted value', input: 'userName eq a(b)', detail: 'Expected "and", "or" or end of input at position 13, found "("' },
  { ref: 'Usher unquoted value', input: '(userName eq a]', detail: 'Expected "and", "or" or ")" at position 14, found "]"' },
  { ref: 'Usher unquoted value', input: 'emails[type eq work)', detail: 'Expected "and", "or" or "]" at position 19, found ")"' },
  { ref: 'Usher unquoted value', input: 'userName eq a\u0001b', detail: 'Control character U+0001 in an unquoted value at position 13' },
  { ref: 'Usher unquoted value', input: 'userName eq \u0000', detail: 'Control character U+0000 in an unquoted value at position 12' },
  { ref: 'Usher unquoted value', input: 'userName eq ab\ud800', detail: 'Unpaired surrogate in an unquoted value at position 14' },
  { ref: 'Usher unquoted value', input: 'userName eq \udc00x', detail: 'Unpaired surrogate in an unquoted value at position 12' },
  { ref: 'RFC 8259 §7', input: 'x eq "abc', detail: 'Unterminated string starting at position 5' },
  { ref: 'RFC 8259 §7', input: 'x eq "abc\\', detail: 'Unterminated string starting at position 5' },
  { ref: 'RFC 8259 §7', input: 'x eq "abc\\"', detail: 'Unterminated string starting at position 5' },
  { ref: 'RFC 8259 §7', input: 'x eq "a\\xb"', detail: 'Invalid escape "\\x" in a string at position 7' },
  { ref: 'RFC 8259 §7', input: "x eq \"\\'\"", detail: 'Invalid escape "\\\'" in a string at position 6' },
  { ref: 'RFC 8259 §7', input: 'x eq "\\u12G4"', detail: 'Invalid escape "\\u" (four hex digits expected) in a string at position 6' },
  { ref: 'RFC 8259 §7', input: 'x eq "\\u12"', detail: 'Invalid escape "\\u" (four hex digits expected) in a string at position 6' },
  { ref: 'RFC 8259 §7', input: 'x eq "\\ud83d"', detail: 'Unpaired surrogate escape in a string at position 6' },
  { ref: 'PostgreSQL text', input: 'x eq "a\\u0000b"', detail: 'NUL escape (\\u0000) in a string at position 7: no attribute value can hold it' },
  { ref: 'RFC 8259 §7', input: 'x eq "\\ude00\\ud83d"', detail: 'Unpaired surrogate escape in a string at position 6' },
  { ref: 'RFC 8259 §7', input: 'x eq "\\ud83d\\u0041"', detail: 'Unpaired surrogate escape in a string at position 6' },
  { ref: 'RFC 8259 §7', input: 'x eq "\\ud83d\\x"', detail: 'Unpaired surrogate escape in a string at position 6' },
  { ref: 'RFC 8259 §7', input: 'x eq "a\ud800"', detail: 'Unpaired surrogate in a string at position 7' },
  { ref: 'RFC 8259 §7', input: 'x eq "a\nb"', detail: 'Control character U+000A must be escaped in a string at position 7' },
  { ref: 'RFC 8259 §7', input: 'x eq "\u0000"', detail: 'Control character U+0000 must be escaped in a string at position 6' },
  { ref: 'RFC 7644 §3.4.2.2 logExp', input: 'userName eq "a" b', detail: 'Expected "and", "or" or end of input at position 16, found "b"' },
  { ref: 'RFC 7644 §3.4.2.2 logExp', input: 'title pr "x"', detail: 'Expected "and", "or" or end of input at position 9, found the string "x"' },
  { ref: 'RFC 7644 §3.4.2.2 logExp', input: 'userName pr and', detail: 'Expected an attribute path, "not" or "(" at position 15, found end of input' },
  { ref: 'RFC 7644 §3.4.2.2 logExp', input: 'and userName pr', detail: 'Expected a comparison operator at position 4, found "userName"' },
  { ref: 'RFC 7644 §3.4.2.2 logExp', input: 'a pr or or b pr', detail: 'Expected a comparison operator at position 11, found "b"' },
  { ref: 'RFC 7644 §3.4.2.2 grouping', input: '(userName pr', detail: 'Expected "and", "or" or ")" at position 12, found end of input' },
  { ref: 'RFC 7644 §3.4.2.2 grouping', input: 'userName pr)', detail: 'Expected "and", "or" or end of input at position 11, found ")"' },
  { ref: 'RFC 7644 §3.4.2.2 grouping', input: '()', detail: 'Expected an attribute path, "not" or "(" at position 1, found ")"' },
  { ref: 'RFC 7644 §3.4.2.2 grouping', input: '(a pr]', detail: 'Expected "and", "or" or ")" at position 5, found "]"' },
  { ref: 'RFC 7644 §3.4.2.2 not', input: 'not userName pr', detail: 'Expected "(" after "not" at position 4, found "userName"' },
  { ref: 'RFC 7644 §3.4.2.2 not', input: 'a pr and not', detail: 'Expected "(" after "not" at position 12, found end of input' },
  { ref: 'RFC 7644 §3.4.2.2 valuePath', input: 'emails[type eq "work"', detail: 'Expected "and", "or" or "]" at position 21, found end of input' },
  { ref: 'RFC 7644 §3.4.2.2 valuePath', input: 'emails[type eq "work")', detail: 'Expected "and", "or" or "]" at position 21, found ")"' },
  { ref: 'RFC 7644 §3.4.2.2 valuePath', input: 'emails[]', detail: 'Expected an attribute path, "not" or "(" at position 7, found "]"' },
  { ref: 'RFC 7644 §3.4.2.2 valuePath', input: 'emails]', detail: 'Expected a comparison operator at position 6, found "]"' },
  {
    ref: 'RFC 7644 §3.4.2.2 valuePath (no nesting)',
    input: 'emails[type[value eq 1]]',
    detail: 'Expected a comparison operator, not a nested "[", at position 11',
  },
  {
    ref: 'RFC 7643 §2.3.8 (one level of sub-attributes)',
    input: 'emails[type.value eq 1]',
    detail: 'Expected a sub-attribute name at position 7, found "type.value"',
  },
  {
    ref: 'RFC 7643 §2.3.8 (one level of sub-attributes)',
    input: 'emails[urn:x:y:type eq 1]',
    detail: 'Expected a sub-attribute name at position 7, found "urn:x:y:type"',
  },
  {
    ref: 'RFC 7644 §3.4.2.2 valuePath',
    input: 'name.familyName[value eq 1]',
    detail: 'Expected "[" to follow an attribute without a sub-attribute at position 15',
  },
  { ref: 'RFC 7644 §3.4.2.2 ATTRNAME', input: '1abc pr', detail: 'Expected an attribute path at position 0, found "1abc"' },
  { ref: 'RFC 7644 §3.4.2.2 ATTRNAME', input: 'a pr and _x pr', detail: 'Expected an attribute path at position 9, found "_x"' },
  { ref: 'RFC 7644 §3.4.2.2 subAttr', input: 'name.given.x pr', detail: 'Expected an attribute path at position 0, found "name.given.x"' },
  { ref: 'RFC 7644 §3.4.2.2 subAttr', input: 'name. pr', detail: 'Expected an attribute path at position 0, found "name."' },
  { ref: 'RFC 7644 §3.4.2.2 subAttr', input: '.name pr', detail: 'Expected an attribute path at position 0, found ".name"' },
  { ref: 'RFC 7644 §3.4.2.2 URI', input: 'foo:bar pr', detail: 'Expected an attribute path at position 0, found "foo:bar"' },
  { ref: 'RFC 7644 §3.4.2.2 URI', input: 'urn:userName pr', detail: 'Expected an attribute path at position 0, found "urn:userName"' },
  {
    ref: 'RFC 7644 §3.4.2.2 URI',
    input: 'urn:ietf:params:scim:schemas:core:2.0:User: pr',
    detail: 'Expected an attribute path at position 0, found "urn:ietf:params:scim:schemas:core:2.0:Us…"',
  },
  { ref: 'RFC 7644 §3.4.2.2 URI', input: 'urn::x:name pr', detail: 'Expected an attribute path at position 0, found "urn::x:name"' },
  {
    ref: 'Usher extension (valuePath.subAttr)',
    input: 'emails[type eq "work"] .value eq "x"',
    detail: 'Expected "and", "or" or end of input at position 23, found ".value"',
  },
  {
    ref: 'Usher extension (valuePath.subAttr)',
    input: 'emails[type eq "work"].1x eq "x"',
    detail: 'Expected "." and a sub-attribute name after "]" at position 22, found ".1x"',
  },
  {
    ref: 'Usher extension (valuePath.subAttr)',
    input: 'emails[type eq "work"].value.x eq "x"',
    detail: 'Expected "." and a sub-attribute name after "]" at position 22, found ".value.x"',
  },
  {
    ref: 'Usher extension (valuePath.subAttr)',
    input: 'emails[type eq "work"].value',
    detail: 'Expected a comparison operator at position 28, found end of input',
  },
  {
    ref: 'Usher error detail (long tokens are cut)',
    input: `a eq 1 ${'b'.repeat(100)}`,
    detail: `Expected "and", "or" or end of input at position 7, found "${'b'.repeat(40)}…"`,
  },
];

const PATH_ERRORS: readonly ErrorVector[] = [
  { ref: 'RFC 7644 §3.5.2 PATH', input: '', detail: 'Expected an attribute path at position 0, found end of input' },
  { ref: 'RFC 7644 §3.5.2 PATH', input: '[type eq "work"]', detail: 'Expected an attribute path at position 0, found "["' },
  { ref: 'RFC 7644 §3.5.2 PATH', input: 'userName eq "x"', detail: 'Expected "[" or end of input at position 9, found "eq"' },
  { ref: 'RFC 7644 §3.5.2 PATH', input: 'name.given.x', detail: 'Expected an attribute path at position 0, found "name.given.x"' },
  { ref: 'RFC 7644 §3.5.2 PATH', input: 'emails[type eq "work"', detail: 'Expected "and", "or" or "]" at position 21, found end of input' },
  { ref: 'RFC 7644 §3.5.2 PATH', input: 'emails[]', detail: 'Expected an attribute path, "not" or "(" at position 7, found "]"' },
  { ref: 'RFC 7644 §3.5.2 PATH', input: 'emails[type]', detail: 'Expected a comparison operator at position 11, found "]"' },
  {
    ref: 'RFC 7644 §3.5.2 PATH',
    input: 'name.familyName[type eq "x"]',
    detail: 'Expected "[" to follow an attribute without a sub-attribute at position 15',
  },
  {
    ref: 'RFC 7644 §3.5.2 PATH',
    input: 'emails[type eq "work"].value.x',
    detail: 'Expected "." and a sub-attribute name after "]" at position 22, found ".value.x"',
  },
  {
    ref: 'RFC 7644 §3.5.2 PATH',
    input: 'emails[type eq "work"] value',
    detail: 'Expected "." and a sub-attribute, or end of input, at position 23, found "value"',
  },
  {
    ref: 'RFC 7644 §3.5.2 PATH',
    input: 'emails[type eq "work"].value eq "x"',
    detail: 'Expected end of input at position 29, found "eq"',
  },
  {
    ref: 'RFC 7644 §3.5.2 PATH',
    input: 'emails[type eq "work"][value eq "x"]',
    detail: 'Expected "." and a sub-attribute, or end of input, at position 22, found "["',
  },
  { ref: 'RFC 7644 §3.5.2 PATH', input: 'emails[type eq "wo\\rk\\q"]', detail: 'Invalid escape "\\q" in a string at position 21' },
  {
    ref: 'RFC 7644 §3.5.2 PATH',
    input: 'emails[type[value eq 1]]',
    detail: 'Expected a comparison operator, not a nested "[", at position 11',
  },
];

describe('parseFilter: syntax errors', () => {
  it.each(FILTER_ERRORS)('$ref: $input', ({ input, detail }) => {
    const error = caught(() => parseFilter(input));
    expect(error.scimType).toBe('invalidFilter');
    expect(error.status).toBe(400);
    expect(error.detail).toBe(detail);
  });
});

describe('parsePath: syntax errors', () => {
  it.each(PATH_ERRORS)('$ref: $input', ({ input, detail }) => {
    const error = caught(() => parsePath(input));
    expect(error.scimType).toBe('invalidPath');
    expect(error.status).toBe(400);
    expect(error.detail).toBe(detail);
  });

  it('applies the filter limits to the filter inside a path', () => {
    const path = `emails[${'('.repeat(32)}type pr${')'.repeat(32)}]`;
    expect(caught(() => parsePath(path)).detail).toBe('Filter nests deeper than 32 levels (maxDepth) at position 38');
    expect(caught(() => parsePath(`x${'y'.repeat(8192)}`)).detail).toBe('Path is 8193 characters long, more than 8192 (maxLength)');
  });
});

describe('parseFilter: limits', () => {
  const nested = (levels: number, open: string, close: string, inner = 'a pr'): string =>
    `${open.repeat(levels)}${inner}${close.repeat(levels)}`;
  const terms = (count: number): string => Array.from({ length: count }, (_, i) => `a${i} pr`).join(' and ');

  it('has the documented defaults', () => {
    expect(DEFAULT_FILTER_LIMITS).toStrictEqual({ maxLength: 8192, maxDepth: 32, maxTerms: 256 });
    expect(Object.isFrozen(DEFAULT_FILTER_LIMITS)).toBe(true);
  });

  it('maxLength counts characters', () => {
    const atLimit = `x eq "${'y'.repeat(8192 - 7)}"`;
    expect(atLimit).toHaveLength(8192);
    expect(parseFilter(atLimit).kind).toBe('compare');
    const error = caught(() => parseFilter(`${atLimit} `));
    expect(error.scimType).toBe('invalidFilter');
    expect(error.detail).toBe('Filter is 8193 characters long, more than 8192 (maxLength)');
    expect(caught(() => parseFilter('a pr', { maxLength: 3 })).detail).toBe('Filter is 4 characters long, more than 3 (maxLength)');
  });

  it('maxDepth counts parentheses', () => {
    expect(parseFilter(nested(32, '(', ')'))).toStrictEqual({ kind: 'present', attr: { name: 'a' } });
    expect(caught(() => parseFilter(nested(33, '(', ')'))).detail).toBe('Filter nests deeper than 32 levels (maxDepth) at position 32');
  });

  it('maxDepth counts "not (...)" as one level', () => {
    expect(parseFilter(nested(32, 'not (', ')')).kind).toBe('not');
    expect(caught(() => parseFilter(nested(33, 'not (', ')'))).detail).toBe(
      'Filter nests deeper than 32 levels (maxDepth) at position 160',
    );
  });

  it('maxDepth counts "[...]"', () => {
    expect(parseFilter(nested(31, '(', ')', 'emails[type pr]')).kind).toBe('valuePath');
    expect(caught(() => parseFilter(nested(32, '(', ')', 'emails[type pr]'))).detail).toBe(
      'Filter nests deeper than 32 levels (maxDepth) at position 38',
    );
    expect(caught(() => parseFilter('emails[(type pr)]', { maxDepth: 1 })).detail).toBe(
      'Filter nests deeper than 1 levels (maxDepth) at position 7',
    );
  });

  it('maxTerms counts compare and present nodes', () => {
    expect(parseFilter(terms(256)).kind).toBe('and');
    const error = caught(() => parseFilter(terms(257)));
    expect(error.scimType).toBe('invalidFilter');
    expect(error.detail).toMatch(/^Filter has more than 256 comparisons \(maxTerms\) at position \d+$/);
    expect(caught(() => parseFilter('emails[type eq "work"].value pr', { maxTerms: 1 })).detail).toBe(
      'Filter has more than 1 comparisons (maxTerms) at position 29',
    );
  });

  it('takes partial limits, keeping the defaults for the rest', () => {
    expect(parseFilter(terms(300), { maxTerms: 300, maxLength: 100_000 }).kind).toBe('and');
    expect(caught(() => parseFilter(nested(33, '(', ')'), { maxTerms: 300 })).detail).toContain('maxDepth');
  });
});

describe('parseFilter: hostile inputs', () => {
  const MB = 1 << 20;

  it('rejects 1 MB of input by length before reading it', () => {
    for (const input of ['a'.repeat(MB), `x eq "${'y'.repeat(MB)}"`, '('.repeat(MB), '"'.repeat(MB)]) {
      expect(caught(() => parseFilter(input)).detail).toBe(`Filter is ${input.length} characters long, more than 8192 (maxLength)`);
    }
  });

  it('parses 1 MB when the limits allow it, in linear time and without recursion', () => {
    const chain = Array.from({ length: MB / 16 }, (_, i) => `a${i} pr`).join(' and ');
    const tree = parseFilter(chain, UNLIMITED);
    let leftmost: Filter = tree;
    let depth = 0;
    while (leftmost.kind === 'and') {
      leftmost = leftmost.left;
      depth++;
    }
    expect(depth).toBe(MB / 16 - 1);
    expect(printFilter(tree)).toBe(chain);

    const longString = `x eq "${'y\\n'.repeat(MB / 3)}"`;
    const parsed = parseFilter(longString, UNLIMITED);
    expect(parsed.kind === 'compare' && parsed.value).toBe('y\n'.repeat(MB / 3));
  });

  it('reports the limit, not a stack overflow, for 10,000 nested parentheses', () => {
    const deep = `${'('.repeat(10_000)}a pr${')'.repeat(10_000)}`;
    expect(caught(() => parseFilter(deep)).detail).toBe('Filter is 20004 characters long, more than 8192 (maxLength)');
    expect(caught(() => parseFilter(deep, { maxLength: Infinity })).detail).toBe(
      'Filter nests deeper than 32 levels (maxDepth) at position 32',
    );
    expect(parseFilter(deep, UNLIMITED)).toStrictEqual({ kind: 'present', attr: { name: 'a' } });
    expect(caught(() => parseFilter('('.repeat(10_000), UNLIMITED)).detail).toBe(
      'Expected an attribute path, "not" or "(" at position 10000, found end of input',
    );
    expect(caught(() => parseFilter(`${'('.repeat(10_000)}a pr`, UNLIMITED)).detail).toBe(
      'Expected "and", "or" or ")" at position 10004, found end of input',
    );
  });

  it('builds and prints a 10,000-deep "not" tree without recursion', () => {
    const deep = `${'not ('.repeat(10_000)}a pr${')'.repeat(10_000)}`;
    const tree = parseFilter(deep, UNLIMITED);
    let node: Filter = tree;
    let nots = 0;
    while (node.kind === 'not') {
      node = node.filter;
      nots++;
    }
    expect(nots).toBe(10_000);
    expect(printFilter(tree)).toBe(deep);
  });

  it('rejects input that is not a string', () => {
    expect(caught(() => parseFilter(undefined as unknown as string)).detail).toBe('Filter must be a string');
    expect(caught(() => parsePath(42 as unknown as string)).scimType).toBe('invalidPath');
  });
});
