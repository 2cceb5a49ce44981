// SQL for Users: the statements, and the model that maps User attributes to columns for filters and sorting.
import { FILTER_COSTS, type MultiTarget, type ScalarTarget, type SqlModel } from '../../scim/filter/to-sql.js';
import { ACCOUNT_SCHEMA } from '../../scim/schema/account.js';
import type { ResolvedAttribute } from '../../scim/schema/resolve.js';
import type { AttributeDefinition } from '../../scim/schema/types.js';
import { orderByColumns } from '../../scim/sort.js';
import type { Queryable, QueryOptions } from '../../store/index.js';
import type { PageQuery, SearchWalk, SortKeyed } from '../list.js';
import { jsonElementTarget, jsonFieldTarget, jsonPathSql } from '../sql-json.js';

export interface UserRow {
  [key: string]: unknown;
  id: string;
  user_name: string;
  external_id: string | null;
  display_name: string | null;
  /** Whether the user may sign in now: the stored word of the administrator or IdP, and no lockout running. */
  active: boolean;
  attributes: Record<string, unknown>;
  created_at: Date;
  last_modified: Date;
  version: number;
  last_login: Date | null;
  failed_logins: number;
  /** Only while a lockout runs. */
  locked_until: Date | null;
  /** Only while the user is locked (active false). */
  lock_reason: string | null;
  password_change_required: boolean;
  password_set_at: Date | null;
  welcome_email_sent_at: Date | null;
  mfa_enabled: boolean;
  /**
   * The display name of the user the enterprise manager.value names, looked up when read; null when it names no
   * user of this tenant (not yet provisioned, deleted, another tenant's, or not an id at all). Pages of users read
   * it afterwards, for the page's rows alone (selectManagerNames).
   */
  manager_name: string | null;
}

/**
 * A row of a page as pageUsers reads it: with the manager's name and the user's groups, read in the same
 * statement (`groups` empty when the response leaves them out). Rows read otherwise (selectUsersByIds) have no
 * `groups`: whoever renders them reads both afterwards.
 */
export type PageUserRow = UserRow & SortKeyed & { groups?: UserGroupRow[] };

export interface UserWrite {
  readonly userName: string;
  readonly externalId: string | undefined;
  readonly displayName: string | undefined;
  readonly active: boolean;
  readonly attributes: Record<string, unknown>;
  /**
   * When active changes: why a user became inactive ('admin' or 'provisioning'); ignored otherwise. 'deactivated'
   * (the console's Deactivate) applies to an inactive user too: a locked user deactivated is no longer locked.
   */
  readonly lockReason?: 'admin' | 'provisioning' | 'deactivated';
  /** Ends a lockout after failed logins (an administrator's explicit active: true). */
  readonly unlock?: boolean;
}

/** One element of a multi-valued attribute, as indexed in user_values. */
export interface UserValue {
  readonly attribute: string;
  /** The element's index in its attribute's array. */
  readonly position: number;
  readonly value: string | null;
  readonly type: string | null;
  readonly primary: boolean;
}

/** The multi-valued attributes whose elements are indexed in user_values. */
export const INDEXED_MULTI_VALUED = ['emails', 'phoneNumbers', 'ims', 'photos', 'entitlements', 'roles'] as const;

/** Effective activity: the stored `active` and no lockout after failed logins still running. */
const ACTIVE_NOW = '(u.active and (u.locked_until is null or u.locked_until <= now()))';
const LOCKED_UNTIL_NOW = '(case when u.locked_until > now() then u.locked_until end)';
const LOCK_REASON_NOW = `(case when not ${ACTIVE_NOW} then u.lock_reason end)`;
/** A lockout that has run out takes its count with it: the next failure starts again from one. */
const FAILED_LOGINS_NOW = '(case when u.locked_until <= now() then 0 else u.failed_logins end)';

const ENTERPRISE_USER_SCHEMA = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const MANAGER_VALUE = `(u.attributes #>> '{${ENTERPRISE_USER_SCHEMA},manager,value}')`;
const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const UUID_TEXT = new RegExp(UUID_PATTERN);
/**
 * The manager's name, resolved at read time so that a manager provisioned after its reports (Entra does so) is
 * found by itself: one primary-key lookup, inside the statement that reads the user. Only inside the row's own
 * tenant; a value that is no UUID is never cast. Not in pages: with an OFFSET, the rows skipped would pay for it.
 */
const MANAGER_NAME = `(select coalesce(m.display_name, m.user_name) from users m
    where m.tenant_id = u.tenant_id
      and m.id = (case when ${MANAGER_VALUE} ~ '${UUID_PATTERN}' then ${MANAGER_VALUE}::uuid end))`;

/** The stored lower-cased family name (sql/0024) that sorting by name.familyName orders on. */
const FAMILY_KEY = 'u.family_key';

const COLUMNS = `u.id, u.user_name, u.external_id, u.display_name, ${ACTIVE_NOW} as active, u.attributes,
  u.created_at, u.last_modified, u.version, u.last_login, ${FAILED_LOGINS_NOW} as failed_logins, ${LOCKED_UNTIL_NOW} as locked_until,
  ${LOCK_REASON_NOW} as lock_reason, u.password_change_required, u.password_set_at, u.welcome_email_sent_at, u.mfa_enabled`;
/** One user's columns, its manager's name included. */
const USER_COLUMNS = `${COLUMNS}, ${MANAGER_NAME} as manager_name`;
/** A page's columns: the manager's name is looked up for the page's rows afterwards (selectManagerNames). */
const PAGE_COLUMNS = `${COLUMNS}, null::text as manager_name`;

/** Inserts a user and the index rows of its multi-valued attributes in one statement (one round trip). */
export async function insertUser(
  tx: Queryable,
  tenantId: string,
  id: string,
  user: UserWrite,
  passwordHash: string | null,
  values: readonly UserValue[],
  now: Date,
  /**
   * When the welcome mail goes out with this insert (account extension welcomeEmailSentAt). `unlessTurnedOff`: not
   * when the tenant has turned off the welcome mail of provisioned users (tenants.welcome_mail), read in the same
   * statement; the row's welcome_email_sent_at says whether it goes out.
   */
  welcome: { readonly at: Date; readonly unlessTurnedOff: boolean } | null = null,
): Promise<UserRow> {
  const rows = await tx.query<UserRow>(
    `with inserted as (
       insert into users as u (tenant_id, id, user_name, external_id, display_name, active, lock_reason, password_hash, password_set_at,
                               attributes, created_at, last_modified, version, welcome_email_sent_at)
       values ($1, $2, $3, $4, $5, $6, case when $6 then null else $11 end, $7, case when $7::text is null then null else $9::timestamptz end,
               $8, $9, $9, 1,
               case when $12::timestamptz is null then null
                    when $13::boolean and not coalesce((select t.welcome_mail from tenants t where t.id = $1), true) then null
                    else $12::timestamptz end)
       returning ${USER_COLUMNS}
     ), indexed as (
       insert into user_values (tenant_id, user_id, attribute, position, value, type, is_primary)
       select $1, $2, v.attribute, v.position, v.value, v.type, v.is_primary
         from jsonb_to_recordset($10::jsonb) as v(attribute text, position integer, value text, type text, is_primary boolean)
     )
     select * from inserted`,
    [
      tenantId,
      id,
      user.userName,
      user.externalId ?? null,
      user.displayName ?? null,
      user.active,
      passwordHash,
      user.attributes,
      now.toISOString(),
      valueRecords(values),
      user.lockReason ?? 'provisioning',
      welcome?.at.toISOString() ?? null,
      welcome?.unlessTurnedOff ?? false,
    ],
  );
  return rows[0]!;
}

/** Replaces a user's attributes; a null passwordHash keeps the current one. Undefined when the user is gone. */
export async function updateUser(
  tx: Queryable,
  tenantId: string,
  id: string,
  user: UserWrite,
  passwordHash: string | null,
  now: Date,
): Promise<UserRow | undefined> {
  const rows = await tx.query<UserRow>(
    `update users as u
        set user_name = $3, external_id = $4, display_name = $5, active = $6,
            lock_reason = case when $6 and (not u.active or $10) then null
                               when not $6 and (u.active or $11 = 'deactivated') then $11
                               else u.lock_reason end,
            locked_until = case when $10 then null else u.locked_until end,
            failed_logins = case when $10 then 0 else u.failed_logins end,
            password_hash = coalesce($7, u.password_hash), attributes = $8,
            password_set_at = case when $7::text is null then u.password_set_at else $9::timestamptz end,
            password_change_required = case when $7::text is null then u.password_change_required else false end,
            last_modified = greatest($9::timestamptz, u.last_modified), version = u.version + 1
      where u.tenant_id = $1 and u.id = $2
      returning ${USER_COLUMNS}`,
    [
      tenantId,
      id,
      user.userName,
      user.externalId ?? null,
      user.displayName ?? null,
      user.active,
      passwordHash,
      user.attributes,
      now.toISOString(),
      user.unlock === true,
      user.lockReason ?? 'provisioning',
    ],
  );
  return rows[0];
}

// One jsonb parameter rather than parallel arrays: postgres.js sends a null inside a text[] as the string "NULL".
function valueRecords(values: readonly UserValue[]): Record<string, unknown>[] {
  return values.map((v) => ({ attribute: v.attribute, position: v.position, value: v.value, type: v.type, is_primary: v.primary }));
}

export async function replaceUserValues(tx: Queryable, tenantId: string, userId: string, values: readonly UserValue[]): Promise<void> {
  await tx.query('delete from user_values where tenant_id = $1 and user_id = $2', [tenantId, userId]);
  await insertUserValues(tx, tenantId, userId, values);
}

async function insertUserValues(tx: Queryable, tenantId: string, userId: string, values: readonly UserValue[]): Promise<void> {
  if (values.length === 0) return;
  await tx.query(
    `insert into user_values (tenant_id, user_id, attribute, position, value, type, is_primary)
     select $1, $2, v.attribute, v.position, v.value, v.type, v.is_primary
       from jsonb_to_recordset($3::jsonb) as v(attribute text, position integer, value text, type text, is_primary boolean)`,
    [tenantId, userId, valueRecords(values)],
  );
}

export async function selectUser(q: Queryable, tenantId: string, id: string): Promise<UserRow | undefined> {
  const rows = await q.query<UserRow>(`select ${USER_COLUMNS} from users u where u.tenant_id = $1 and u.id = $2`, [tenantId, id]);
  return rows[0];
}

/**
 * The display names of the users of this tenant that manager values name, by id in lower case: one statement for
 * the managers of a whole page. Values that are not UUIDs name no user and are not sent.
 */
export async function selectManagerNames(q: Queryable, tenantId: string, values: readonly string[]): Promise<Map<string, string>> {
  const ids = [...new Set(values.filter((value) => UUID_TEXT.test(value)).map((value) => value.toLowerCase()))];
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; name: string }>(
    'select id::text as id, coalesce(display_name, user_name) as name from users where tenant_id = $1 and id = any($2::uuid[])',
    [tenantId, ids],
  );
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** The users of a page whose ids another statement chose (the search across resource types), in no order. */
export async function selectUsersByIds(q: Queryable, tenantId: string, ids: readonly string[]): Promise<(UserRow & SortKeyed)[]> {
  if (ids.length === 0) return [];
  return q.query<UserRow & SortKeyed>(
    `select ${PAGE_COLUMNS}, null::text as sort_key from users u where u.tenant_id = $1 and u.id = any($2::uuid[])`,
    [tenantId, ids],
  );
}

/** Locks the user's row for the rest of the transaction, so concurrent writers take turns. */
export async function lockUser(tx: Queryable, tenantId: string, id: string): Promise<UserRow | undefined> {
  const rows = await tx.query<UserRow>(`select ${USER_COLUMNS} from users u where u.tenant_id = $1 and u.id = $2 for update`, [tenantId, id]);
  return rows[0];
}

export async function userExists(q: Queryable, tenantId: string, id: string): Promise<boolean> {
  return (await q.query('select 1 from users where tenant_id = $1 and id = $2', [tenantId, id])).length > 0;
}

export async function selectUserNames(q: Queryable, tenantId: string, id: string): Promise<{ user_name: string; display_name: string | null } | undefined> {
  const rows = await q.query<{ user_name: string; display_name: string | null }>(
    'select user_name, display_name from users where tenant_id = $1 and id = $2',
    [tenantId, id],
  );
  return rows[0];
}

/**
 * Deletes a user and marks the groups it was a direct member of as modified; returns those groups, for their
 * history, or undefined when there was no such user.
 */
export async function deleteUser(
  tx: Queryable,
  tenantId: string,
  id: string,
  now: Date,
): Promise<Array<{ id: string; display_name: string; external_id: string | null; version: number }> | undefined> {
  const groups = await tx.query<{ id: string; display_name: string; external_id: string | null; version: number }>(
    `update groups g set last_modified = greatest($3::timestamptz, g.last_modified), version = g.version + 1
      where g.tenant_id = $1 and g.id in (select m.group_id from group_members m where m.tenant_id = $1 and m.user_id = $2)
      returning g.id, g.display_name, g.external_id, g.version`,
    [tenantId, id, now.toISOString()],
  );
  const rows = await tx.query('delete from users where tenant_id = $1 and id = $2 returning id', [tenantId, id]);
  return rows.length > 0 ? groups : undefined;
}

export interface UserGroupRow {
  [key: string]: unknown;
  user_id: string;
  group_id: string;
  display_name: string;
  direct: boolean;
}

/**
 * The groups each of the given users belongs to, directly or through nested groups (RFC 7643 §4.1.2
 * `groups`, type "direct" or "indirect"). UNION makes the walk stop even if nesting ever loops.
 */
export async function selectGroupsOfUsers(q: Queryable, tenantId: string, userIds: readonly string[]): Promise<UserGroupRow[]> {
  if (userIds.length === 0) return [];
  return q.query<UserGroupRow>(
    `with recursive closure (user_id, group_id, depth) as (
       select m.user_id, m.group_id, 0 from group_members m where m.tenant_id = $1 and m.user_id = any($2::uuid[])
       union
       select c.user_id, s.group_id, 1 from closure c
         join group_subgroups s on s.tenant_id = $1 and s.member_group_id = c.group_id
     ), memberships as (
       select c.user_id, c.group_id, min(c.depth) = 0 as direct from closure c group by c.user_id, c.group_id
     )
     -- The name is looked up by primary key per membership (memberships reference their groups, so there is
     -- one): the planner cannot estimate the walk, and would rather hash the tenant's whole groups table than
     -- look up the few dozen names a page needs.
     select m.user_id, m.group_id, m.direct,
            (select g.display_name from groups g where g.tenant_id = $1 and g.id = m.group_id) as display_name
       from memberships m
      order by 1, 4, 2`,
    [tenantId, userIds],
  );
}

/** How many users match, or, with `atMost`, the lesser of that and `atMost` (read no further than that many). */
export async function countUsers(q: Queryable, tenantId: string, where: string | undefined, params: readonly unknown[], atMost?: number): Promise<number> {
  const matching = `from users u where u.tenant_id = $1${where ? ` and ${where}` : ''}`;
  const rows = await q.query<{ n: number }>(
    atMost === undefined
      ? `select count(*)::bigint as n ${matching}`
      : `select count(*)::bigint as n from (select 1 ${matching} limit $${params.length + 2}) m`,
    atMost === undefined ? [tenantId, ...params] : [tenantId, ...params, atMost],
  );
  return rows[0]!.n;
}

/** The walk from the users of `users` (a relation with column id) up their groups, for GROUPS_OF below. */
const MEMBERSHIPS_OF = (users: string) => `closure (user_id, group_id, depth) as (
       select m.user_id, m.group_id, 0 from group_members m where m.tenant_id = $1 and m.user_id in (select id from ${users})
       union
       select c.user_id, s.group_id, 1 from closure c
         join group_subgroups s on s.tenant_id = $1 and s.member_group_id = c.group_id
     ), memberships as (
       select c.user_id, c.group_id, min(c.depth) = 0 as direct from closure c group by c.user_id, c.group_id
     )`;

/**
 * The groups of page row p as selectGroupsOfUsers gives them (same walk, same order, the names looked up by
 * primary key for the same reason), as a JSON array. OFFSET 0 keeps the subquery whole, so that each name is
 * looked up once, not once for the object and again for the order.
 */
const GROUPS_OF_ROW = `coalesce((
       select json_agg(json_build_object('user_id', g.user_id, 'group_id', g.group_id, 'display_name', g.display_name, 'direct', g.direct)
                       order by g.display_name, g.group_id)
         from (select ms.user_id, ms.group_id, ms.direct,
                      (select n.display_name from groups n where n.tenant_id = $1 and n.id = ms.group_id) as display_name
                 from memberships ms where ms.user_id = p.id offset 0) g
     ), '[]'::json)`;

/** A page of users (selectPage), its matches read as PageQuery.matchesFirst and PageQuery.walk say. */
export async function pageUsers(q: Queryable, tenantId: string, page: PageQuery): Promise<PageUserRow[]> {
  // Few matches (PageQuery.matchesFirst): OFFSET 0 keeps the planner from pulling the filter up into a walk of the
  // sort order's index; the subquery reads the matches through the filter's own indexes, the page sorts them.
  const fenced = page.matchesFirst === true && page.where !== undefined;
  const from = fenced ? `(select * from users u where u.tenant_id = $1 and ${page.where} offset 0) u` : 'users u';
  // Many matches (PageQuery.walk): `is true` is no condition an index can serve, so every plan, the plan cache's
  // generic one included, walks the sort order's index and tests each row, stopping at the page.
  const condition = page.where === undefined || fenced ? '' : page.walk ? ` and (${page.where}) is true` : ` and ${page.where}`;
  return selectPage(q, tenantId, page, { from, where: `u.tenant_id = $1${condition}`, orderBy: page.orderBy });
}

/**
 * At most this many entries of users_family_key_idx are walked for a page of a search (searchPageUsers) before the
 * page is read otherwise: about 25 ms at 1M users on PostgreSQL (0.5 µs an entry). A fragment many users share is
 * mostly found well within it (at 1M seeded users, "mar" fills a page after 349 entries, "sen" after 39,991); one
 * whose matches all sort late ("okafor": 13,515 after 560,000 others) is not, and is read matches first.
 */
export const SEARCH_WALK_ENTRIES = 50_000;

/**
 * A page of a search sorted by name.familyName, read by walking users_family_key_idx, which carries the search text
 * (sql/0024): each entry is tested on the index alone (an index-only scan, once VACUUM has marked the pages visible),
 * and only the entries whose text holds the searched fragments are read from the heap and tested with the filter.
 * The walk stops at the page, or after `entries` entries unless `search.whole`; a page it did not fill before the
 * bound is then undefined, to be read otherwise (pageUsers), since the matches it missed may lie beyond. A full page
 * is exact: every match before its last row was walked, its text passed (`search.text` is implied by the filter), and
 * the filter chose the page's rows. So is a short page when the walk ended before its bound: a tenant of fewer users
 * than `entries` (most tenants) has its searches answered from its own entries of the index, never from the trigram
 * indexes, which hold every tenant's matches.
 */
export async function searchPageUsers(
  q: Queryable,
  tenantId: string,
  page: PageQuery,
  search: SearchWalk,
  entries = SEARCH_WALK_ENTRIES,
): Promise<PageUserRow[] | undefined> {
  if (page.sortKey !== FAMILY_KEY) return undefined;
  if (search.fragment !== undefined && !search.whole) {
    const found = await searchKeysPageUsers(q, tenantId, page, { ...search, fragment: search.fragment });
    if (found !== undefined) return found;
  }
  const n = page.params.length;
  const keyset = search.keyset ? ` and ${search.keyset}` : '';
  // The LIMIT bounds the walk: a condition outside it cannot be pushed into it. The page orders on the walk's own
  // columns (c), so the walk's order is the page's and the join stops at the page.
  const walked = `(select u.id, u.family_key from (
                     select u.id, u.family_key, u.search_text from users u
                      where u.tenant_id = $1${keyset}
                      order by ${page.orderBy} limit $${n + 3}::bigint) u
                    where ${search.text}) c
             join users u on u.tenant_id = $1 and u.id = c.id`;
  const orderBy = orderByColumns('c.family_key', 'c.id', page.descending);
  // A short page is exact when the walk read every entry from the page's start (a tenant smaller than the bound):
  // asked in the same statement, so in the same snapshot, and only for a short page (a CASE evaluates its subquery
  // only when it takes that branch).
  const walkedAll = `case when (select count(*) from page) < ${pageLimit(page.limit)} then
                       (select count(*) < $${n + 3} from (select 1 from users u where u.tenant_id = $1${keyset} limit $${n + 3}::bigint) w)
                     end`;
  // LIMIT NULL is no limit: the whole index.
  const rows = await selectPage(q, tenantId, page, { from: walked, where: page.where ?? 'true', orderBy, ...(search.whole ? {} : { walkedAll }) }, [
    search.whole ? null : entries,
  ]);
  const users = rows.filter((row) => row.id !== null);
  return search.whole || users.length === page.limit || rows[0]?.walked_all === true ? users : undefined;
}

/** How far searchKeysPageUsers walks before it leaves a page to searchPageUsers' own walk. */
export interface SearchKeysBounds {
  /** Family names walked. */
  readonly names: number;
  /** Users walked under one family name (or among the users without one). */
  readonly entries: number;
  /** The page's rows and the rows an offset skips: more, and the page is read otherwise. */
  readonly rows: number;
}

export const SEARCH_KEYS_BOUNDS: SearchKeysBounds = { names: 100, entries: 2_000, rows: 1_000 };

/**
 * A page of a search sorted by name.familyName that holds `search.fragment`, read through user_search_keys (sql/0025):
 * the family names whose users' texts hold every three characters of the fragment, in the page's order, and under
 * each the users of that name, walked on users_family_key_idx alone as searchPageUsers walks it, then tested with the
 * filter; the users without a family name are walked apart (they sort last ascending, first descending). The page,
 * exact, or undefined when a bound stopped the walk before the page was whole: more than `bounds.names` names, or a
 * name (or the users without one) with more than `bounds.entries` users walked for fewer matches than the page needs.
 * Such a stop is a row without an id where the walk stopped (after that name's matches, or after the last name
 * walked), and a page with one within its rows is no answer. Nor is a page the filter cut short (a condition the
 * search text cannot tell) while matches were left unwalked.
 */
export async function searchKeysPageUsers(
  q: Queryable,
  tenantId: string,
  page: PageQuery,
  search: SearchWalk & { readonly fragment: string },
  bounds: SearchKeysBounds = SEARCH_KEYS_BOUNDS,
): Promise<PageUserRow[] | undefined> {
  const wanted = page.limit + page.offset;
  if (wanted > bounds.rows) return undefined;
  const n = page.params.length;
  const fragment = `$${n + 3}`;
  const rows = pageLimit(wanted);
  const direction = page.descending ? 'desc' : 'asc';
  const keyset = search.keyset ? ` and ${search.keyset}` : '';
  // A cursor's page starts at its own name: every name before it in the page's order is behind the cursor.
  const from = search.from;
  const start = from === undefined || (from.key === null && page.descending) ? '' : from.key === null ? ' and false' : ` and k.family_key ${page.descending ? '<=' : '>='} $${n + 4}`;
  // One name's users (`group`, a condition on users u): the ids whose text holds the fragment, in the page's order, at
  // most the page's rows, read on users_family_key_idx alone; and whether its bound cut the walk short. OFFSET 0 keeps
  // the array one value: pulled up, it would be read again for each use.
  const walkGroup = (group: string) => `lateral (
         select array(
           select u.id from (
             select u.id, u.search_text from users u
              where u.tenant_id = $1 and ${group}${keyset}
              order by u.id ${direction} limit ${bounds.entries}) u
            where ${search.text}
            limit ${rows}) as ids
         offset 0) g
       cross join lateral (
         select cardinality(g.ids) < ${rows}
                and (select count(*) from (select 1 from users u where u.tenant_id = $1 and ${group}${keyset} limit ${bounds.entries}) e) = ${bounds.entries}
                as cut) c`;
  // The first name (`after`: where the page starts) or the next, whose users' texts hold every piece of the fragment.
  const nextName = (after: string) => `select k.family_key from user_search_keys k
          where k.tenant_id = $1 and k.trigram = (select p.pieces[1] from pieces p)${after}
            and not exists (select 1 from unnest((select p.pieces from pieces p)) as t (trigram)
                             where not exists (select 1 from user_search_keys o
                                                where o.tenant_id = $1 and o.trigram = t.trigram and o.family_key = k.family_key))
          order by k.family_key ${direction} limit 1`;
  // The fragment's pieces, lower-cased by the database as the search text is, worked out once.
  const pieces = `pieces as (select usher_trigrams(lower(${fragment}::text)) as pieces)`;
  // Name after name: each step walks the name the last one found (next_key) and looks up the one after it, until the
  // page's rows are found, a name is cut short, no name is left, or the names' bound is reached.
  const names = `names (n, family_key, ids, cut, found, next_key) as (
       select 0, null::text, array[]::uuid[], false, 0, (${nextName(start)})
       union all
       select s.n + 1, s.next_key, g.ids, c.cut, s.found + cardinality(g.ids), k.family_key
         from names s cross join ${walkGroup('u.family_key = s.next_key')}
              left join lateral (${nextName(` and k.family_key ${page.descending ? '<' : '>'} s.next_key`)}) k on true
        where s.next_key is not null and s.found < ${rows} and not s.cut and s.n < ${bounds.names})`;
  // Each stop is a row without an id where the walk stopped; the users without a family name come after the names
  // ascending, before them descending.
  const cutShort = 'case when c.cut then array[null::uuid] else array[]::uuid[] end';
  const nullsAt = page.descending ? 0 : bounds.names + 2;
  const walked = `walked as materialized (
       select w.id, w.family_key from (
         select x.id, s.family_key, s.n, x.i
           from names s cross join lateral (select s.cut) c cross join lateral unnest(s.ids || ${cutShort}) with ordinality as x (id, i)
          where s.n > 0
         union all
         select null::uuid, null::text, ${bounds.names + 1}, 1
          where exists (select 1 from names where n = ${bounds.names} and found < ${rows} and next_key is not null and not cut)
         union all
         select x.id, null::text, ${nullsAt}, x.i
           from ${walkGroup('u.family_key is null')} cross join lateral unnest(g.ids || ${cutShort}) with ordinality as x (id, i)) w
        order by w.n, w.i limit ${rows})`;
  const found = await selectPage(
    q,
    tenantId,
    page,
    {
      with: `${pieces}, ${names}, ${walked}`,
      from: '(select w.id, w.family_key from walked w where w.id is not null) c join users u on u.tenant_id = $1 and u.id = c.id',
      where: page.where ?? 'true',
      orderBy: orderByColumns('c.family_key', 'c.id', page.descending),
      // Exact when no bound stopped the walk, and the filter kept every user walked or the walk found them all.
      walkedAll: `not exists (select 1 from walked w where w.id is null)
                  and ((select count(*) from page) = ${pageLimit(page.limit)} or (select count(*) from walked) < ${rows})`,
    },
    [search.fragment, ...(from?.key != null ? [from.key] : [])],
    // Its plan is the same whatever the fragment (the walk's shape is written out, the fragment only picks names), so
    // it is a named statement, parsed once per connection: planning it each time cost 1.6 ms of its 4 at 1M users.
    { planEachTime: false },
  );
  return found[0]?.walked_all === true ? found.filter((row) => row.id !== null) : undefined;
}

/**
 * Vacuums the users table, as PostgreSQL's autovacuum would: dead rows go, and pages whose rows every transaction
 * sees are marked so in the visibility map, which an index-only scan reads instead of the heap (searchPageUsers
 * fetched every entry's row from the heap on a table never vacuumed). PGlite runs no autovacuum; the server calls
 * this once a minute there. A table with few changed pages is vacuumed in about a millisecond: the pages already
 * marked are skipped.
 */
export async function vacuumUsers(q: Queryable): Promise<void> {
  // user_search_keys too: a search reads it by index-only scans (searchKeysPageUsers).
  await q.query('vacuum users, user_search_keys');
}

/**
 * A page's LIMIT, written into the statement rather than bound: a generic plan (what a named statement may settle on
 * after five runs) takes an unbound LIMIT for a tenth of the rows, and on PGlite at 100k users planned a page's groups
 * as a sequential scan of every membership. A page's size is a count the request was checked for, so few texts arise.
 */
function pageLimit(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`A page's size must be a whole number, got ${limit}.`);
  return String(limit);
}

/**
 * A page of users in one statement, with all its rendering needs from the database: the page's rows (ordered and
 * limited in a CTE, so the manager's name and the groups are read for the page's rows only, never for the rows an
 * OFFSET skips), each one's manager name (MANAGER_NAME's lookup), and, when the response keeps `groups`, the
 * groups each user is in, directly or through nested groups. page_position carries the page's order out of the CTE.
 * `rows` reads the page's users as `u`; its parameters after the page's own and the offset ($n+2) come from `extra`.
 */
function selectPage(
  q: Queryable,
  tenantId: string,
  page: PageQuery,
  rows: { readonly with?: string; readonly from: string; readonly where: string; readonly orderBy: string; readonly walkedAll?: string },
  extra: readonly unknown[] = [],
  options?: QueryOptions,
): Promise<(PageUserRow & { walked_all?: boolean | null })[]> {
  const n = page.params.length;
  const withGroups = page.projection.includes(USER_CORE_SCHEMA, 'groups');
  const managerValue = MANAGER_VALUE.replace('u.attributes', 'p.attributes');
  // walkedAll (searchPageUsers) is a column of every row, and of one row of nulls when the page is empty.
  return q.query<PageUserRow & { walked_all?: boolean | null }>(
    `with ${withGroups ? 'recursive ' : ''}${rows.with ? `${rows.with}, ` : ''}page as (
       select ${COLUMNS}, (${page.sortKey})::text as sort_key, row_number() over (order by ${rows.orderBy}) as page_position
         from ${rows.from}
        where ${rows.where}
        order by ${rows.orderBy}
        limit ${pageLimit(page.limit)} offset $${n + 2}
     )${withGroups ? `, ${MEMBERSHIPS_OF('page')}` : ''}
     select p.*,
            (select coalesce(m.display_name, m.user_name) from users m
              where m.tenant_id = $1 and m.id = (case when ${managerValue} ~ '${UUID_PATTERN}' then ${managerValue}::uuid end)) as manager_name,
            ${withGroups ? GROUPS_OF_ROW : "'[]'::json"} as groups${rows.walkedAll ? ', w.walked_all' : ''}
       from page p${rows.walkedAll ? ` right join (select ${rows.walkedAll} as walked_all) w on true` : ''}
      order by p.page_position`,
    [tenantId, ...page.params, page.offset, ...extra],
    options,
  );
}

const COLUMN_TARGETS: Record<string, ScalarTarget> = {
  id: { sql: 'u.id', type: 'string', caseExact: true, uuid: true },
  externalid: { sql: 'u.external_id', type: 'string', caseExact: true },
  username: { sql: 'u.user_name', type: 'string', caseExact: false, notNull: true },
  displayname: { sql: 'u.display_name', type: 'string', caseExact: false },
  active: { sql: ACTIVE_NOW, type: 'boolean', caseExact: false },
  'meta.created': { sql: 'u.created_at', type: 'dateTime', caseExact: false, notNull: true },
  'meta.lastmodified': { sql: 'u.last_modified', type: 'dateTime', caseExact: false, notNull: true },
  'meta.resourcetype': { sql: `'User'`, type: 'string', caseExact: true },
  // The document's field, as users_family_name_trgm_idx indexes it (sql/0013); sorted on its stored lower-cased copy,
  // which users_family_key_idx carries beside the search text (sql/0024, searchPageUsers).
  'name.familyname': { sql: jsonPathSql('u.attributes', ['name', 'familyName'], 'string'), type: 'string', caseExact: false, orderColumn: FAMILY_KEY },
};

/** The read-only account extension lives in columns. */
const ACCOUNT_TARGETS: Record<string, ScalarTarget> = {
  // Never signed in sorts as the oldest login (1970, a finite time a cursor can carry): last when newest first.
  lastlogin: { sql: 'u.last_login', type: 'dateTime', caseExact: false, sortSql: "coalesce(u.last_login, 'epoch'::timestamptz)" },
  lockreason: { sql: LOCK_REASON_NOW, type: 'string', caseExact: true },
  lockeduntil: { sql: LOCKED_UNTIL_NOW, type: 'dateTime', caseExact: false },
  failedlogins: { sql: FAILED_LOGINS_NOW, type: 'integer', caseExact: false },
  passwordchangerequired: { sql: 'u.password_change_required', type: 'boolean', caseExact: false },
  passwordsetat: { sql: 'u.password_set_at', type: 'dateTime', caseExact: false },
  welcomeemailsentat: { sql: 'u.welcome_email_sent_at', type: 'dateTime', caseExact: false },
  mfaenabled: { sql: 'u.mfa_enabled', type: 'boolean', caseExact: false },
};

/**
 * An indexed multi-valued attribute: one user_values row per element, whose position is the element's index
 * in the attributes document, so sub-attributes without a column are read from that same element.
 */
function userValuesTarget(attribute: AttributeDefinition): MultiTarget {
  const columns: Record<string, ScalarTarget> = {
    value: { sql: 'v.value', type: 'string', caseExact: false },
    type: { sql: 'v.type', type: 'string', caseExact: false },
    primary: { sql: 'v.is_primary', type: 'boolean', caseExact: false },
  };
  const element = `(u.attributes -> '${attribute.name}' -> v.position)`;
  return {
    exists: (condition) =>
      `exists (select 1 from user_values v where v.tenant_id = u.tenant_id and v.user_id = u.id and v.attribute = '${attribute.name}' and ${condition})`,
    element: (sub) => (sub && columns[sub.name.toLowerCase()]) || jsonFieldTarget(element, sub, attribute.type),
    // The e-mails' JSON, which users_emails_text_trgm_idx (sql/0016) serves: the console's search ORs e-mails with
    // the user's own columns, and only a test on the row lets that OR be read from indexes.
    ...(attribute.name === 'emails' ? { rowText: EMAILS_TEXT } : {}),
  };
}

/** Written exactly as users_emails_text_trgm_idx indexes it. */
const EMAILS_TEXT = "lower((u.attributes -> 'emails')::text)";

/**
 * The tenant of the statement a filter lands in: countUsers and pageUsers bind it as $1, as PageQuery in ../list.ts
 * promises. The groups target restricts every table to it, so that the groups and memberships it reads do not
 * depend on the user row and PostgreSQL can compute them once per statement (see groupsTarget).
 */
const STATEMENT_TENANT = '$1';

/** Every (ancestor, descendant) pair of the tenant's nested groups. UNION stops the walk even if nesting ever loops. */
const NESTING = `(with recursive nesting (ancestor, descendant) as (
       select s.group_id, s.member_group_id from group_subgroups s where s.tenant_id = ${STATEMENT_TENANT}
       union
       select n.ancestor, s.member_group_id
         from nesting n join group_subgroups s on s.tenant_id = ${STATEMENT_TENANT} and s.group_id = n.descendant
     ) select ancestor, descendant from nesting)`;

/**
 * The descendants or the ancestors of a group through nesting, as a uuid[]. The map from each group to them is an
 * uncorrelated subquery, which PostgreSQL evaluates once per statement, so each lookup is cheap wherever the
 * planner puts it. The array's text form ('{...}') is what array_agg(uuid)::text yields and uuid[] parses back.
 */
function nestingOf(relatives: 'descendants' | 'ancestors', group: string): string {
  const [key, value] = relatives === 'descendants' ? ['ancestor', 'descendant'] : ['descendant', 'ancestor'];
  return `((select jsonb_object_agg(r.k, r.v)
             from (select n.${key}::text as k, array_agg(n.${value})::text as v from ${NESTING} n group by n.${key}) r)
           ->> ${group}::text)::uuid[]`;
}

/** The tenant's groups as elements of `groups` with one kind of membership: the rows a groups condition tests. */
function groupElements(type: 'direct' | 'indirect'): string {
  return `(select g.id as value, g.display_name as display, '${type}'::text as type
             from groups g where g.tenant_id = ${STATEMENT_TENANT}) as ug`;
}

const GROUP_ELEMENT_COLUMNS: Record<string, ScalarTarget> = {
  value: { sql: 'ug.value', type: 'string', caseExact: true, uuid: true },
  display: { sql: 'ug.display', type: 'string', caseExact: false },
  type: { sql: 'ug.type', type: 'string', caseExact: false },
};

/**
 * `groups` (RFC 7643 §4.1.2): the groups a user is directly in (type "direct") and their ancestors through nested
 * groups ("indirect"; a group the user is also directly in is "direct" only, as selectGroupsOfUsers renders it).
 *
 * The condition is tested on groups, not on users: the groups that satisfy it as a direct element give their
 * members, those that satisfy it as an indirect element give the members of their descendants who are not their
 * own members. That set is uncorrelated and the user is matched against it only in the outer WHERE, so PostgreSQL
 * turns the EXISTS into a semi-join (`groups.value eq "<id>"` reads one group, the group_members primary key
 * ranges of it and of its descendants, and users by primary key), or, under `not` and `or`, into one hashed set or
 * a cheap test per user (the user's memberships, then their ancestors by the map). A walk up from each user in a
 * correlated recursive query would cost about a second per 10,000 users; joining the recursive walk itself, which
 * the planner cannot estimate, would read all of the tenant's memberships. Hence the two lookups in the indirect
 * branch: equivalent, each gives the planner one direction to enter by.
 */
const groupsTarget: MultiTarget = {
  exists: (condition) => {
    const t = STATEMENT_TENANT;
    return `exists (select 1 from (
      select m.tenant_id, m.user_id
        from ${groupElements('direct')}
        join group_members m on m.tenant_id = ${t} and m.group_id = ug.value
       where ${condition}
      union all
      select m.tenant_id, m.user_id
        from ${groupElements('indirect')}
        join group_members m on m.tenant_id = ${t}
             and m.group_id = any(${nestingOf('descendants', 'ug.value')})
             and ug.value = any(${nestingOf('ancestors', 'm.group_id')})
       where ${condition}
         and not exists (select 1 from group_members d where d.tenant_id = ${t} and d.group_id = ug.value and d.user_id = m.user_id)
    ) as e where e.tenant_id = u.tenant_id and e.user_id = u.id)`;
  },
  element: (sub) => GROUP_ELEMENT_COLUMNS[(sub?.name ?? 'value').toLowerCase()],
  cost: FILTER_COSTS.membership,
};

function qualifiedKey(resolved: ResolvedAttribute): string {
  return resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}`.toLowerCase() : resolved.attribute.name.toLowerCase();
}

function jsonKeyPath(resolved: ResolvedAttribute): string[] {
  const extension = resolved.common || resolved.schema.id === USER_CORE_SCHEMA ? [] : [resolved.schema.id];
  return [...extension, resolved.attribute.name, ...(resolved.subAttribute ? [resolved.subAttribute.name] : [])];
}

const USER_CORE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** What users.search_text holds (sql/0024): the attributes the console's search box looks in. */
const SEARCH_TEXT_ATTRIBUTES: ReadonlySet<string> = new Set(['username', 'name.givenname', 'name.familyname', 'emails', 'emails.value']);

/** How User attributes live in SQL: indexed columns where there are some, the attributes document otherwise. */
export const userSqlModel: SqlModel = {
  scalar(resolved) {
    const isCore = resolved.common || resolved.schema.id === USER_CORE_SCHEMA;
    if (resolved.schema.id === ACCOUNT_SCHEMA.id) return ACCOUNT_TARGETS[qualifiedKey(resolved)];
    const column = isCore ? COLUMN_TARGETS[qualifiedKey(resolved)] : undefined;
    if (column) return column;
    if (resolved.attribute.name === 'meta' || resolved.attribute.name === 'groups') return undefined;
    const leaf = resolved.subAttribute ?? resolved.attribute;
    return { sql: jsonPathSql('u.attributes', jsonKeyPath(resolved), leaf.type), type: leaf.type, caseExact: leaf.caseExact };
  },
  multi(resolved) {
    const name = resolved.attribute.name;
    if ((INDEXED_MULTI_VALUED as readonly string[]).includes(name)) return userValuesTarget(resolved.attribute);
    if (name === 'groups') return resolved.schema.id === USER_CORE_SCHEMA ? groupsTarget : undefined;
    return jsonElementTarget(jsonPathSql('u.attributes', jsonKeyPath(resolved), 'complex'), resolved.attribute);
  },
  complexPresent(resolved) {
    return `(${jsonPathSql('u.attributes', jsonKeyPath(resolved), 'complex')} is not null)`;
  },
  multiSortKey(resolved) {
    const name = resolved.attribute.name;
    if (!(INDEXED_MULTI_VALUED as readonly string[]).includes(name)) return undefined;
    const column = { value: 'value', type: 'type' }[(resolved.subAttribute?.name ?? 'value').toLowerCase()];
    if (!column) return undefined;
    return {
      sql: `(select v.${column} from user_values v where v.tenant_id = u.tenant_id and v.user_id = u.id and v.attribute = '${name}' order by v.is_primary desc, v.position limit 1)`,
      type: 'string',
      caseExact: false,
    };
  },
  // The account extension is rendered from columns for every user (failedLogins is never unassigned): every user has it.
  hasExtension: (schemaId) => (schemaId === ACCOUNT_SCHEMA.id ? 'true' : `(u.attributes -> '${schemaId}') is not null`),
  searchText: {
    sql: 'u.search_text',
    covers: (resolved) =>
      (resolved.common || resolved.schema.id === USER_CORE_SCHEMA) && SEARCH_TEXT_ATTRIBUTES.has(qualifiedKey(resolved)),
  },
  idColumn: 'u.id',
};
