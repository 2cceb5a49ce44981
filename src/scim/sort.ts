// Compiles sortBy and sortOrder (RFC 7644 §3.4.2.3) to an ORDER BY over a resource type's data model.
import { ScimError } from './errors.js';
import type { ScalarTarget, SqlModel } from './filter/to-sql.js';
import { resolveAttributePath } from './schema/resolve.js';
import type { ResourceTypeDefinition } from './schema/types.js';

const ATTRIBUTE_PATH = /^(?:(urn:[^\s]+):)?(\$?[A-Za-z][\w-]*)(?:\.(\$?[A-Za-z][\w-]*))?$/i;
const MAX_SORT_BY_LENGTH = 512;

function sortExpression(target: ScalarTarget): string {
  if (target.type === 'string' || target.type === 'reference') return target.caseExact ? target.sql : `lower(${target.sql})`;
  return target.sql;
}

/**
 * The ORDER BY clause for a list request. Without sortBy the order is the creation order. The id breaks
 * every tie, so the order is total and pages never skip or repeat a resource; unassigned values sort last
 * when ascending (RFC 7644 §3.4.2.3) and first when descending.
 */
export function sortToSql(
  sortBy: string | undefined,
  sortOrder: 'ascending' | 'descending' | undefined,
  resourceType: ResourceTypeDefinition,
  model: SqlModel,
  createdColumn: string,
): string {
  const direction = sortOrder === 'descending' ? 'desc' : 'asc';
  if (sortBy === undefined || sortBy.trim() === '') return `${createdColumn} ${direction}, ${model.idColumn} ${direction}`;
  const match = sortBy.length <= MAX_SORT_BY_LENGTH ? ATTRIBUTE_PATH.exec(sortBy.trim()) : null;
  if (!match) throw ScimError.invalidValue(`"sortBy" must be an attribute path such as "name.familyName", got ${JSON.stringify(sortBy.slice(0, 100))}.`);
  const [, uri, name = '', subAttr] = match;
  const resolved = resolveAttributePath(resourceType, { ...(uri ? { uri } : {}), name, ...(subAttr ? { subAttr } : {}) });
  if (!resolved) throw ScimError.invalidValue(`Cannot sort by "${sortBy}": ${resourceType.name} has no such attribute.`);
  const leaf = resolved.subAttribute ?? resolved.attribute;
  if (leaf.returned === 'never' || (leaf.type === 'complex' && !resolved.attribute.multiValued)) {
    throw ScimError.invalidValue(`Cannot sort by "${sortBy}".`);
  }
  const target = resolved.attribute.multiValued ? model.multiSortKey(resolved) : model.scalar(resolved);
  if (!target) throw ScimError.invalidValue(`Cannot sort by "${sortBy}".`);
  const nulls = direction === 'asc' ? 'nulls last' : 'nulls first';
  return `${sortExpression(target)} ${direction} ${nulls}, ${model.idColumn} ${direction}`;
}
