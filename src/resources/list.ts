// Answers a list request for any resource type: filter, sort, index or cursor paging (RFC 7644 §3.4.2, RFC 9865), all in SQL.
import { createHash } from 'node:crypto';
import type { CursorCodec, CursorPosition } from '../scim/cursor.js';
import { parseFilter } from '../scim/filter/parser.js';
import { impliedFragment, impliedSearchText } from '../scim/filter/search-text.js';
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
  /** The direction orderBy reads in: the sort's own, or its reverse for the page before a cursor. */
  readonly descending: boolean;
  /** The sort expression, selected as text so a cursor can record where a page ended. */
  readonly sortKey: string;
  readonly limit: number;
  readonly offset: number;
  /** What the response keeps, so that a page can read in the same statement what its rendering will need. */
  readonly projection: Projection;
  /**
   * The rows `where` matches are known to be few (counted first): read them all through the filter's own indexes
   * and sort them, rather than walk the sort order's index looking for them, which the planner prefers when it
   * cannot tell how rare they are and which reads most of the tenant when they sort late. Optional for a source.
   */
  readonly matchesFirst?: boolean;
  /**
   * The rows `where` matches are known to be many (counted at least MATCHES_FIRST_UNDER + 1): walk the sort order's
   * index and stop at the page, never read every match through the filter's indexes first, which the plan cache's
   * generic plan of a prepared statement may otherwise choose. Optional for a source.
   */
  readonly walk?: boolean;
}

/** A search's walk of an index that carries the row's search text (ListSource.searchPage). */
export interface SearchWalk {
  /** What the filter implies about the search text (src/scim/filter/search-text.ts), over the table's alias. */
  readonly text: string;
  /** Where the page starts (a cursor's position), over the table's alias; its parameters are the page's. */
  readonly keyset?: string;
  /** Walk the whole index if need be: the page is then exact however short (not undefined), however long it takes. */
  readonly whole?: boolean;
  /**
   * A fragment of three characters or more that the search text of every row the filter matches holds, lower-cased
   * (src/scim/filter/search-text.ts): a source may then walk only the parts of its index that can hold it.
   */
  readonly fragment?: string;
  /** A cursor's page: the sort key it continues from (null: the rows without one). */
  readonly from?: { readonly key: string | null };
}

/**
 * At most this many matches are read whole and sorted for a page (PageQuery.matchesFirst): a bitmap over a trigram
 * index reads them in some 10 ms per thousand at 1M users, where a walk of the sort order that finds them late
 * read 581,000 rows (3.2 s) for 13,515 of them.
 */
const MATCHES_FIRST_UNDER = 20_000;

export interface SortKeyed {
  readonly id: string;
  readonly sort_key: string | null;
  /** The tie-break column's value as text, when the model's idColumn is not the id (see SqlModel.idCast). */
  readonly tie_key?: string;
}

/** What the list runner needs from a resource type's queries and mapper. */
export interface ListSource<Row extends SortKeyed> {
  readonly resourceType: ResourceTypeDefinition;
  readonly model: SqlModel;
  readonly createdColumn: string;
  /** The order without sortBy (creation order); ascending unless said otherwise. sortBy without sortOrder stays ascending (RFC 7644 §3.4.2.3). */
  readonly defaultSortOrder?: 'ascending' | 'descending';
  /**
   * How many rows match. With `atMost`, a source may stop counting there (the answer is then at most `atMost`): a
   * request that omits its total only needs to know whether the matches are few.
   */
  count(q: Queryable, tenantId: string, where: string | undefined, params: readonly unknown[], atMost?: number): Promise<number>;
  page(q: Queryable, tenantId: string, query: PageQuery): Promise<Row[]>;
  /**
   * A page of a search read by walking an index of the sort order that carries the search text, when the source has
   * one for the page's order: the page (exact), or undefined when there is no such index, or when the walk, bounded
   * unless `search.whole`, did not fill the page and `page` must read it. Optional for a source.
   */
  searchPage?(q: Queryable, tenantId: string, query: PageQuery, search: SearchWalk): Promise<Row[] | undefined>;
  render(q: Queryable, tenantId: string, rows: readonly Row[], projection: Projection): Promise<Record<string, unknown>[]>;
}

/** A condition the endpoint adds to the client's filter, such as a search box or one parent resource. */
export interface ListCondition {
  /** Everything the condition depends on (JSON), so that a cursor serves only the same condition. */
  readonly scope: unknown;
  /** Its best plan depends on its values (a searched text): its statements are planned each time (QueryOptions). */
  readonly planEachTime?: boolean;
  /** The condition over the table's alias; `param` numbers a value and returns its placeholder. */
  sql(param: (value: unknown) => string): string;
}

/** A parameter numberer for a statement whose $1 is the tenant and whose other parameters are in `params`. */
export function numberInto(params: unknown[]): (value: unknown) => string {
  return (value) => {
    params.push(value);
    return `$${params.length + 1}`;
  };
}

/**
 * `q`, each of whose statements is planned for its values (QueryOptions.planEachTime), unless it says itself that its
 * plan does not depend on them (`planEachTime: false`).
 */
function planningEachTime(q: Queryable): Queryable {
  return { query: (text, params, options) => q.query(text, params, { planEachTime: true, ...options }) };
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
  condition?: ListCondition,
): Promise<ListResponse<Record<string, unknown>>> {
  const { resourceType, model } = source;
  const projection = compileProjection(resourceType, params);
  const filter = params.filter === undefined ? undefined : parseFilter(params.filter);
  const compiled = filter === undefined ? undefined : filterToSql(filter, resourceType, model, 1);
  const unsorted = params.sortBy === undefined || params.sortBy.trim() === '';
  const sortOrder = params.sortOrder ?? (unsorted ? source.defaultSortOrder : undefined);
  const plan = compileSort(params.sortBy, sortOrder, resourceType, model, source.createdColumn);
  const whereParams = [...(compiled?.params ?? [])];
  const where = andAll([compiled?.sql, condition?.sql(numberInto(whereParams))]);
  // How to read a substring search depends on how common its fragment is, which a prepared statement's cached generic
  // plan cannot know: it read the tenant's whole primary key to count 13,515 matches (780 ms against 29).
  const planned = compiled?.substring || condition?.planEachTime ? planningEachTime(q) : q;

  // A substring search may match a handful of rows or most of them. On a first page that reports the total, it is
  // counted first, and the count says how to read the page (PageQuery.matchesFirst and walk).
  const firstPage = params.cursor === undefined || params.cursor === '';
  const searched = compiled?.substring === true && firstPage;
  const counted = searched && !params.omitTotal ? await source.count(planned, tenantId, where, whereParams) : undefined;

  // A search the source can walk an index for, testing on the index alone the search text the filter implies: a page
  // the walk fills is read without knowing how many rows match (a common fragment's in milliseconds).
  const searchText = filter !== undefined && source.searchPage !== undefined ? impliedSearchText(filter, resourceType, model) : undefined;
  const fragment = searchText === undefined ? undefined : impliedFragment(filter!, resourceType, model);
  type Start = { readonly keyset: string; readonly from: { readonly key: string | null } };
  const walkSearch = async (query: Omit<PageQuery, 'matchesFirst' | 'walk'>, start: Start | undefined, whole: boolean): Promise<Row[] | undefined> => {
    if (searchText === undefined || source.searchPage === undefined) return undefined;
    const walkParams = [...query.params];
    const text = searchText(numberInto(walkParams));
    const search = { text, ...start, ...(whole ? { whole } : {}), ...(fragment !== undefined ? { fragment } : {}) };
    return source.searchPage(planned, tenantId, { ...query, params: walkParams }, search);
  };
  const readPage = async (query: Omit<PageQuery, 'matchesFirst' | 'walk'>, start?: Start): Promise<Row[]> => {
    // Unless counted few, a search is first walked for a while: a common fragment's page is mostly found early.
    const walked = counted === undefined || counted > MATCHES_FIRST_UNDER ? await walkSearch(query, start, false) : undefined;
    if (walked !== undefined) return walked;
    // Without its total, a first page is counted only as far as the choice needs: 20,000 matches, not a million.
    const matches = counted ?? (searched && params.omitTotal ? await source.count(planned, tenantId, where, whereParams, MATCHES_FIRST_UNDER + 1) : undefined);
    const many = matches !== undefined && matches > MATCHES_FIRST_UNDER;
    // Many matches that sort late: the whole walk, on the index alone, still costs a fraction of reading them.
    const all = many ? await walkSearch(query, start, true) : undefined;
    if (all !== undefined) return all;
    return source.page(planned, tenantId, { ...query, matchesFirst: matches !== undefined && !many, walk: many });
  };

  if (params.cursor === undefined) {
    const rows =
      params.count === 0
        ? []
        : await readPage({
            where,
            params: whereParams,
            orderBy: orderBySql(plan),
            descending: plan.descending,
            sortKey: plan.expression,
            limit: params.count,
            offset: params.startIndex - 1,
            projection,
          });
    const resources = await source.render(q, tenantId, rows, projection);
    if (params.omitTotal) return { schemas: [LIST_RESPONSE_SCHEMA], startIndex: params.startIndex, itemsPerPage: resources.length, Resources: resources };
    // A short page is the last one, so it tells the total itself: a lookup by userName costs no count.
    const lastPage = rows.length < params.count && (rows.length > 0 || params.startIndex === 1);
    const total = counted ?? (lastPage ? params.startIndex - 1 + rows.length : await source.count(planned, tenantId, where, whereParams));
    return listResponse(resources, total, params.startIndex);
  }

  // A cursor is bound to the tenant and to the query it walks: the same filter, condition and order.
  const scope = createHash('sha256')
    .update(
      JSON.stringify([
        tenantId,
        resourceType.id,
        params.filter ?? null,
        params.sortBy ?? null,
        params.sortOrder ?? null,
        ...(condition ? [condition.scope] : []),
      ]),
    )
    .digest('base64url');
  const position: CursorPosition | undefined = params.cursor === '' ? undefined : cursors.decode(params.cursor, scope);
  const backwards = position?.direction === 'previous';
  const allParams = [...whereParams];
  const keyset = position ? keysetSql(plan, position.key, position.id, backwards, numberInto(allParams)) : undefined;
  // One row more than the page tells whether another page follows, without counting.
  const fetched = await readPage(
    {
      where: andAll([where, keyset]),
      params: allParams,
      orderBy: orderBySql(plan, backwards),
      descending: plan.descending !== backwards,
      sortKey: plan.expression,
      limit: params.count + 1,
      offset: 0,
      projection,
    },
    keyset && position ? { keyset, from: { key: position.key } } : undefined,
  );
  const more = fetched.length > params.count;
  const rows = fetched.slice(0, params.count);
  if (backwards) rows.reverse();
  const first = rows[0];
  const last = rows[rows.length - 1];
  const hasNext = backwards ? position !== undefined : more;
  const hasPrevious = backwards ? more : position !== undefined;
  const response: ListResponse<Record<string, unknown>> = {
    schemas: [LIST_RESPONSE_SCHEMA],
    // Counting is linear in the matches, so only the first page pays for it, and only when the client wants it.
    ...(position === undefined && !params.omitTotal ? { totalResults: counted ?? (more ? await source.count(planned, tenantId, where, whereParams) : rows.length) } : {}),
    itemsPerPage: rows.length,
    ...(hasNext && last ? { nextCursor: cursors.encode({ key: last.sort_key, id: last.tie_key ?? last.id, direction: 'next' }, scope) } : {}),
    ...(hasPrevious && first
      ? { previousCursor: cursors.encode({ key: first.sort_key, id: first.tie_key ?? first.id, direction: 'previous' }, scope) }
      : {}),
    Resources: await source.render(q, tenantId, rows, projection),
  };
  return response;
}
