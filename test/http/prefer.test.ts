import { describe, expect, it } from 'vitest';
import { parsePrefer } from '../../src/http/prefer.js';

describe('parsePrefer (RFC 7240 §2)', () => {
  it('reads names case-insensitively, with and without values', () => {
    expect([...parsePrefer('respond-async, Wait=100, totalResults=omit')]).toEqual([
      ['respond-async', ''],
      ['wait', '100'],
      ['totalresults', 'omit'],
    ]);
  });

  it('keeps the first of a repeated preference, and drops parameters', () => {
    expect(parsePrefer('totalResults=omit; foo=bar, totalResults=exact').get('totalresults')).toBe('omit');
  });

  it('unquotes quoted values, commas and semicolons inside them included', () => {
    const prefs = parsePrefer('a="x, y; z", b="say \\"hi\\""');
    expect(prefs.get('a')).toBe('x, y; z');
    expect(prefs.get('b')).toBe('say "hi"');
  });

  it('skips what does not parse, and is empty without a header', () => {
    expect([...parsePrefer('=omit, "quoted", ok, bad name=1, c=')]).toEqual([['ok', '']]);
    expect(parsePrefer(undefined).size).toBe(0);
    expect(parsePrefer('').size).toBe(0);
  });
});
