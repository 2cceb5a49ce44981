// SQL for the history table: the one insert, the list and search queries, and the model that maps HistoryEntry attributes to columns.
import { HISTORY_EVENT_LABELS, type HistoryActorType } from '../../scim/history/events.js';
import { containsPattern, lowerContainsSql, type ScalarTarget, type SqlModel } from '../../scim/filter/to-sql.js';
import type { ResolvedAttribute } from '../../scim/schema/resolve.js';
import type { Queryable } from '../../store/index.js';
import type { PageQuery, SortKeyed } from '../list.js';

export interface HistoryRow {
  [key: string]: unknown;
  id: string;
  resource_type: string;
  resource_id: string;
  resource_name: string;
  event: string;
  attribute: string | null;
  old_value: string | null;
  new_value: string | null;
  actor: string;
  /** Null for an entry written before actors had a type and not matched by the backfill (sql/0008). */
  actor_type: HistoryActorType | null;
  actor_id: string | null;
  request_id: string | null;
  created_at: Date;
}

/** One row to insert, with the history table's column names. */
export interface HistoryRecord {
  readonly tenant_id: string;
  readonly id: string;
  readonly resource_type: string;
  readonly resource_id: string;
  readonly resource_name: string;
  readonly event: string;
  readonly attribute: string | null;
  readonly old_value: string | null;
  readonly new_value: string | null;
  readonly actor: string;
  readonly actor_type: HistoryActorType;
  readonly actor_id: string;
  readonly request_id: string | null;
  readonly created_at: string;
}

const HISTORY_COLUMNS = 'h.id, h.resource_type, h.resource_id, h.resource_name, h.event, h.attribute, h.old_value, h.new_value, h.actor, h.actor_type, h.actor_id, h.request_id, h.created_at';

/**
 * Inserts the records in one statement, in their order (seq, the tie-break of the default order, follows it).
 * One jsonb parameter rather than parallel arrays: postgres.js sends a null inside a text[] as the string "NULL".
 */
export async function insertHistory(tx: Queryable, records: readonly HistoryRecord[]): Promise<void> {
  if (records.length === 0) return;
  await tx.query(
    `insert into history (tenant_id, id, resource_type, resource_id, resource_name, event, attribute, old_value, new_value, actor, actor_type, actor_id, request_id, created_at)
     select e.tenant_id, e.id, e.resource_type, e.resource_id, e.resource_name, e.event, e.attribute, e.old_value, e.new_value, e.actor, e.actor_type, e.actor_id, e.request_id, e.created_at
       from jsonb_array_elements($1::jsonb) with ordinality as x(record, n)
       cross join lateral jsonb_to_record(x.record) as e(tenant_id uuid, id uuid, resource_type text, resource_id uuid, resource_name text, event text,
                                                        attribute text, old_value text, new_value text, actor text, actor_type text, actor_id text, request_id text,
                                                        created_at timestamptz)
      order by x.n`,
    [records],
  );
}

export async function selectHistoryEntry(q: Queryable, tenantId: string, id: string): Promise<HistoryRow | undefined> {
  const rows = await q.query<HistoryRow>(`select ${HISTORY_COLUMNS} from history h where h.tenant_id = $1 and h.id = $2`, [tenantId, id]);
  return rows[0];
}

/** The entries of a page whose ids another statement chose (the search across resource types), in no order. */
export async function selectHistoryByIds(q: Queryable, tenantId: string, ids: readonly string[]): Promise<(HistoryRow & SortKeyed)[]> {
  if (ids.length === 0) return [];
  return q.query<HistoryRow & SortKeyed>(
    `select ${HISTORY_COLUMNS}, h.seq::text as tie_key, null::text as sort_key from history h where h.tenant_id = $1 and h.id = any($2::uuid[])`,
    [tenantId, ids],
  );
}

/** Whether a user id names something with a history: a user of the tenant now, or one that has entries (deleted since). */
export async function userHasHistoryOrExists(q: Queryable, tenantId: string, userId: string): Promise<boolean> {
  const rows = await q.query<{ found: boolean }>(
    `select exists (select 1 from users where tenant_id = $1 and id = $2)
         or exists (select 1 from history where tenant_id = $1 and resource_id = $2 and resource_type = 'User') as found`,
    [tenantId, userId],
  );
  return rows[0]?.found === true;
}

export async function countHistory(q: Queryable, tenantId: string, where: string | undefined, params: readonly unknown[]): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `select count(*)::bigint as n from history h where h.tenant_id = $1${where ? ` and ${where}` : ''}`,
    [tenantId, ...params],
  );
  return rows[0]!.n;
}

export async function pageHistory(q: Queryable, tenantId: string, page: PageQuery): Promise<(HistoryRow & SortKeyed)[]> {
  const n = page.params.length;
  return q.query<HistoryRow & SortKeyed>(
    `select ${HISTORY_COLUMNS}, h.seq::text as tie_key, (${page.sortKey})::text as sort_key from history h
      where h.tenant_id = $1${page.where ? ` and ${page.where}` : ''}
      order by ${page.orderBy}
      limit $${n + 2} offset $${n + 3}`,
    [tenantId, ...page.params, page.limit, page.offset],
  );
}

function sqlLiteral(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/** The event's label in SQL, so filters, sorting and search see what the portal shows. Labels are constants of this program. */
const EVENT_LABEL_SQL = `(case h.event ${Object.entries(HISTORY_EVENT_LABELS)
  .map(([event, label]) => `when ${sqlLiteral(event)} then ${sqlLiteral(label)}`)
  .join(' ')} else h.event end)`;

/** The columns the search box looks in: names, the event as shown, the attribute, both values and who did it. */
const SEARCHED = ['h.resource_name', EVENT_LABEL_SQL, 'h.attribute', 'h.old_value', 'h.new_value', 'h.actor'];
const NULLABLE = new Set(['h.attribute', 'h.old_value', 'h.new_value']);

/**
 * The searched columns as one text, a line feed between them, as history_search_trgm_idx indexes it
 * (sql/0013_search_indexes.sql): written exactly so, or the index does not serve the search.
 */
const SEARCHED_TEXT = `lower(${SEARCHED.map((column) => (NULLABLE.has(column) ? `coalesce(${column}, '')` : column)).join(" || E'\\n' || ")})`;

/**
 * A case-insensitive substring match of `text` over the searched columns, LIKE metacharacters taken literally.
 * A text without a line feed is found in one of the columns exactly when it is found in their joined text, which
 * the trigram index answers; one with a line feed could span two columns, and is tested on each as well.
 */
export function searchSql(text: string, param: (value: unknown) => string): string {
  const pattern = `${param(containsPattern(text))}::text`;
  const joined = lowerContainsSql(SEARCHED_TEXT, pattern);
  if (!text.includes('\n')) return joined;
  return `(${joined} and (${SEARCHED.map((column) => lowerContainsSql(`lower(${column})`, pattern)).join(' or ')}))`;
}

/** The history of one user: its index serves it (tenant_id, resource_id, created_at desc, seq desc). */
export function ofUserSql(userId: string, param: (value: unknown) => string): string {
  return `(h.resource_type = 'User' and h.resource_id = ${param(userId)}::uuid)`;
}

const COLUMN_TARGETS: Record<string, ScalarTarget> = {
  id: { sql: 'h.id', type: 'string', caseExact: true, uuid: true },
  // An entry has no externalId: a filter on it (a search across resource types sends one) finds it unassigned.
  externalid: { sql: 'null::text', type: 'string', caseExact: true },
  'meta.created': { sql: 'h.created_at', type: 'dateTime', caseExact: false },
  'meta.lastmodified': { sql: 'h.created_at', type: 'dateTime', caseExact: false },
  'meta.resourcetype': { sql: `'HistoryEntry'`, type: 'string', caseExact: true },
  resourcetype: { sql: 'h.resource_type', type: 'string', caseExact: false },
  resourceid: { sql: 'h.resource_id', type: 'string', caseExact: true, uuid: true },
  username: { sql: 'h.resource_name', type: 'string', caseExact: false },
  event: { sql: 'h.event', type: 'string', caseExact: false },
  eventdescription: { sql: EVENT_LABEL_SQL, type: 'string', caseExact: false },
  attribute: { sql: 'h.attribute', type: 'string', caseExact: false },
  oldvalue: { sql: 'h.old_value', type: 'string', caseExact: false },
  newvalue: { sql: 'h.new_value', type: 'string', caseExact: false },
  created: { sql: 'h.created_at', type: 'dateTime', caseExact: false },
  updatedby: { sql: 'h.actor', type: 'string', caseExact: false },
  // Ids are compared exactly (they are stored as the API returns them), so that history_actor_idx serves them.
  'actor.type': { sql: 'h.actor_type', type: 'string', caseExact: false },
  'actor.value': { sql: 'h.actor_id', type: 'string', caseExact: true },
  'actor.display': { sql: 'h.actor', type: 'string', caseExact: false },
  requestid: { sql: 'h.request_id', type: 'string', caseExact: true },
};

function qualifiedKey(resolved: ResolvedAttribute): string {
  return resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}`.toLowerCase() : resolved.attribute.name.toLowerCase();
}

/**
 * HistoryEntry attributes are all columns. Orders are total by `seq` (insertion order), not by id, so the entries
 * of one change, which share their time, keep the order they were recorded in.
 */
export const historySqlModel: SqlModel = {
  scalar: (resolved) => COLUMN_TARGETS[qualifiedKey(resolved)],
  multi: () => undefined,
  // `actor pr`: the entry names its actor by type and id (every entry but old ones the backfill could not place).
  complexPresent: (resolved) => (resolved.attribute.name === 'actor' ? '(h.actor_type is not null)' : undefined),
  multiSortKey: () => undefined,
  hasExtension: () => 'false',
  idColumn: 'h.seq',
  idCast: '::bigint',
};
