// The test on a row's search text (SqlModel.searchText) that a filter implies: every row the filter matches passes it.
import { resolveAttributePath } from '../schema/resolve.js';
import type { ResourceTypeDefinition } from '../schema/types.js';
import type { Filter } from './ast.js';
import { containsPattern, keptVerbatimInJson, lowerContainsSql, type SearchTextColumn, type SqlModel } from './to-sql.js';

/** Renders the test, numbering its values with `param` (which returns a placeholder). */
export type SearchTextTest = (param: (value: unknown) => string) => string;

/**
 * The value a comparison says the search text holds whole, or undefined: a `co`, `sw` or `ew` on an attribute the
 * text covers, with a value the text keeps as it is (see impliedSearchText).
 */
function heldValue(f: Extract<Filter, { kind: 'compare' }>, resourceType: ResourceTypeDefinition, column: SearchTextColumn): string | undefined {
  const { op, value } = f;
  if ((op !== 'co' && op !== 'sw' && op !== 'ew') || typeof value !== 'string' || !keptVerbatimInJson(value)) return undefined;
  const resolved = resolveAttributePath(resourceType, f.attr);
  return resolved && column.covers(resolved) ? value : undefined;
}

/**
 * What `filter` implies about the model's search text, or undefined when it implies nothing (an index walk that
 * tests the text could then skip a match). A `co`, `sw` or `ew` on an attribute the text covers implies that the
 * text contains the value, each lower-cased: the text holds the attribute's lower-cased value whole. An `and` implies
 * what either side does, an `or` what both sides do; `not`, brackets and every other comparison imply nothing.
 *
 * A value with a line feed could span two of the text's lines, and one with a quote, a backslash or a control
 * character is escaped in the e-mails' JSON: such values imply nothing.
 */
export function impliedSearchText(filter: Filter, resourceType: ResourceTypeDefinition, model: SqlModel): SearchTextTest | undefined {
  const column = model.searchText;
  if (column === undefined) return undefined;
  const implied = (f: Filter): SearchTextTest | undefined => {
    switch (f.kind) {
      case 'and': {
        const left = implied(f.left);
        const right = implied(f.right);
        if (left && right) return (param) => `(${left(param)} and ${right(param)})`;
        return left ?? right;
      }
      case 'or': {
        const left = implied(f.left);
        const right = implied(f.right);
        return left && right ? (param) => `(${left(param)} or ${right(param)})` : undefined;
      }
      case 'compare': {
        const value = heldValue(f, resourceType, column);
        return value === undefined ? undefined : (param) => lowerContainsSql(column.sql, `${param(containsPattern(value))}::text`);
      }
      default:
        return undefined;
    }
  };
  return implied(filter);
}

/**
 * One value of three characters or more that every row `filter` matches holds in the model's search text, as
 * impliedSearchText tests it, or undefined when there is none. A `co`, `sw` or `ew` that impliedSearchText uses gives
 * its value; an `and` gives either side's, an `or` the value both sides give (the console's search asks for the same
 * fragment in each attribute). Lower-cased by the database, as the text is.
 */
export function impliedFragment(filter: Filter, resourceType: ResourceTypeDefinition, model: SqlModel): string | undefined {
  const column = model.searchText;
  if (column === undefined) return undefined;
  const implied = (f: Filter): string | undefined => {
    switch (f.kind) {
      case 'and':
        return implied(f.left) ?? implied(f.right);
      case 'or': {
        const left = implied(f.left);
        return left !== undefined && left === implied(f.right) ? left : undefined;
      }
      case 'compare': {
        const value = heldValue(f, resourceType, column);
        return value !== undefined && [...value].length >= 3 ? value : undefined;
      }
      default:
        return undefined;
    }
  };
  return implied(filter);
}
