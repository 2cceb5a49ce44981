// Prints filters and PATCH paths (RFC 7644 §3.4.2.2, §3.5.2) in one canonical form that parses back to the identical tree.

import type { AttrPath, CompareValue, Filter, PatchPath } from './ast.js';

/** Output text, or a node still to print, optionally inside parentheses. */
type Work = string | { readonly filter: Filter; readonly parens: boolean };

export function printAttrPath(attr: AttrPath): string {
  const prefix = attr.uri === undefined ? '' : `${attr.uri}:`;
  const suffix = attr.subAttr === undefined ? '' : `.${attr.subAttr}`;
  return `${prefix}${attr.name}${suffix}`;
}

function printValue(value: CompareValue): string {
  // JSON.stringify(-0) is "0", which would parse back as +0.
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return JSON.stringify(value);
}

/**
 * Lower-case operators, single spaces, and parentheses only where precedence (`not` > `and` > `or`, both binary
 * operators left-associative) would otherwise regroup the tree. Iterative, like the parser, so a tree of any depth
 * prints without growing the call stack.
 */
export function printFilter(filter: Filter): string {
  const out: string[] = [];
  const work: Work[] = [{ filter, parens: false }];
  for (let item = work.pop(); item !== undefined; item = work.pop()) {
    if (typeof item === 'string') {
      out.push(item);
      continue;
    }
    const node = item.filter;
    // Work is a stack: push the pieces of each node in reverse order of output.
    if (item.parens) {
      work.push(')', { filter: node, parens: false }, '(');
      continue;
    }
    switch (node.kind) {
      case 'compare':
        out.push(`${printAttrPath(node.attr)} ${node.op} ${printValue(node.value)}`);
        break;
      case 'present':
        out.push(`${printAttrPath(node.attr)} pr`);
        break;
      case 'not':
        work.push(')', { filter: node.filter, parens: false }, 'not (');
        break;
      case 'valuePath':
        work.push(']', { filter: node.filter, parens: false }, `${printAttrPath(node.attr)}[`);
        break;
      case 'and':
        work.push(
          { filter: node.right, parens: node.right.kind === 'and' || node.right.kind === 'or' },
          ' and ',
          { filter: node.left, parens: node.left.kind === 'or' },
        );
        break;
      case 'or':
        work.push({ filter: node.right, parens: node.right.kind === 'or' }, ' or ', { filter: node.left, parens: false });
        break;
    }
  }
  return out.join('');
}

/** `subAttr` belongs after a filter; a path with `subAttr` but no filter prints as `name.subAttr`, which parses back into `attr`. */
export function printPath(path: PatchPath): string {
  const filter = path.filter === undefined ? '' : `[${printFilter(path.filter)}]`;
  const subAttr = path.subAttr === undefined ? '' : `.${path.subAttr}`;
  return `${printAttrPath(path.attr)}${filter}${subAttr}`;
}
