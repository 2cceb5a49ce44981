// What text a SCIM server can keep (RFC 7643 §2.3.1 strings are Unicode; PostgreSQL text and jsonb hold no NUL and no lone surrogate), and how long it is in UTF-8.

// In a `u` regular expression a paired surrogate is one code point, so \p{Cs} matches only the lone ones.
const UNSTORABLE = /[\u0000\p{Cs}]/u;
const UNSTORABLE_ALL = /[\u0000\p{Cs}]/gu;

/** Why `text` cannot be stored, in words for an error detail; undefined when it can. */
export function unstorableCharacter(text: string): string | undefined {
  const found = UNSTORABLE.exec(text);
  if (!found) return undefined;
  return found[0] === '\u0000' ? 'a NUL character (\\u0000)' : `a lone UTF-16 surrogate (${escaped(found[0])})`;
}

/** Whether PostgreSQL can store the text as it is. */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text);
}

function escaped(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** The text with its unstorable characters written as \uXXXX escapes, so that an error detail can quote it. */
export function printable(text: string): string {
  return text.replace(UNSTORABLE_ALL, escaped);
}

/** The length of the text in UTF-8 bytes, which is what PostgreSQL's index limits count. */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Where a JSON value holds text that cannot be stored, or nests deeper than a SCIM message ever does. */
export type JsonTextFault =
  | { readonly kind: 'unstorable'; readonly path: string; readonly problem: string }
  | { readonly kind: 'tooDeep'; readonly path: string; readonly maxDepth: number };

/** SCIM messages nest a handful of levels (a PATCH value inside an operation inside a Bulk operation); 32 is ample. */
export const MAX_JSON_DEPTH = 32;

function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const name = printable(key);
  return parent === '' ? name : `${parent}.${name}`;
}

/**
 * The first string (member name or value) of a parsed JSON document that PostgreSQL could not store, with its path
 * (`emails[0].value`), or the first place it nests deeper than maxDepth. Walks with its own stack, so no document
 * can overflow the call stack.
 */
export function findJsonTextFault(document: unknown, maxDepth = MAX_JSON_DEPTH): JsonTextFault | undefined {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: document, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = unstorableCharacter(value);
      if (problem) return { kind: 'unstorable', path, problem };
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= maxDepth) return { kind: 'tooDeep', path, maxDepth };
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
    for (const [key] of entries) {
      if (typeof key !== 'string') continue;
      const problem = unstorableCharacter(key);
      if (problem) return { kind: 'unstorable', path: childPath(path, key), problem };
    }
    // Pushed in reverse so that the first fault in document order is the one reported.
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, item] = entries[i]!;
      stack.push({ value: item, path: childPath(path, key), depth: depth + 1 });
    }
  }
  return undefined;
}
