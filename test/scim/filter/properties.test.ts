// Property tests for the RFC 7644 §3.4.2.2 filter and §3.5.2 path parsers: print/parse round trips, and only ScimError escapes.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../src/scim/errors.js';
import { parseFilter, parsePath } from '../../../src/scim/filter/parser.js';
import type { Filter } from '../../../src/scim/filter/ast.js';
import { printAttrPath, printFilter, printPath } from '../../../src/scim/filter/print.js';
import { bareWord, FILTER_FRAGMENTS, filterish, filterTree, isBareWord, patchPath } from './arbitraries.js';

const RUNS = 2000;
const UNLIMITED = { maxLength: Infinity, maxDepth: Infinity, maxTerms: Infinity };

/** Runs `parse` on `input`; it must return, or throw a ScimError of `scimType` whose detail places the fault in `input`. */
function parsesOrRejects(parse: (text: string) => unknown, scimType: 'invalidFilter' | 'invalidPath', input: string): void {
  let result: unknown;
  try {
    result = parse(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ScimError);
    const scimError = error as ScimError;
    expect(scimError.scimType).toBe(scimType);
    expect(scimError.status).toBe(400);
    const position = /at position (\d+)/.exec(scimError.detail);
    expect(position ?? scimError.detail.match(/\((maxLength|maxDepth|maxTerms)\)/)).not.toBeNull();
    if (position) expect(Number(position[1])).toBeLessThanOrEqual(input.length);
    return;
  }
  expect(result).toBeTypeOf('object');
}

/** A valid filter's canonical text with one random edit: mostly near misses of the grammar. */
const mutatedFilter = fc
  .tuple(filterTree, fc.nat(), fc.nat({ max: 4 }), fc.constantFrom('', ...FILTER_FRAGMENTS))
  .map(([tree, at, cut, insert]) => {
    const text = printFilter(tree);
    const start = at % (text.length + 1);
    return text.slice(0, start) + insert + text.slice(start + cut);
  });

const anyText = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme' }),
  fc.string({ unit: 'binary' }),
  // Lone surrogates and control characters too.
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)) }),
  filterish,
  mutatedFilter,
);

describe('printFilter / parseFilter round trip', () => {
  it('parses the canonical print of any filter tree back to the identical tree', () => {
    fc.assert(
      fc.property(filterTree, (tree) => {
        expect(parseFilter(printFilter(tree), UNLIMITED)).toStrictEqual(tree);
      }),
      { numRuns: RUNS },
    );
  });

  it('prints any parsed filter so that it parses to the same tree', () => {
    fc.assert(
      fc.property(fc.oneof(filterish, mutatedFilter), (text) => {
        let tree;
        try {
          tree = parseFilter(text, UNLIMITED);
        } catch {
          return;
        }
        expect(parseFilter(printFilter(tree), UNLIMITED)).toStrictEqual(tree);
      }),
      { numRuns: RUNS },
    );
  });
});

/**
 * Prints a filter fully parenthesised, with every string that can be written without quotes written so: the text a
 * client relying on Usher's lenient reading of unquoted values sends.
 */
function printUnquoted(filter: Filter): string {
  switch (filter.kind) {
    case 'compare': {
      const quoted = Object.is(filter.value, -0) ? '-0' : JSON.stringify(filter.value);
      const value = typeof filter.value === 'string' && isBareWord(filter.value) ? filter.value : quoted;
      return `${printAttrPath(filter.attr)} ${filter.op} ${value}`;
    }
    case 'present':
      return `${printAttrPath(filter.attr)} pr`;
    case 'and':
    case 'or':
      return `(${printUnquoted(filter.left)} ${filter.kind} ${printUnquoted(filter.right)})`;
    case 'not':
      return `not (${printUnquoted(filter.filter)})`;
    case 'valuePath':
      return `${printAttrPath(filter.attr)}[${printUnquoted(filter.filter)}]`;
  }
}

describe('unquoted values', () => {
  it('read as the string they spell: the tree is the one its quoted print gives', () => {
    fc.assert(
      fc.property(filterTree, (tree) => {
        expect(parseFilter(printUnquoted(tree), UNLIMITED)).toStrictEqual(tree);
      }),
      { numRuns: RUNS },
    );
  });

  it('a bare word compares as its quoted form, whatever follows it', () => {
    fc.assert(
      fc.property(bareWord, fc.constantFrom('', ' and b pr', ' or not (b pr)', ')', ']'), (word, rest) => {
        const [open, close] = rest === ')' ? ['(', ''] : rest === ']' ? ['e[', ''] : ['', ''];
        const unquoted = `${open}a eq ${word}${close}${rest}`;
        const quoted = `${open}a eq ${JSON.stringify(word)}${close}${rest}`;
        expect(parseFilter(unquoted, UNLIMITED)).toStrictEqual(parseFilter(quoted, UNLIMITED));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('printPath / parsePath round trip', () => {
  it('parses the canonical print of any PATCH path back to the identical path', () => {
    fc.assert(
      fc.property(patchPath, (path) => {
        expect(parsePath(printPath(path))).toStrictEqual(path);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('only ScimError escapes', () => {
  it('parseFilter returns a tree or throws invalidFilter, whatever the input', () => {
    fc.assert(
      fc.property(anyText, (text) => parsesOrRejects(parseFilter, 'invalidFilter', text)),
      { numRuns: RUNS * 3 },
    );
  });

  it('parseFilter under tight limits returns a tree or throws invalidFilter', () => {
    const limits = { maxLength: 40, maxDepth: 2, maxTerms: 2 };
    fc.assert(
      fc.property(anyText, (text) => parsesOrRejects((input) => parseFilter(input, limits), 'invalidFilter', text)),
      { numRuns: RUNS },
    );
  });

  it('parsePath returns a path or throws invalidPath, whatever the input', () => {
    const pathish = fc.oneof(anyText, patchPath.map(printPath), filterish.map((text) => `emails[${text}]`));
    fc.assert(
      fc.property(pathish, (text) => parsesOrRejects(parsePath, 'invalidPath', text)),
      { numRuns: RUNS * 2 },
    );
  });
});
