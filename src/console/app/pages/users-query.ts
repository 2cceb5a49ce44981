// The user list's state (search, persona, status, sort, page) as the address's query, and as GET /Users parameters.
// Kept in the address, so Back, a reload and a shared link show the same list.
import { scim, WITHOUT_TOTAL } from '../api';
import { ACCOUNT_EXT, type ListResponse, type User } from '../scim-types';
import { usersFilter, type StatusFilter } from '../users';

export type SortOrder = 'ascending' | 'descending';

export interface Sort {
  readonly by: string;
  readonly order: SortOrder;
}

export const SORT_BY = {
  name: 'name.familyName',
  userName: 'userName',
  email: 'emails.value',
  created: 'meta.created',
  lastModified: 'meta.lastModified',
  lastLogin: `${ACCOUNT_EXT}:lastLogin`,
  status: 'active',
  twoStep: `${ACCOUNT_EXT}:mfaEnabled`,
} as const;

export const DEFAULT_SORT: Sort = { by: SORT_BY.name, order: 'ascending' };

/** Dates read best newest first; names and the rest A to Z. */
export function firstOrder(by: string): SortOrder {
  return by === SORT_BY.created || by === SORT_BY.lastModified || by === SORT_BY.lastLogin ? 'descending' : 'ascending';
}

export const PAGE_SIZE = 25;

export interface UsersQuery {
  readonly search: string;
  readonly personaId: string;
  readonly status: StatusFilter;
  readonly sort: Sort;
  readonly cursor: string;
  /** 1 for the first page: where the range indicator starts ("26–50"). */
  readonly page: number;
}

const STATUSES: readonly StatusFilter[] = ['active', 'locked', 'deactivated'];
const SORT_KEYS = Object.keys(SORT_BY) as (keyof typeof SORT_BY)[];

/** The list state in an address's query: `q`, `persona`, `status`, `sort` (a SORT_BY key), `order`, `cursor`, `page`. */
export function queryOf(search: URLSearchParams): UsersQuery {
  const status = search.get('status') ?? '';
  const sortKey = SORT_KEYS.find((k) => k === search.get('sort'));
  const by = sortKey ? SORT_BY[sortKey] : DEFAULT_SORT.by;
  const order = search.get('order');
  const cursor = search.get('cursor') ?? '';
  const page = Number(search.get('page'));
  return {
    search: search.get('q') ?? '',
    personaId: search.get('persona') ?? '',
    status: (STATUSES as readonly string[]).includes(status) ? (status as StatusFilter) : '',
    sort: { by, order: order === 'ascending' || order === 'descending' ? order : sortKey ? firstOrder(by) : DEFAULT_SORT.order },
    cursor,
    page: cursor && Number.isInteger(page) && page > 1 ? page : 1,
  };
}

/** The address of a list state: only what differs from the defaults. */
export function addressOf(query: UsersQuery): string {
  const params = new URLSearchParams();
  if (query.search.trim()) params.set('q', query.search);
  if (query.personaId) params.set('persona', query.personaId);
  if (query.status) params.set('status', query.status);
  const sortKey = SORT_KEYS.find((k) => SORT_BY[k] === query.sort.by);
  if (sortKey && (query.sort.by !== DEFAULT_SORT.by || query.sort.order !== DEFAULT_SORT.order)) {
    params.set('sort', sortKey);
    params.set('order', query.sort.order);
  }
  if (query.cursor) {
    params.set('cursor', query.cursor);
    params.set('page', String(query.page));
  }
  const text = params.toString();
  return text ? `/admin/users?${text}` : '/admin/users';
}

/** "26–50 of 1,204": the rows shown, and the total when the server gave it. */
export function rangeText(page: number, shown: number, total: number | undefined): string {
  if (shown === 0) return total === undefined ? '' : `0 of ${total.toLocaleString()}`;
  const first = (page - 1) * PAGE_SIZE + 1;
  const range = `${first.toLocaleString()}–${(first + shown - 1).toLocaleString()}`;
  return total === undefined ? range : `${range} of ${total.toLocaleString()}`;
}

/**
 * A page of the list, without its total (RFC 7240 Prefer): a search many users match is counted by reading every
 * match, where its first page needs only the first few. fetchTotal asks for the number once the page is shown.
 */
export function fetchUsers(query: UsersQuery): Promise<ListResponse<User>> {
  return scim<ListResponse<User>>('GET', '/Users', {
    query: {
      filter: usersFilter(query.search, query.personaId, query.status),
      sortBy: query.sort.by,
      sortOrder: query.sort.order,
      count: PAGE_SIZE,
      cursor: query.cursor,
    },
    headers: WITHOUT_TOTAL,
  });
}

/** How many users match, without any of them (count=0): the total the pages are loaded without. */
export async function fetchTotal(query: UsersQuery): Promise<number | undefined> {
  const answer = await scim<ListResponse<User>>('GET', '/Users', {
    query: { filter: usersFilter(query.search, query.personaId, query.status), count: 0 },
  });
  return answer.totalResults;
}
