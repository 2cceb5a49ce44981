// Parses SCIM filters (RFC 7644 §3.4.2.2, Figure 1) and PATCH paths (RFC 7644 §3.5.2) into the syntax tree of ./ast.ts.

import { ScimError } from '../errors.js';
import type { AttrPath, CompareOperator, CompareValue, Filter, PatchPath } from './ast.js';
import { describeToken, isHighSurrogate, isLowSurrogate, Lexer } from './lexer.js';
import type { Token } from './lexer.js';

/**
 * Bounds on what a client may send, so that one request cannot buy unbounded parse, SQL planning or query time.
 * `maxLength` counts UTF-16 code units of the whole text; `maxDepth` counts nested groups, where each `(...)`,
 * `not (...)` and `[...]` opens one level; `maxTerms` counts compare and present nodes. `Infinity` lifts a limit.
 */
export interface FilterLimits {
  readonly maxLength: number;
  readonly maxDepth: number;
  readonly maxTerms: number;
}

export const DEFAULT_FILTER_LIMITS: FilterLimits = Object.freeze({ maxLength: 8192, maxDepth: 32, maxTerms: 256 });

type Fail = (detail: string) => ScimError;

const COMPARE_OPERATORS: ReadonlySet<string> = new Set<CompareOperator>(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
// RFC 7644 ATTRNAME, plus a leading "$" because RFC 7643 itself names sub-attributes "$ref".
const ATTRNAME = /^\$?[A-Za-z][A-Za-z0-9_-]*$/;
// A URN's NID, then colon-separated segments; none of the segment characters is ":", so matching is linear.
const URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]*(?::[A-Za-z0-9._~%!$&'*+,;=@/?#-]+)*$/i;
// RFC 8259 §6 number syntax.
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

/** One open group; `or` holds the finished left operand of a pending "or", `and` the and-chain being built. */
type Frame =
  | { readonly kind: 'root' | 'paren' | 'not'; or: Filter | undefined; and: Filter | undefined }
  /** `attr` is the attribute before "[". */
  | { readonly kind: 'bracket'; readonly attr: AttrPath; or: Filter | undefined; and: Filter | undefined };

/**
 * A precedence parser over an explicit stack of open groups rather than recursive descent: nesting depth then costs
 * heap, not call stack, so no input can overflow the stack, whatever limits the caller sets.
 */
class Parser {
  readonly lexer: Lexer;
  readonly #fail: Fail;
  readonly #limits: FilterLimits;
  #terms = 0;

  constructor(text: string, fail: Fail, limits: FilterLimits) {
    this.lexer = new Lexer(text, fail);
    this.#fail = fail;
    this.#limits = limits;
  }

  /**
   * Parses the operands and operators of `outer` up to the token that closes it (end of input for a root frame, "]"
   * for a bracket frame), and returns the filter with the closing token. `outerDepth` is the nesting level of `outer`.
   */
  group(outer: Frame, outerDepth: number): { filter: Filter; close: Token } {
    const lexer = this.lexer;
    const inner: Frame[] = [];
    let frame = outer;
    let inBracket = outer.kind === 'bracket';
    const open = (next: Frame, at: Token): void => {
      if (outerDepth + inner.length + 1 > this.#limits.maxDepth) {
        throw this.#fail(`Filter nests deeper than ${this.#limits.maxDepth} levels (maxDepth) at position ${at.start}`);
      }
      inner.push(next);
      frame = next;
    };

    for (;;) {
      const token = lexer.next();
      if (token.kind === '(') {
        open({ kind: 'paren', or: undefined, and: undefined }, token);
        continue;
      }
      if (token.kind !== 'word') {
        throw this.#fail(`Expected an attribute path, "not" or "(" at position ${token.start}, found ${describeToken(token)}`);
      }
      if (token.text.toLowerCase() === 'not') {
        const paren = lexer.next();
        if (paren.kind !== '(') {
          throw this.#fail(`Expected "(" after "not" at position ${paren.start}, found ${describeToken(paren)}`);
        }
        open({ kind: 'not', or: undefined, and: undefined }, token);
        continue;
      }
      const attr = this.attrPath(token, inBracket);
      if (lexer.peek().kind === '[') {
        const bracket = lexer.next();
        if (inBracket) throw this.#fail(`Expected a comparison operator, not a nested "[", at position ${bracket.start}`);
        if (attr.subAttr !== undefined) {
          throw this.#fail(`Expected "[" to follow an attribute without a sub-attribute at position ${bracket.start}`);
        }
        open({ kind: 'bracket', attr, or: undefined, and: undefined }, bracket);
        inBracket = true;
        continue;
      }

      // Operator state: fold the finished term into the current frame, then look at what follows it.
      let term = this.attrExp(attr);
      for (;;) {
        const current: Filter = frame.and === undefined ? term : { kind: 'and', left: frame.and, right: term };
        frame.and = current;
        const token = lexer.next();
        if (token.kind === 'word') {
          const keyword = token.text.toLowerCase();
          if (keyword === 'and') break;
          if (keyword === 'or') {
            frame.or = frame.or === undefined ? current : { kind: 'or', left: frame.or, right: current };
            frame.and = undefined;
            break;
          }
        }
        const closes =
          (token.kind === 'end' && frame.kind === 'root') ||
          (token.kind === ')' && (frame.kind === 'paren' || frame.kind === 'not')) ||
          (token.kind === ']' && frame.kind === 'bracket');
        if (!closes) {
          throw this.#fail(`Expected ${expectedAfterTerm(frame)} at position ${token.start}, found ${describeToken(token)}`);
        }

        const done: Filter = frame.or === undefined ? current : { kind: 'or', left: frame.or, right: current };
        const closed = inner.pop();
        if (closed === undefined) return { filter: done, close: token };
        frame = inner[inner.length - 1] ?? outer;
        if (closed.kind === 'bracket') {
          inBracket = false;
          term = { kind: 'valuePath', attr: closed.attr, filter: this.subAttrTail(done, token) };
        } else {
          term = closed.kind === 'not' ? { kind: 'not', filter: done } : done;
        }
      }
    }
  }

/**
   * Clients send `emails[type eq "work"].value eq "x"`, which RFC 7644 does not define for filters; it means that the
   * same element matches both, so it becomes `emails[type eq "work" and value eq "x"]`.
   */
  subAttrTail(filter: Filter, close: Token): Filter {
    const next = this.lexer.peek();
    if (next.kind !== 'word' || next.start !== close.end || !next.text.startsWith('.')) return filter;
    this.lexer.next();
    const name = next.text.slice(1);
    if (!ATTRNAME.test(name)) {
      throw this.#fail(`Expected "." and a sub-attribute name after "]" at position ${next.start}, found ${describeToken(next)}`);
    }
    return { kind: 'and', left: filter, right: this.attrExp({ name }) };
  }

  /** Reads what follows an attribute path in a filter: "pr", or a comparison operator and its value. */
  attrExp(attr: AttrPath): Filter {
    const operator = this.lexer.next();
    const op = operator.kind === 'word' ? operator.text.toLowerCase() : '';
    if (op !== 'pr' && !COMPARE_OPERATORS.has(op)) {
      throw this.#fail(`Expected a comparison operator at position ${operator.start}, found ${describeToken(operator)}`);
    }
    this.#terms++;
    if (this.#terms > this.#limits.maxTerms) {
      throw this.#fail(`Filter has more than ${this.#limits.maxTerms} comparisons (maxTerms) at position ${operator.start}`);
    }
    if (op === 'pr') return { kind: 'present', attr };
    return { kind: 'compare', attr, op: op as CompareOperator, value: this.compValue() };
  }

  compValue(): CompareValue {
    const token = this.lexer.next();
    if (token.kind === 'string') return token.value;
    if (token.kind === 'word') {
      const literal = token.text.toLowerCase();
      if (literal === 'true') return true;
      if (literal === 'false') return false;
      if (literal === 'null') return null;
      if (NUMBER.test(token.text)) {
        const value = Number(token.text);
        // A JSON number too large for a double would silently become Infinity and match nothing sensible.
        if (!Number.isFinite(value)) {
          throw this.#fail(`Expected a number within range at position ${token.start}, found ${describeToken(token)}`);
        }
        return value;
      }
      return this.bareWord(token);
    }
    throw this.#fail(
      `Expected a value (string, number, true, false or null) at position ${token.start}, found ${describeToken(token)}`,
    );
  }

  /**
   * Outside RFC 7644's grammar, but sent by hand-written automation and accepted by Microsoft's reference server
   * (`userName sw O`, `meta.created gt 2015-10-10T14:38:21Z`): an unquoted word that is no literal and no number is
   * the string it spells. It ends where the lexer ends a word (space, parenthesis, bracket or quote), so `and`, `or`,
   * `)` and `]` after it keep their meaning. It must hold what a quoted string may hold, nothing more.
   */
  bareWord(token: Token & { kind: 'word' }): string {
    const text = token.text;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code < 0x20) {
        throw this.#fail(
          `Control character U+${code.toString(16).toUpperCase().padStart(4, '0')} in an unquoted value at position ${token.start + i}`,
        );
      }
      if (isHighSurrogate(code) && isLowSurrogate(text.charCodeAt(i + 1))) {
        i++;
        continue;
      }
      if (isHighSurrogate(code) || isLowSurrogate(code)) {
        throw this.#fail(`Unpaired surrogate in an unquoted value at position ${token.start + i}`);
      }
    }
    return text;
  }

  /**
   * RFC 7644 attrPath: [URI ":"] ATTRNAME ["." ATTRNAME]. A URN ends at its last colon, so the dots of "2.0" stay in
   * the URN and only a dot after the last colon starts a sub-attribute. Inside "[...]" names are already
   * sub-attributes of the outer attribute, and RFC 7643 §2.3.8 allows no deeper level, so only a bare name is valid.
   */
  attrPath(token: Token & { kind: 'word' }, inBracket: boolean): AttrPath {
    const text = token.text;
    const invalid = (): ScimError =>
      inBracket
        ? this.#fail(`Expected a sub-attribute name at position ${token.start}, found ${describeToken(token)}`)
        : this.#fail(`Expected an attribute path at position ${token.start}, found ${describeToken(token)}`);

    let uri: string | undefined;
    let rest = text;
    if (/^urn:/i.test(text)) {
      const colon = text.lastIndexOf(':');
      uri = text.slice(0, colon);
      rest = text.slice(colon + 1);
      if (!URN.test(uri)) throw invalid();
    }
    const dot = rest.indexOf('.');
    const name = dot < 0 ? rest : rest.slice(0, dot);
    const subAttr = dot < 0 ? undefined : rest.slice(dot + 1);
    if (!ATTRNAME.test(name) || (subAttr !== undefined && !ATTRNAME.test(subAttr))) throw invalid();
    if (inBracket && (uri !== undefined || subAttr !== undefined)) throw invalid();
    return {
      ...(uri === undefined ? {} : { uri }),
      name,
      ...(subAttr === undefined ? {} : { subAttr }),
    };
  }
}

function expectedAfterTerm(frame: Frame): string {
  switch (frame.kind) {
    case 'root':
      return '"and", "or" or end of input';
    case 'bracket':
      return '"and", "or" or "]"';
    default:
      return '"and", "or" or ")"';
  }
}

function checkText(text: unknown, maxLength: number, what: string, fail: Fail): asserts text is string {
  if (typeof text !== 'string') throw fail(`${what} must be a string`);
  if (text.length > maxLength) {
    throw fail(`${what} is ${text.length} characters long, more than ${maxLength} (maxLength)`);
  }
}

/** Parses a `filter` query parameter or body member; every fault, including exceeded limits, is ScimError invalidFilter. */
export function parseFilter(text: string, limits?: Partial<FilterLimits>): Filter {
  const bounds: FilterLimits = { ...DEFAULT_FILTER_LIMITS, ...limits };
  const fail: Fail = (detail) => ScimError.invalidFilter(detail);
  checkText(text, bounds.maxLength, 'Filter', fail);
  const parser = new Parser(text, fail, bounds);
  return parser.group({ kind: 'root', or: undefined, and: undefined }, 0).filter;
}

/** Parses a PATCH operation `path` (RFC 7644 §3.5.2) under the default filter limits; every fault is ScimError invalidPath. */
export function parsePath(text: string): PatchPath {
  const fail: Fail = (detail) => ScimError.invalidPath(detail);
  checkText(text, DEFAULT_FILTER_LIMITS.maxLength, 'Path', fail);
  const parser = new Parser(text, fail, DEFAULT_FILTER_LIMITS);
  const first = parser.lexer.next();
  if (first.kind !== 'word') {
    throw fail(`Expected an attribute path at position ${first.start}, found ${describeToken(first)}`);
  }
  const attr = parser.attrPath(first, false);
  const next = parser.lexer.next();
  if (next.kind === 'end') return { attr };
  if (next.kind !== '[') throw fail(`Expected "[" or end of input at position ${next.start}, found ${describeToken(next)}`);
  if (attr.subAttr !== undefined) {
    throw fail(`Expected "[" to follow an attribute without a sub-attribute at position ${next.start}`);
  }
  const { filter, close } = parser.group({ kind: 'bracket', attr, or: undefined, and: undefined }, 1);
  const after = parser.lexer.next();
  if (after.kind === 'end') return { attr, filter };
  if (after.kind !== 'word' || after.start !== close.end || !after.text.startsWith('.')) {
    throw fail(`Expected "." and a sub-attribute, or end of input, at position ${after.start}, found ${describeToken(after)}`);
  }
  const subAttr = after.text.slice(1);
  if (!ATTRNAME.test(subAttr)) {
    throw fail(`Expected "." and a sub-attribute name after "]" at position ${after.start}, found ${describeToken(after)}`);
  }
  const end = parser.lexer.next();
  if (end.kind !== 'end') throw fail(`Expected end of input at position ${end.start}, found ${describeToken(end)}`);
  return { attr, filter, subAttr };
}
