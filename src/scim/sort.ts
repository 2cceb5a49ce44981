// Compiles sortBy and sortOrder (RFC 7644 §3.4.2.3) to ORDER BY, and a position in that order to a keyset condition (RFC 9865).
import { ScimError } from './errors.js';
import type { ScalarTarget, SqlModel } from './filter/to-sql.js';
import { resolveAttributePath } from './schema/resolve.js';
import type { AttributeType, ResourceTypeDefinition } from './schema/types.js';

const ATTRIBUTE_PATH = /^(?:(urn:[^\s]+):)?(\$?[A-Za-z][\w-]*)(?:\.(\$?[A-Za-z][\w-]*))?$/i;
const MAX_SORT_BY_LENGTH = 512;

/** A total order: the sort expression, then the id. Unassigned values come last ascending and first descending. */
export interface SortPlan {
  readonly expression: string;
  readonly type: AttributeType;
  readonly descending: boolean;
  readonly idColumn: string;
  /** The cast of a tie-break value from a cursor: '::uuid' unless the model's tie-break is not an id. */
  readonly idCast?: string;
  /** The sort expression is never null, so a position in the order is a plain row comparison an index serves. */
  readonly notNull?: boolean;
}

function sortExpression(target: ScalarTarget): string {
  if (target.orderColumn) return target.orderColumn;
  if (target.type === 'string' || target.type === 'reference') return target.caseExact ? target.sql : `lower(${target.sql})`;
  return target.sql;
}

/**
 * The expression sortBy names in one resource type, or undefined when the type has no such attribute (a search across
 * several types sorts those as unassigned). Invalid or unsortable paths are invalidValue.
 */
export function sortTarget(sortBy: string, resourceType: ResourceTypeDefinition, model: SqlModel): { expression: string; type: AttributeType; notNull?: true } | undefined {
  const match = sortBy.length <= MAX_SORT_BY_LENGTH ? ATTRIBUTE_PATH.exec(sortBy.trim()) : null;
  if (!match) throw ScimError.invalidValue(`"sortBy" must be an attribute path such as "name.familyName", got ${JSON.stringify(sortBy.slice(0, 100))}.`);
  const [, uri, name = '', subAttr] = match;
  const resolved = resolveAttributePath(resourceType, { ...(uri ? { uri } : {}), name, ...(subAttr ? { subAttr } : {}) });
  if (!resolved) return undefined;
  const leaf = resolved.subAttribute ?? resolved.attribute;
  if (leaf.returned === 'never' || (leaf.type === 'complex' && !resolved.attribute.multiValued)) {
    throw ScimError.invalidValue(`Cannot sort by "${sortBy}".`);
  }
  const target = resolved.attribute.multiValued ? model.multiSortKey(resolved) : model.scalar(resolved);
  if (!target) throw ScimError.invalidValue(`Cannot sort by "${sortBy}".`);
  if (target.sortSql) return { expression: target.sortSql, type: target.type, notNull: true };
  return { expression: sortExpression(target), type: target.type, ...(target.notNull ? { notNull: true as const } : {}) };
}

/** Without sortBy the order is creation order. */
export function compileSort(
  sortBy: string | undefined,
  sortOrder: 'ascending' | 'descending' | undefined,
  resourceType: ResourceTypeDefinition,
  model: SqlModel,
  createdColumn: string,
): SortPlan {
  const descending = sortOrder === 'descending';
  const tieBreak = { idColumn: model.idColumn, ...(model.idCast ? { idCast: model.idCast } : {}) };
  if (sortBy === undefined || sortBy.trim() === '') return { expression: createdColumn, type: 'dateTime', descending, notNull: true, ...tieBreak };
  const target = sortTarget(sortBy, resourceType, model);
  if (!target) throw ScimError.invalidValue(`Cannot sort by "${sortBy}": ${resourceType.name} has no such attribute.`);
  return { ...target, descending, ...tieBreak };
}

/** ORDER BY for the plan, or for its reverse (to walk backwards from a previousCursor). */
export function orderBySql(plan: SortPlan, reverse = false): string {
  return orderByColumns(plan.expression, plan.idColumn, plan.descending !== reverse);
}

/** ORDER BY a sort expression, then its tie-break, in one direction: unassigned values last ascending, first descending. */
export function orderByColumns(expression: string, idColumn: string, descending: boolean): string {
  const direction = descending ? 'desc' : 'asc';
  return `${expression} ${direction} ${descending ? 'nulls first' : 'nulls last'}, ${idColumn} ${direction}`;
}

const CAST: Partial<Record<AttributeType, string>> = {
  boolean: '::boolean',
  integer: '::numeric',
  decimal: '::numeric',
  dateTime: '::timestamptz',
};

/**
 * The rows strictly after (key, id) in the plan's order, or in its reverse. `key` is the sort expression's value as
 * text (null when unassigned); `param` numbers a parameter and returns its placeholder.
 */
export function keysetSql(plan: SortPlan, key: string | null, id: string, reverse: boolean, param: (value: unknown) => string): string {
  const descending = plan.descending !== reverse;
  const e = plan.expression;
  const idParam = `${param(id)}${plan.idCast ?? '::uuid'}`;
  const after = descending ? '<' : '>';
  if (key === null) {
    // Unassigned values sit at the end ascending and at the start descending.
    return descending ? `((${e} is null and ${plan.idColumn} < ${idParam}) or ${e} is not null)` : `(${e} is null and ${plan.idColumn} > ${idParam})`;
  }
  const k = `${param(key)}${CAST[plan.type] ?? '::text'}`;
  // (e, id) > (k, id0) is one range of an index on (tenant, e, id): a page costs the same wherever it starts.
  if (plan.notNull) return `((${e}, ${plan.idColumn}) ${after} (${k}, ${idParam}))`;
  const tail = descending ? '' : ` or ${e} is null`;
  return `(${e} ${after} ${k} or (${e} = ${k} and ${plan.idColumn} ${after} ${idParam})${tail})`;
}
