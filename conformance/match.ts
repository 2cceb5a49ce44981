// Partial matching of a response against a case's expectation: the expected JSON is a pattern, not a copy.
//
// - An object matches when every expected key matches the actual value under that key (exact name first,
//   then ignoring case, as SCIM attribute names are case-insensitive: RFC 7643 §2.1). Extra actual keys are fine.
// - An array matches when each expected item matches a different actual item, in any order; with
//   `ordered`, expected item i must match actual item i. Extra actual items are fine.
// - Anything else matches by strict equality.
// - An object whose keys are all operators is a matcher; see OPERATORS.

export interface Mismatch {
  /** Where in the actual value, e.g. `body.Resources[0].userName`. */
  readonly path: string;
  readonly reason: string;
  readonly expected: unknown;
  readonly actual: unknown;
}

export interface MatchOptions {
  /** Arrays must match position by position. */
  readonly ordered?: boolean;
}

const TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'] as const;

/**
 * The operators a case may use in place of a value. Several in one object must all hold.
 * - `$type`: one of TYPES.
 * - `$absent`: true when the value is missing or null (RFC 7643 §2.5 treats null as unassigned); false for present.
 * - `$empty`: true when missing, null or an empty array; false for anything else.
 * - `$regex` (with optional `$flags`): a string, or a number's decimal text, matches the pattern.
 * - `$ci`: a string equal to this one, ignoring case.
 * - `$eq`: deep equality, no partial matching.
 * - `$length`: an array or string of exactly this length.
 * - `$contains`: an array matching this array pattern (so that it can be combined with `$none` or `$length`).
 * - `$none`: no item of the array (missing counts as empty) matches this pattern.
 * - `$anyOf`: at least one of these patterns matches.
 * - `$not`: this pattern does not match.
 */
export const OPERATORS = ['$type', '$absent', '$empty', '$regex', '$flags', '$ci', '$eq', '$length', '$contains', '$none', '$anyOf', '$not'] as const;
type Operator = (typeof OPERATORS)[number];

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for `{"$type": ...}` and the like. `$ref` is a SCIM attribute, not an operator, so `{"$ref": ...}` is a plain object. */
export function isMatcher(value: unknown): value is Partial<Record<Operator, unknown>> {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length > 0 && keys.every((key) => (OPERATORS as readonly string[]).includes(key));
}

function typeOf(value: unknown): (typeof TYPES)[number] | 'undefined' {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as 'string' | 'boolean' | 'object';
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}

/** The value under `key`: the exact name if present, otherwise the only key equal to it ignoring case. */
export function lookup(object: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(object, key)) return object[key];
  const lower = key.toLowerCase();
  const matches = Object.keys(object).filter((k) => k.toLowerCase() === lower);
  return matches.length === 1 ? object[matches[0]!] : undefined;
}

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/**
 * Checks `actual` against the `expected` pattern; undefined when it matches, otherwise the first mismatch.
 * Throws on a malformed pattern (an unknown `$type`, a bad regular expression): that is a defect of the case.
 */
export function match(expected: unknown, actual: unknown, options: MatchOptions = {}, path = ''): Mismatch | undefined {
  const fail = (reason: string, exp: unknown = expected, act: unknown = actual, at = path): Mismatch => ({ path: at, reason, expected: exp, actual: act });

  if (isMatcher(expected)) return matchOperators(expected, actual, options, path);

  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return fail(`expected an array, got ${typeOf(actual)}`);
    return options.ordered ? matchOrdered(expected, actual, options, path) : matchUnordered(expected, actual, options, path);
  }

  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return fail(`expected an object, got ${typeOf(actual)}`);
    for (const [key, value] of Object.entries(expected)) {
      const mismatch = match(value, lookup(actual, key), options, childPath(path, key));
      if (mismatch) return mismatch;
    }
    return undefined;
  }

  return expected === actual ? undefined : fail('values differ');
}

function matchOrdered(expected: unknown[], actual: unknown[], options: MatchOptions, path: string): Mismatch | undefined {
  for (const [i, item] of expected.entries()) {
    if (i >= actual.length) return { path: childPath(path, i), reason: `expected at least ${expected.length} items, got ${actual.length}`, expected: item, actual: undefined };
    const mismatch = match(item, actual[i], options, childPath(path, i));
    if (mismatch) return mismatch;
  }
  return undefined;
}

/** Each expected item must match a distinct actual item; a small backtracking search, as lists in cases are short. */
function matchUnordered(expected: unknown[], actual: unknown[], options: MatchOptions, path: string): Mismatch | undefined {
  const fits = expected.map((item) => actual.flatMap((candidate, j) => (match(item, candidate, options) === undefined ? [j] : [])));
  const lonely = fits.findIndex((candidates) => candidates.length === 0);
  if (lonely !== -1) {
    return { path: `${path}[*]`, reason: `no item matches expected item ${lonely}`, expected: expected[lonely], actual };
  }
  const used = new Set<number>();
  const assign = (i: number): boolean => {
    if (i === expected.length) return true;
    for (const j of fits[i]!) {
      if (used.has(j)) continue;
      used.add(j);
      if (assign(i + 1)) return true;
      used.delete(j);
    }
    return false;
  };
  return assign(0) ? undefined : { path, reason: 'the expected items cannot each match a different item', expected, actual };
}

function matchOperators(matcher: Partial<Record<Operator, unknown>>, actual: unknown, options: MatchOptions, path: string): Mismatch | undefined {
  const fail = (reason: string): Mismatch => ({ path, reason, expected: matcher, actual });
  const missing = actual === undefined || actual === null;

  if ('$type' in matcher) {
    const wanted = matcher.$type;
    if (typeof wanted !== 'string' || !(TYPES as readonly string[]).includes(wanted)) throw new Error(`$type must be one of ${TYPES.join(', ')}`);
    const actualType = typeOf(actual);
    const ok = actualType === wanted || (wanted === 'number' && actualType === 'integer');
    if (!ok) return fail(`expected type ${wanted}, got ${actualType}`);
  }
  if ('$absent' in matcher) {
    if (typeof matcher.$absent !== 'boolean') throw new Error('$absent must be true or false');
    if (matcher.$absent && !missing) return fail('expected no value');
    if (!matcher.$absent && missing) return fail('expected a value');
  }
  if ('$empty' in matcher) {
    if (typeof matcher.$empty !== 'boolean') throw new Error('$empty must be true or false');
    const empty = missing || (Array.isArray(actual) && actual.length === 0);
    if (matcher.$empty !== empty) return fail(matcher.$empty ? 'expected an empty or missing value' : 'expected a non-empty value');
  }
  if ('$flags' in matcher && !('$regex' in matcher)) throw new Error('$flags needs $regex');
  if ('$regex' in matcher) {
    if (typeof matcher.$regex !== 'string') throw new Error('$regex must be a string');
    const flags = matcher.$flags ?? '';
    if (typeof flags !== 'string') throw new Error('$flags must be a string');
    const pattern = new RegExp(matcher.$regex, flags);
    if (typeof actual !== 'string' && typeof actual !== 'number') return fail(`expected a string matching /${matcher.$regex}/${flags}, got ${typeOf(actual)}`);
    if (!pattern.test(String(actual))) return fail(`does not match /${matcher.$regex}/${flags}`);
  }
  if ('$ci' in matcher) {
    if (typeof matcher.$ci !== 'string') throw new Error('$ci must be a string');
    if (typeof actual !== 'string' || actual.toLowerCase() !== matcher.$ci.toLowerCase()) return fail('expected the same text, ignoring case');
  }
  if ('$eq' in matcher && !deepEqual(matcher.$eq, actual)) return fail('expected exactly this value');
  if ('$length' in matcher) {
    if (typeof matcher.$length !== 'number') throw new Error('$length must be a number');
    if (!Array.isArray(actual) && typeof actual !== 'string') return fail(`expected an array or string, got ${typeOf(actual)}`);
    if (actual.length !== matcher.$length) return fail(`expected length ${matcher.$length}, got ${actual.length}`);
  }
  if ('$contains' in matcher) {
    if (!Array.isArray(matcher.$contains)) throw new Error('$contains must be an array');
    const mismatch = match(matcher.$contains, actual, options, path);
    if (mismatch) return mismatch;
  }
  if ('$none' in matcher) {
    if (!missing && !Array.isArray(actual)) return fail(`expected an array, got ${typeOf(actual)}`);
    const items = Array.isArray(actual) ? actual : [];
    const hit = items.findIndex((item) => match(matcher.$none, item, options) === undefined);
    if (hit !== -1) return { path: childPath(path, hit), reason: 'this item should not be here', expected: matcher, actual: items[hit] };
  }
  if ('$anyOf' in matcher) {
    if (!Array.isArray(matcher.$anyOf) || matcher.$anyOf.length === 0) throw new Error('$anyOf must be a non-empty array');
    if (!matcher.$anyOf.some((alternative) => match(alternative, actual, options) === undefined)) return fail('matches none of the alternatives');
  }
  if ('$not' in matcher && match(matcher.$not, actual, options) === undefined) return fail('matches a pattern it must not match');
  return undefined;
}
