// Tokens and offsets of the RFC 7644 §3.4.2.2 filter lexer, and its JSON string decoding (RFC 8259 §7).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeToken, Lexer } from '../../../src/scim/filter/lexer.js';
import type { Token } from '../../../src/scim/filter/lexer.js';

class LexFault extends Error {}
const fail = (detail: string): Error => new LexFault(detail);

function tokens(text: string): Token[] {
  const lexer = new Lexer(text, fail);
  const out: Token[] = [];
  for (let token = lexer.next(); ; token = lexer.next()) {
    out.push(token);
    if (token.kind === 'end') return out;
  }
}

describe('Lexer', () => {
  it('splits words, strings and brackets, with 0-based offsets', () => {
    expect(tokens('emails[type eq "work"].value pr and (x ge -1.5)')).toStrictEqual([
      { kind: 'word', text: 'emails', start: 0, end: 6 },
      { kind: '[', start: 6, end: 7 },
      { kind: 'word', text: 'type', start: 7, end: 11 },
      { kind: 'word', text: 'eq', start: 12, end: 14 },
      { kind: 'string', value: 'work', start: 15, end: 21 },
      { kind: ']', start: 21, end: 22 },
      { kind: 'word', text: '.value', start: 22, end: 28 },
      { kind: 'word', text: 'pr', start: 29, end: 31 },
      { kind: 'word', text: 'and', start: 32, end: 35 },
      { kind: '(', start: 36, end: 37 },
      { kind: 'word', text: 'x', start: 37, end: 38 },
      { kind: 'word', text: 'ge', start: 39, end: 41 },
      { kind: 'word', text: '-1.5', start: 42, end: 46 },
      { kind: ')', start: 46, end: 47 },
      { kind: 'end', start: 47, end: 47 },
    ]);
  });

  it('keeps a URN with its dots and colons in one word', () => {
    expect(tokens(' urn:ietf:params:scim:schemas:core:2.0:User:name.givenName\tsw"J"')).toStrictEqual([
      { kind: 'word', text: 'urn:ietf:params:scim:schemas:core:2.0:User:name.givenName', start: 1, end: 58 },
      { kind: 'word', text: 'sw', start: 59, end: 61 },
      { kind: 'string', value: 'J', start: 61, end: 64 },
      { kind: 'end', start: 64, end: 64 },
    ]);
  });

  it('peeks without consuming', () => {
    const lexer = new Lexer('a b', fail);
    expect(lexer.peek()).toBe(lexer.peek());
    expect(lexer.next()).toMatchObject({ text: 'a' });
    expect(lexer.next()).toMatchObject({ text: 'b' });
    expect(lexer.next().kind).toBe('end');
    expect(lexer.next().kind).toBe('end');
  });

  // Every string but one holding NUL, which no stored text can hold (refused: see errors.test.ts).
  const storable = fc.string({ unit: 'binary' }).filter((value) => !value.includes('\u0000'));

  it('decodes every JSON string as JSON.parse does', () => {
    fc.assert(
      fc.property(storable, (value) => {
        const [token] = tokens(JSON.stringify(value));
        expect(token).toStrictEqual({ kind: 'string', value, start: 0, end: JSON.stringify(value).length });
      }),
      { numRuns: 1000 },
    );
  });

  it('decodes JSON strings written with \\u escapes for every code unit', () => {
    fc.assert(
      fc.property(storable, (value) => {
        const escaped = `"${Array.from(value, (ch) =>
          Array.from({ length: ch.length }, (_, i) => `\\u${ch.charCodeAt(i).toString(16).padStart(4, '0')}`).join(''),
        ).join('')}"`;
        expect(tokens(escaped)[0]).toMatchObject({ kind: 'string', value });
      }),
      { numRuns: 500 },
    );
  });

  it('uses the given error factory for lexical faults', () => {
    expect(() => tokens('"abc')).toThrow(LexFault);
    expect(() => tokens('"abc')).toThrow('Unterminated string starting at position 0');
  });

  it('describes tokens for error details', () => {
    expect(tokens('abc "x" ( ] ').map(describeToken)).toStrictEqual(['"abc"', 'the string "x"', '"("', '"]"', 'end of input']);
    expect(describeToken({ kind: 'word', text: 'w'.repeat(41), start: 0, end: 41 })).toBe(`"${'w'.repeat(40)}…"`);
  });
});
