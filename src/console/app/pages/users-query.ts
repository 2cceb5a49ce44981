// The user list's query: search text, persona, sort and cursor, turned into GET /Users parameters.
import { scim } from '../api';
import { ACCOUNT_EXT, type ListResponse, type User } from '../scim-types';
import { usersFilter } from '../users';

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
  readonly sort: Sort;
  readonly cursor: string;
}

export function fetchUsers(query: UsersQuery): Promise<ListResponse<User>> {
  return scim<ListResponse<User>>('GET', '/Users', {
    query: {
      filter: usersFilter(query.search, query.personaId),
      sortBy: query.sort.by,
      sortOrder: query.sort.order,
      count: PAGE_SIZE,
      cursor: query.cursor,
    },
  });
}
