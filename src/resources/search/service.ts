// A search across resource types: POST /.search at the SCIM root (RFC 7644 §3.4.3, with §3.4.2.2's rule for attributes a type lacks).
import { ScimError } from '../../scim/errors.js';
import type { Filter } from '../../scim/filter/ast.js';
import { parseFilter } from '../../scim/filter/parser.js';
import { filterToSql } from '../../scim/filter/to-sql.js';
import { listResponse, type ListParams, type ListResponse } from '../../scim/list.js';
import { compileProjection } from '../../scim/resource/projection.js';
import type { AttributeType } from '../../scim/schema/types.js';
import { sortTarget } from '../../scim/sort.js';
import type { Queryable } from '../../store/index.js';
import type { Deps, RequestContext } from '../context.js';
import { selectGroupsByIds } from '../groups/queries.js';
import { groupListSource } from '../groups/service.js';
import { selectHistoryByIds } from '../history/queries.js';
import { historyListSource } from '../history/service.js';
import type { ListSource, SortKeyed } from '../list.js';
import { selectUsersByIds } from '../users/queries.js';
import { userListSource } from '../users/service.js';
import { SEARCHED_TABLES, countAcrossTypes, pageAcrossTypes, type SearchBranch, type SortSqlType } from './queries.js';

export interface SearchService {
  search(ctx: RequestContext, params: ListParams): Promise<ListResponse<Record<string, unknown>>>;
}

/** One resource type the search spans: how it is listed, where it lives, and how a page's rows are read by id. */
interface SearchedType {
  /** Used with its own rows only (byIds reads them), whose type differs from one resource type to the next. */
  readonly source: ListSource<SortKeyed>;
  readonly table: Pick<SearchBranch, 'from' | 'alias' | 'seq'>;
  byIds(q: Queryable, tenantId: string, ids: readonly string[]): Promise<SortKeyed[]>;
}

const SQL_TYPES: Record<AttributeType, SortSqlType | undefined> = {
  string: 'text',
  reference: 'text',
  binary: 'text',
  boolean: 'boolean',
  integer: 'numeric',
  decimal: 'numeric',
  dateTime: 'timestamptz',
  complex: undefined,
};

export function createSearchService(deps: Deps): SearchService {
  const { store, scimBaseUrl } = deps;
  // Users and Groups, and History (read-only); every one of them is read with users:read, which the route requires.
  const types: readonly SearchedType[] = [
    { source: userListSource(scimBaseUrl), table: SEARCHED_TABLES.User, byIds: selectUsersByIds },
    { source: groupListSource(scimBaseUrl), table: SEARCHED_TABLES.Group, byIds: selectGroupsByIds },
    { source: historyListSource(scimBaseUrl), table: SEARCHED_TABLES.HistoryEntry, byIds: selectHistoryByIds },
  ];
  const names = types.map((t) => t.source.resourceType.name).join(', ');

  /** Each type's filter over its own table, attributes it lacks taken as unassigned; one that no type has is an error. */
  function compileFilters(filter: Filter | undefined, params: unknown[]): (string | undefined)[] {
    if (filter === undefined) return types.map(() => undefined);
    // By path in lower case (names are case-insensitive): as the client wrote it, and how many types lack it.
    const unknownIn = new Map<string, { path: string; types: number }>();
    const conditions = types.map(({ source }) => {
      const compiled = filterToSql(filter, source.resourceType, source.model, 1 + params.length, { unknownAttributes: 'unassigned' });
      params.push(...compiled.params);
      const lacked = new Map((compiled.unknown ?? []).map((path) => [path.toLowerCase(), path]));
      for (const [key, path] of lacked) unknownIn.set(key, { path: unknownIn.get(key)?.path ?? path, types: (unknownIn.get(key)?.types ?? 0) + 1 });
      return compiled.sql;
    });
    const nowhere = [...unknownIn.values()].find((entry) => entry.types === types.length);
    if (nowhere) throw ScimError.invalidFilter(`Unknown attribute "${nowhere.path}": none of the resource types searched (${names}) has it.`);
    return conditions;
  }

  /** Each type's sort expression, of one SQL type for all; a type without the attribute sorts as unassigned. */
  function compileSorts(sortBy: string | undefined): { keys: string[]; sqlType: SortSqlType } {
    if (sortBy === undefined || sortBy.trim() === '') return { keys: types.map((t) => t.source.createdColumn), sqlType: 'timestamptz' };
    const targets = types.map(({ source }) => sortTarget(sortBy, source.resourceType, source.model));
    const sqlTypes = new Set(targets.flatMap((target) => (target ? [SQL_TYPES[target.type]] : [])));
    if (sqlTypes.size === 0) throw ScimError.invalidValue(`Cannot sort by "${sortBy}": none of the resource types searched (${names}) has it.`);
    const [sqlType] = [...sqlTypes];
    if (sqlTypes.size > 1 || sqlType === undefined) throw ScimError.invalidValue(`Cannot sort by "${sortBy}": its type differs between resource types.`);
    return { keys: targets.map((target) => target?.expression ?? 'null'), sqlType };
  }

  return {
    async search(ctx, params) {
      if (params.cursor !== undefined) {
        throw ScimError.invalidValue('A search across resource types pages with "startIndex" and "count"; "cursor" (RFC 9865) is offered per resource type.');
      }
      const projections = types.map(({ source }) => compileProjection(source.resourceType, params));
      const whereParams: unknown[] = [];
      const conditions = compileFilters(params.filter === undefined ? undefined : parseFilter(params.filter), whereParams);
      const sort = compileSorts(params.sortBy);
      const branches: SearchBranch[] = types.map((type, rank) => ({ ...type.table, rank, where: conditions[rank], sortKey: sort.keys[rank]! }));
      const descending = params.sortOrder === 'descending';
      const keys =
        params.count === 0
          ? []
          : await pageAcrossTypes(store, ctx.tenantId, branches, whereParams, sort.sqlType, descending, params.count, params.startIndex - 1);
      // A short page is the last one, so it tells the total itself.
      const lastPage = keys.length < params.count && (keys.length > 0 || params.startIndex === 1);
      const total = lastPage ? params.startIndex - 1 + keys.length : await countAcrossTypes(store, ctx.tenantId, branches, whereParams);

      // The page's rows, read by id per type (one statement each), rendered by their type, put back in the page's order.
      const rendered = new Map<string, Record<string, unknown>>();
      await Promise.all(
        types.map(async (type, rank) => {
          const ids = keys.filter((key) => key.rank === rank).map((key) => key.id);
          if (ids.length === 0) return;
          const rows = await type.byIds(store, ctx.tenantId, ids);
          const resources = await type.source.render(store, ctx.tenantId, rows, projections[rank]!);
          rows.forEach((row, i) => rendered.set(`${rank}:${row.id}`, resources[i]!));
        }),
      );
      // A row deleted between the two statements is left out of the page rather than answered as an error.
      const resources = keys.flatMap((key) => {
        const resource = rendered.get(`${key.rank}:${key.id}`);
        return resource ? [resource] : [];
      });
      return listResponse(resources, total, params.startIndex);
    },
  };
}
