// Answers a list request for any resource type: filter, sort, index or cursor paging (RFC 7644 §3.4.2, RFC 9865), all in SQL.
import { createHash } from 'node:crypto';
import type { CursorCodec, CursorPosition } from '../scim/cursor.js';
import { parseFilter } from '../scim/filter/parser.js';
import { filterToSql, type SqlModel } from '../scim/filter/to-sql.js';
import { LIST_RESPONSE_SCHEMA, listResponse, type ListParams, type ListResponse } from '../scim/list.js';
import { compileProjection, type Projection } from '../scim/resource/projection.js';
import type { ResourceTypeDefinition } from '../scim/schema/types.js';
import { compileSort, keysetSql, orderBySql } from '../scim/sort.js';
import type { Queryable } from '../store/index.js';

export interface PageQuery {
  /** A condition on the table's alias, or undefined for all rows; its parameters start at $2 ($1 is the tenant). */
  readonly where: string | undefined;
  readonly params: readonly unknown[];
  readonly orderBy: string;
  /** The sort expression, selected as text so a cursor can record where a page ended. */
  readonly sortKey: string;
  readonly limit: number;
  readonly offset: number;
}

export interface SortKeyed {
  readonly id: string;
  readonly sort_key: string | null;
}

/** What the list runner needs from a resource type's queries and mapper. */
export interface ListSource<Row extends SortKeyed> {
  readonly resourceType: ResourceTypeDefinition;
  readonly model: SqlModel;
  readonly createdColumn: string;
  count(q: Queryable, tenantId: string, where: string | undefined, params: readonly unknown[]): Promise<number>;
  page(q: Queryable, tenantId: string, query: PageQuery): Promise<Row[]>;
  render(q: Queryable, tenantId: string, rows: readonly Row[], projection: Projection): Promise<Record<string, unknown>[]>;
}

function andAll(conditions: (string | undefined)[]): string | undefined {
  const present = conditions.filter((c): c is string => c !== undefined);
  return present.length === 0 ? undefined : present.join(' and ');
}

export async function runList<Row extends SortKeyed>(
  q: Queryable,
  cursors: CursorCodec,
  tenantId: string,
  params: ListParams,
  source: ListSource<Row>,
): Promise<ListResponse<Record<string, unknown>>> {
  const { resourceType, model } = source;
  const projection = compileProjection(resourceType, params);
  const compiled = params.filter === undefined ? undefined : filterToSql(parseFilter(params.filter), resourceType, model, 1);
  const plan = compileSort(params.sortBy, params.sortOrder, resourceType, model, source.createdColumn);
  const filterParams = [...(compiled?.params ?? [])];

  if (params.cursor === undefined) {
    const total = await source.count(q, tenantId, compiled?.sql, filterParams);
    const rows =
      params.count === 0 || params.startIndex > total
        ? []
        : await source.page(q, tenantId, {
            where: compiled?.sql,
            params: filterParams,
            orderBy: orderBySql(plan),
            sortKey: plan.expression,
            limit: params.count,
            offset: params.startIndex - 1,
          });
    return listResponse(await source.render(q, tenantId, rows, projection), total, params.startIndex);
  }

  // A cursor is bound to the tenant and to the query it walks: the same filter and the same order.
  const scope = createHash('sha256')
    .update(JSON.stringify([tenantId, resourceType.id, params.filter ?? null, params.sortBy ?? null, params.sortOrder ?? null]))
    .digest('base64url');
  const position: CursorPosition | undefined = params.cursor === '' ? undefined : cursors.decode(params.cursor, scope);
  const backwards = position?.direction === 'previous';
  const allParams = [...filterParams];
  const param = (value: unknown) => {
    allParams.push(value);
    return `$${allParams.length + 1}`;
  };
  const keyset = position ? keysetSql(plan, position.key, position.id, backwards, param) : undefined;
  // One row more than the page tells whether another page follows, without counting.
  const fetched = await source.page(q, tenantId, {
    where: andAll([compiled?.sql, keyset]),
    params: allParams,
    orderBy: orderBySql(plan, backwards),
    sortKey: plan.expression,
    limit: params.count + 1,
    offset: 0,
  });
  const more = fetched.length > params.count;
  const rows = fetched.slice(0, params.count);
  if (backwards) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  const hasNext = backwards ? position !== undefined : more;
  const hasPrevious = backwards ? more : position !== undefined;
  const response: ListResponse<Record<string, unknown>> = {
    schemas: [LIST_RESPONSE_SCHEMA],
    // Counting is linear in the matches, so only the first page pays for it.
    ...(position === undefined ? { totalResults: await source.count(q, tenantId, compiled?.sql, filterParams) } : {}),
    itemsPerPage: rows.length,
    ...(hasNext && last ? { nextCursor: cursors.encode({ key: last.sort_key, id: last.id, direction: 'next' }, scope) } : {}),
    ...(hasPrevious && first ? { previousCursor: cursors.encode({ key: first.sort_key, id: first.id, direction: 'previous' }, scope) } : {}),
    Resources: await source.render(q, tenantId, rows, projection),
  };
  return response;
}
