// Reads history (Usher's HistoryEntry resource type, listed as RFC 7644 §3.4.2 ListResponses): the whole tenant's, or one user's.
import { ScimError } from '../../scim/errors.js';
import type { ListParams, ListResponse } from '../../scim/list.js';
import { compileProjection, type ProjectionParams } from '../../scim/resource/projection.js';
import { HISTORY_RESOURCE_TYPE } from '../../scim/schema/history-entry.js';
import type { Deps, RequestContext } from '../context.js';
import { runList, type ListCondition, type ListSource, type SortKeyed } from '../list.js';
import { historyToResource } from './mapper.js';
import {
  countHistory,
  historySqlModel,
  ofUserSql,
  pageHistory,
  searchSql,
  selectHistoryEntry,
  userHasHistoryOrExists,
  type HistoryRow,
} from './queries.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_SEARCH_LENGTH = 256;

export interface HistoryService {
  /** GET /History: the tenant's history, newest first unless sortBy says otherwise; `search` is the portal's search box. */
  list(ctx: RequestContext, params: ListParams, search: string | undefined): Promise<ListResponse<Record<string, unknown>>>;
  /** GET /Users/{id}/History: one user's history, also after the user was deleted. */
  listForUser(ctx: RequestContext, userId: string, params: ListParams, search: string | undefined): Promise<ListResponse<Record<string, unknown>>>;
  /** GET /History/{id}: one entry. */
  get(ctx: RequestContext, id: string, projection: ProjectionParams): Promise<Record<string, unknown>>;
}

/** The search text to use, or undefined for none: surrounding blanks do not count. */
function searchText(search: string | undefined): string | undefined {
  const text = search?.trim();
  if (text === undefined || text === '') return undefined;
  if (text.length > MAX_SEARCH_LENGTH) throw ScimError.invalidValue(`Parameter "search" must be at most ${MAX_SEARCH_LENGTH} characters.`);
  return text;
}

function condition(userId: string | undefined, search: string | undefined): ListCondition | undefined {
  const text = searchText(search);
  if (userId === undefined && text === undefined) return undefined;
  return {
    scope: { userId: userId?.toLowerCase() ?? null, search: text ?? null },
    // A search reads its few matches through the trigram index, or walks the newest entries when they are many.
    ...(text === undefined ? {} : { planEachTime: true }),
    sql: (param) =>
      [userId === undefined ? undefined : ofUserSql(userId.toLowerCase(), param), text === undefined ? undefined : searchSql(text, param)]
        .filter((part): part is string => part !== undefined)
        .join(' and '),
  };
}

/** How a list of history entries is read and rendered; shared with the search across resource types (../search/). */
export function historyListSource(scimBaseUrl: string): ListSource<HistoryRow & SortKeyed> {
  return {
    resourceType: HISTORY_RESOURCE_TYPE,
    model: historySqlModel,
    createdColumn: 'h.created_at',
    defaultSortOrder: 'descending',
    count: countHistory,
    page: pageHistory,
    async render(_q, _tenantId, rows, projection) {
      return rows.map((row) => projection.apply(historyToResource(row, scimBaseUrl)));
    },
  };
}

export function createHistoryService(deps: Deps): HistoryService {
  const { store, scimBaseUrl } = deps;

  const source = historyListSource(scimBaseUrl);

  return {
    list(ctx, params, search) {
      return runList(store, deps.cursors, ctx.tenantId, params, source, condition(undefined, search));
    },

    async listForUser(ctx, userId, params, search) {
      if (!UUID.test(userId) || !(await userHasHistoryOrExists(store, ctx.tenantId, userId.toLowerCase()))) {
        throw ScimError.notFound(`User ${userId} not found.`);
      }
      return runList(store, deps.cursors, ctx.tenantId, params, source, condition(userId, search));
    },

    async get(ctx, id, projectionParams) {
      const projection = compileProjection(HISTORY_RESOURCE_TYPE, projectionParams);
      const row = UUID.test(id) ? await selectHistoryEntry(store, ctx.tenantId, id.toLowerCase()) : undefined;
      if (!row) throw ScimError.notFound(`History entry ${id} not found.`);
      return projection.apply(historyToResource(row, scimBaseUrl));
    },
  };
}
