// What text PostgreSQL can store, and UTF-8 lengths: property tests against Node's own encoder.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findJsonTextFault, isStorableText, printable, unstorableCharacter, utf8Length } from '../../src/scim/text.js';

describe('utf8Length', () => {
  it('counts what Buffer.byteLength counts, for any well-formed text', () => {
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => utf8Length(text) === Buffer.byteLength(text, 'utf8')), { numRuns: 500 });
  });

  it.each([
    ['', 0],
    ['abc', 3],
    ['é', 2],
    ['€', 3],
    ['😀', 4],
    // A lone surrogate would be written as U+FFFD: three bytes.
    ['\ud800', 3],
  ])('%j is %i bytes', (text, bytes) => expect(utf8Length(text)).toBe(bytes));
});

describe('unstorable text', () => {
  it.each([
    ['a\u0000b', 'a NUL character (\\u0000)'],
    ['\ud800', 'a lone UTF-16 surrogate (\\ud800)'],
    ['x\udfff', 'a lone UTF-16 surrogate (\\udfff)'],
    ['\udc00\ud800', 'a lone UTF-16 surrogate (\\udc00)'],
  ])('%j: %s', (text, problem) => {
    expect(unstorableCharacter(text)).toBe(problem);
    expect(isStorableText(text)).toBe(false);
  });

  it('a surrogate pair, and any text without NUL or lone surrogates, is storable', () => {
    expect(isStorableText('😀\ud83d\ude00 é')).toBe(true);
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (text) => isStorableText(text) === !text.includes('\u0000')), { numRuns: 500 });
  });

  it('printable escapes what it finds, and only that', () => {
    expect(printable('a\u0000b\ud800😀')).toBe('a\\u0000b\\ud800😀');
  });
});

describe('findJsonTextFault', () => {
  it('names the first fault by its path, in values and in member names', () => {
    expect(findJsonTextFault({ userName: 'ok', emails: [{ value: 'ok' }, { value: 'x\u0000' }] })).toEqual({
      kind: 'unstorable',
      path: 'emails[1].value',
      problem: 'a NUL character (\\u0000)',
    });
    expect(findJsonTextFault({ a: { ['k\ud800']: 1 } })).toMatchObject({ kind: 'unstorable', path: 'a.k\\ud800' });
    expect(findJsonTextFault('\u0000')).toMatchObject({ kind: 'unstorable', path: '' });
    expect(findJsonTextFault({ a: [1, true, null, 'fine', { b: 'fine' }] })).toBeUndefined();
  });

  it('refuses a document nested deeper than the bound, without recursion', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(findJsonTextFault(deep)).toMatchObject({ kind: 'tooDeep', maxDepth: 32 });
    expect(findJsonTextFault(JSON.parse(`${'['.repeat(32)}${']'.repeat(32)}`))).toBeUndefined();
    expect(findJsonTextFault(JSON.parse(`${'['.repeat(33)}${']'.repeat(33)}`))).toMatchObject({ kind: 'tooDeep' });
  });

  it('agrees with a recursive walk on random JSON', () => {
    const recursive = (value: unknown): boolean =>
      typeof value === 'string'
        ? !isStorableText(value)
        : typeof value === 'object' && value !== null && Object.entries(value).some(([k, v]) => !isStorableText(k) || recursive(v));
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), fc.constantFrom('', '\u0000', '\ud800'), (value, extra) => {
        const document = { value, [`k${extra}`]: extra };
        expect(findJsonTextFault(document)?.kind === 'unstorable').toBe(recursive(document));
      }),
      { numRuns: 300 },
    );
  });
});
