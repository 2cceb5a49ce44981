// The SCIM filter and PATCH path language (RFC 7644 §3.4.2.2, §3.5.2): syntax tree, parser and canonical printer.

export type { AttrPath, CompareOperator, CompareValue, Filter, PatchPath } from './ast.js';
export { DEFAULT_FILTER_LIMITS, parseFilter, parsePath } from './parser.js';
export type { FilterLimits } from './parser.js';
export { printAttrPath, printFilter, printPath } from './print.js';
