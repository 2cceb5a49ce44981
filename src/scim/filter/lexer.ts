// Splits SCIM filter and PATCH path text into tokens with their 0-based offsets (RFC 7644 §3.4.2.2, §3.5.2; strings per RFC 8259 §7).

/**
 * A `word` is any run of characters other than whitespace, brackets, parentheses and quotes: attribute paths, operators,
 * keywords, numbers and literals are told apart by the parser, which knows what it expects at each place. Keeping URNs
 * (`urn:...:2.0:User:name.givenName`) in one word avoids guessing where the URN ends while lexing.
 */
export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly start: number; readonly end: number }
  | { readonly kind: 'string'; readonly value: string; readonly start: number; readonly end: number }
  | { readonly kind: '(' | ')' | '[' | ']'; readonly start: number; readonly end: number }
  | { readonly kind: 'end'; readonly start: number; readonly end: number };

/** Builds the error thrown for a lexical fault; the parser passes one that makes invalidFilter or invalidPath. */
export type LexError = (detail: string) => Error;

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const DELIMITER = new Set([0x28, 0x29, 0x5b, 0x5d, 0x22]); // ( ) [ ] "
const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};
const HEX4 = /^[0-9A-Fa-f]{4}$/;

export const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
export const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** A pull lexer with one token of look-ahead; it never backtracks, so lexing is linear in the input. */
export class Lexer {
  readonly #text: string;
  readonly #fail: LexError;
  #pos = 0;
  #peeked: Token | undefined;

  constructor(text: string, fail: LexError) {
    this.#text = text;
    this.#fail = fail;
  }

  peek(): Token {
    this.#peeked ??= this.#scan();
    return this.#peeked;
  }

  next(): Token {
    const token = this.peek();
    this.#peeked = undefined;
    return token;
  }

  #scan(): Token {
    const text = this.#text;
    let i = this.#pos;
    while (i < text.length && SPACE.has(text.charCodeAt(i))) i++;
    const start = i;
    if (i >= text.length) {
      this.#pos = i;
      return { kind: 'end', start, end: start };
    }
    const ch = text[i];
    if (ch === '(' || ch === ')' || ch === '[' || ch === ']') {
      this.#pos = i + 1;
      return { kind: ch, start, end: i + 1 };
    }
    if (ch === '"') return this.#scanString(start);
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (SPACE.has(code) || DELIMITER.has(code)) break;
      i++;
    }
    this.#pos = i;
    return { kind: 'word', text: text.slice(start, i), start, end: i };
  }

  /** JSON string rules (RFC 8259 §7), except that unpaired surrogates and NUL are refused: no stored text holds them. */
  #scanString(start: number): Token {
    const text = this.#text;
    const parts: string[] = [];
    let i = start + 1;
    let chunk = i;
    while (i < text.length) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        parts.push(text.slice(chunk, i));
        this.#pos = i + 1;
        return { kind: 'string', value: parts.join(''), start, end: i + 1 };
      }
      if (code === 0x5c) {
        parts.push(text.slice(chunk, i));
        i = this.#scanEscape(start, i, parts);
        chunk = i;
        continue;
      }
      if (code < 0x20) {
        throw this.#fail(
          `Control character U+${code.toString(16).toUpperCase().padStart(4, '0')} must be escaped in a string at position ${i}`,
        );
      }
      if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1))) {
        i += 2;
        continue;
      }
      if (isHighSurrogate(code) || isLowSurrogate(code)) throw this.#fail(`Unpaired surrogate in a string at position ${i}`);
      i++;
    }
    throw this.#fail(`Unterminated string starting at position ${start}`);
  }

  /** Decodes the escape at `i` (a backslash) into `parts` and returns the offset after it. */
  #scanEscape(stringStart: number, i: number, parts: string[]): number {
    const text = this.#text;
    if (i + 1 >= text.length) throw this.#fail(`Unterminated string starting at position ${stringStart}`);
    const letter = text[i + 1] as string;
    const simple = SIMPLE_ESCAPES[letter];
    if (simple !== undefined) {
      parts.push(simple);
      return i + 2;
    }
    if (letter !== 'u') throw this.#fail(`Invalid escape "\\${letter}" in a string at position ${i}`);
    const unit = this.#hex4(i);
    // Valid JSON, but no stored text can hold it (PostgreSQL refuses it): refused here rather than by the database.
    if (unit === 0) throw this.#fail(`NUL escape (\\u0000) in a string at position ${i}: no attribute value can hold it`);
    if (isLowSurrogate(unit)) throw this.#fail(`Unpaired surrogate escape in a string at position ${i}`);
    if (!isHighSurrogate(unit)) {
      parts.push(String.fromCharCode(unit));
      return i + 6;
    }
    if (text[i + 6] !== '\\' || text[i + 7] !== 'u') throw this.#fail(`Unpaired surrogate escape in a string at position ${i}`);
    const low = this.#hex4(i + 6);
    if (!isLowSurrogate(low)) throw this.#fail(`Unpaired surrogate escape in a string at position ${i}`);
    parts.push(String.fromCharCode(unit, low));
    return i + 12;
  }

  /** Reads the four hex digits of the `\u` escape whose backslash is at `i`. */
  #hex4(i: number): number {
    const digits = this.#text.slice(i + 2, i + 6);
    if (!HEX4.test(digits)) throw this.#fail(`Invalid escape "\\u" (four hex digits expected) in a string at position ${i}`);
    return Number.parseInt(digits, 16);
  }
}

const quote = (text: string): string => JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);

/** How a token is shown in an error detail; long words are cut so that a 1 MB input does not make a 1 MB message. */
export function describeToken(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of input';
    case 'word':
      return quote(token.text);
    case 'string':
      return `the string ${quote(token.value)}`;
    default:
      return `"${token.kind}"`;
  }
}
