// Evaluates a filter against one element of a multi-valued attribute in memory, for PATCH value paths (RFC 7644 §3.5.2).
import { ScimError } from '../errors.js';
import { findAttribute } from '../schema/resolve.js';
import type { AttributeDefinition } from '../schema/types.js';
import type { CompareOperator, CompareValue, Filter } from './ast.js';

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

function compareStrings(actual: string, op: CompareOperator, expected: string, caseExact: boolean): boolean {
  const a = caseExact ? actual : actual.toLowerCase();
  const e = caseExact ? expected : expected.toLowerCase();
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
  }
}

function compareOrdered(actual: number, op: CompareOperator, expected: number, path: string): boolean {
  switch (op) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'gt':
      return actual > expected;
    case 'ge':
      return actual >= expected;
    case 'lt':
      return actual < expected;
    case 'le':
      return actual <= expected;
    default:
      throw ScimError.invalidFilter(`Operator "${op}" does not apply to "${path}".`);
  }
}

function compare(definition: AttributeDefinition, actual: unknown, op: CompareOperator, expected: CompareValue, path: string): boolean {
  if (expected === null) {
    if (op === 'eq') return isEmpty(actual);
    if (op === 'ne') return !isEmpty(actual);
    throw ScimError.invalidFilter(`"${path} ${op} null" is not a comparison; only eq and ne take null.`);
  }
  if (op === 'ne' && isEmpty(actual)) return true;
  if (isEmpty(actual)) return false;
  switch (definition.type) {
    case 'boolean': {
      const value = typeof expected === 'string' && /^(true|false)$/i.test(expected) ? expected.toLowerCase() === 'true' : expected;
      if (typeof value !== 'boolean') throw ScimError.invalidFilter(`"${path}" is a boolean; compare it with true or false.`);
      if (op === 'eq') return actual === value;
      if (op === 'ne') return actual !== value;
      throw ScimError.invalidFilter(`Operator "${op}" does not apply to the boolean "${path}".`);
    }
    case 'integer':
    case 'decimal':
      if (typeof expected !== 'number') throw ScimError.invalidFilter(`"${path}" is a number; compare it with a number.`);
      return compareOrdered(Number(actual), op, expected, path);
    case 'dateTime': {
      const when = typeof expected === 'string' ? Date.parse(expected) : NaN;
      if (Number.isNaN(when)) throw ScimError.invalidFilter(`"${path}" is a dateTime; compare it with a quoted xsd:dateTime.`);
      return compareOrdered(Date.parse(String(actual)), op, when, path);
    }
    default:
      if (typeof expected !== 'string') throw ScimError.invalidFilter(`"${path}" is a string; compare it with a quoted string.`);
      return compareStrings(String(actual), op, expected, definition.caseExact);
  }
}

/**
 * Whether one element of `parent` satisfies `filter`, whose attributes name sub-attributes of `parent`. For a
 * multi-valued simple attribute, `value` names the element itself.
 */
export function matchesElement(parent: AttributeDefinition, element: unknown, filter: Filter): boolean {
  const lookup = (name: string): { definition: AttributeDefinition; value: unknown } => {
    if (!parent.subAttributes) {
      if (name.toLowerCase() !== 'value') throw ScimError.invalidFilter(`"${parent.name}" has no sub-attribute "${name}".`);
      return { definition: { ...parent, multiValued: false }, value: element };
    }
    const definition = findAttribute(parent.subAttributes, name);
    if (!definition) throw ScimError.invalidFilter(`"${parent.name}" has no sub-attribute "${name}".`);
    return { definition, value: (element as Record<string, unknown> | null)?.[definition.name] };
  };
  switch (filter.kind) {
    case 'and':
      return matchesElement(parent, element, filter.left) && matchesElement(parent, element, filter.right);
    case 'or':
      return matchesElement(parent, element, filter.left) || matchesElement(parent, element, filter.right);
    case 'not':
      return !matchesElement(parent, element, filter.filter);
    case 'valuePath':
      throw ScimError.invalidFilter(`Brackets cannot nest inside "${parent.name}[...]".`);
    case 'present': {
      if (filter.attr.subAttr || filter.attr.uri) throw ScimError.invalidFilter(`"${parent.name}[...]" takes sub-attribute names only.`);
      return !isEmpty(lookup(filter.attr.name).value);
    }
    case 'compare': {
      if (filter.attr.subAttr || filter.attr.uri) throw ScimError.invalidFilter(`"${parent.name}[...]" takes sub-attribute names only.`);
      const { definition, value } = lookup(filter.attr.name);
      return compare(definition, value, filter.op, filter.value, `${parent.name}.${definition.name}`);
    }
  }
}

/**
 * The element a filter made only of `eq` comparisons joined by `and` describes, e.g. `type eq "work"` gives
 * { type: "work" }; undefined for any other filter. Lets PATCH create the element a value path names.
 */
export function elementFromEqualities(parent: AttributeDefinition, filter: Filter): Record<string, unknown> | undefined {
  if (filter.kind === 'and') {
    const left = elementFromEqualities(parent, filter.left);
    const right = elementFromEqualities(parent, filter.right);
    if (!left || !right || Object.keys(left).some((key) => key in right)) return undefined;
    return { ...left, ...right };
  }
  if (filter.kind !== 'compare' || filter.op !== 'eq' || filter.value === null || filter.attr.subAttr || filter.attr.uri) return undefined;
  const definition = parent.subAttributes ? findAttribute(parent.subAttributes, filter.attr.name) : undefined;
  if (!definition || definition.mutability === 'readOnly') return undefined;
  return { [definition.name]: filter.value };
}
