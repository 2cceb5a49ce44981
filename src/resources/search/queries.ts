// SQL for a search across resource types (RFC 7644 §3.4.3 at the root): one UNION ALL of each type's matches, ordered, paged and counted in SQL.
import type { Queryable } from '../../store/index.js';

/** One resource type's part of the statement: its table and what it contributes to the common order. */
export interface SearchBranch {
  /** The type's place in the list of types: the last tie-break of the order. */
  readonly rank: number;
  /** The table and its alias, the one the type's SqlModel writes conditions over ('users u'). */
  readonly from: string;
  readonly alias: string;
  /** The type's filter over its alias; its parameters are numbered in the statement's one list, after $1 (the tenant). */
  readonly where: string | undefined;
  /** The sort expression over the alias, of the statement's common SQL type ('null' for a type without the attribute). */
  readonly sortKey: string;
  /** The insertion order of rows that share their sort key (history's seq), or undefined to order them by id. */
  readonly seq?: string;
}

/** The table of each resource type searched, by resource type name, with the alias its SqlModel writes over. */
export const SEARCHED_TABLES: Readonly<Record<'User' | 'Group' | 'HistoryEntry', Pick<SearchBranch, 'from' | 'alias' | 'seq'>>> = {
  User: { from: 'users u', alias: 'u' },
  Group: { from: 'groups g', alias: 'g' },
  // Entries of one change share their time; seq keeps the order they were recorded in, as on /History.
  HistoryEntry: { from: 'history h', alias: 'h', seq: 'h.seq' },
};

/** Where a row of the page comes from: its type's rank and its id. */
export interface SearchKey {
  [key: string]: unknown;
  readonly rank: number;
  readonly id: string;
}

/** The SQL type the sort keys of every branch are cast to. */
export type SortSqlType = 'text' | 'numeric' | 'boolean' | 'timestamptz';

const ALIAS = /^[a-z]$/;

function orderSql(descending: boolean, prefix: string): string {
  const direction = descending ? 'desc' : 'asc';
  return `${prefix}sort_key ${direction} nulls ${descending ? 'first' : 'last'}, ${prefix}seq ${direction}, ${prefix}id ${direction}`;
}

function branchSql(branch: SearchBranch, sortType: SortSqlType, descending: boolean, limit: string): string {
  if (!ALIAS.test(branch.alias)) throw new Error(`unsafe alias in SQL: ${branch.alias}`);
  return `(select ${branch.rank}::integer as rank, ${branch.alias}.id as id, ${branch.seq ?? 'null::bigint'} as seq, (${branch.sortKey})::${sortType} as sort_key
      from ${branch.from}
     where ${branch.alias}.tenant_id = $1${branch.where ? ` and ${branch.where}` : ''}
     order by ${orderSql(descending, '')}
     limit ${limit})`;
}

/**
 * The keys of one page of the union of every branch's matches, in one total order: the sort key (unassigned last
 * ascending, first descending, as for one type), then the insertion order of history entries, then the id, then the
 * type. The page is among the first startIndex + count rows of each branch, so each branch is cut there: a branch
 * whose order an index serves (creation order: created_at and id, or created_at and seq) reads no more than that,
 * and the union sorts at most that many rows of each type rather than all of the tenant's.
 */
export async function pageAcrossTypes(
  q: Queryable,
  tenantId: string,
  branches: readonly SearchBranch[],
  params: readonly unknown[],
  sortType: SortSqlType,
  descending: boolean,
  limit: number,
  offset: number,
): Promise<SearchKey[]> {
  const n = params.length;
  const perBranch = `$${n + 4}`;
  return q.query<SearchKey>(
    `select r.rank, r.id::text as id from (
       ${branches.map((branch) => branchSql(branch, sortType, descending, perBranch)).join('\n       union all\n       ')}
     ) r
     order by ${orderSql(descending, 'r.')}, r.rank ${descending ? 'desc' : 'asc'}
     limit $${n + 2} offset $${n + 3}`,
    [tenantId, ...params, limit, offset, limit + offset],
  );
}

/** Exactly how many rows every branch matches, in one statement. */
export async function countAcrossTypes(q: Queryable, tenantId: string, branches: readonly SearchBranch[], params: readonly unknown[]): Promise<number> {
  const counts = branches.map((branch) => {
    if (!ALIAS.test(branch.alias)) throw new Error(`unsafe alias in SQL: ${branch.alias}`);
    return `(select count(*) from ${branch.from} where ${branch.alias}.tenant_id = $1${branch.where ? ` and ${branch.where}` : ''})`;
  });
  const rows = await q.query<{ n: number }>(`select (${counts.join(' + ')})::bigint as n`, [tenantId, ...params]);
  return rows[0]!.n;
}
