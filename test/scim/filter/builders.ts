// Short constructors for expected filter trees in the test vectors, written out rather than produced by the parser.

import type { AttrPath, CompareOperator, CompareValue, Filter } from '../../../src/scim/filter/ast.js';

/** `attr('name')`, `attr('name', 'familyName')`, `attr('employeeNumber', undefined, 'urn:...:User')`. */
export function attr(name: string, subAttr?: string, uri?: string): AttrPath {
  return { ...(uri === undefined ? {} : { uri }), name, ...(subAttr === undefined ? {} : { subAttr }) };
}

export const cmp = (path: AttrPath, op: CompareOperator, value: CompareValue): Filter => ({ kind: 'compare', attr: path, op, value });
export const pr = (path: AttrPath): Filter => ({ kind: 'present', attr: path });
export const and = (left: Filter, right: Filter): Filter => ({ kind: 'and', left, right });
export const or = (left: Filter, right: Filter): Filter => ({ kind: 'or', left, right });
export const not = (filter: Filter): Filter => ({ kind: 'not', filter });
export const vp = (path: AttrPath, filter: Filter): Filter => ({ kind: 'valuePath', attr: path, filter });

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
