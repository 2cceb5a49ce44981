// SQL for Groups and their members: the statements, and the model that maps Group attributes to columns.
import type { ScalarTarget, SqlModel } from '../../scim/filter/to-sql.js';
import type { Queryable, Row } from '../../store/index.js';
import type { PageQuery, SortKeyed } from '../list.js';
import { jsonElementTarget, jsonPathSql } from '../sql-json.js';

export interface GroupRow {
  [key: string]: unknown;
  id: string;
  display_name: string;
  external_id: string | null;
  attributes: Record<string, unknown>;
  created_at: Date;
  last_modified: Date;
  version: number;
}

export interface GroupWrite {
  readonly displayName: string;
  readonly externalId: string | undefined;
  readonly attributes: Record<string, unknown>;
}

export type MemberType = 'User' | 'Group';

export interface MemberRow {
  [key: string]: unknown;
  group_id: string;
  value: string;
  type: MemberType;
  display: string | null;
}

const GROUP_COLUMNS = 'g.id, g.display_name, g.external_id, g.attributes, g.created_at, g.last_modified, g.version';

export async function insertGroup(tx: Queryable, tenantId: string, id: string, group: GroupWrite, now: Date): Promise<GroupRow> {
  const rows = await tx.query<GroupRow>(
    `insert into groups as g (tenant_id, id, display_name, external_id, attributes, created_at, last_modified, version)
     values ($1, $2, $3, $4, $5, $6, $6, 1)
     returning ${GROUP_COLUMNS}`,
    [tenantId, id, group.displayName, group.externalId ?? null, group.attributes, now.toISOString()],
  );
  return rows[0]!;
}

export async function updateGroup(tx: Queryable, tenantId: string, id: string, group: GroupWrite, now: Date): Promise<GroupRow | undefined> {
  const rows = await tx.query<GroupRow>(
    `update groups as g
        set display_name = $3, external_id = $4, attributes = $5,
            last_modified = greatest($6::timestamptz, g.last_modified), version = g.version + 1
      where g.tenant_id = $1 and g.id = $2
      returning ${GROUP_COLUMNS}`,
    [tenantId, id, group.displayName, group.externalId ?? null, group.attributes, now.toISOString()],
  );
  return rows[0];
}

export async function selectGroup(q: Queryable, tenantId: string, id: string): Promise<GroupRow | undefined> {
  const rows = await q.query<GroupRow>(`select ${GROUP_COLUMNS} from groups g where g.tenant_id = $1 and g.id = $2`, [tenantId, id]);
  return rows[0];
}

/** The groups of a page whose ids another statement chose (the search across resource types), in no order. */
export async function selectGroupsByIds(q: Queryable, tenantId: string, ids: readonly string[]): Promise<(GroupRow & SortKeyed)[]> {
  if (ids.length === 0) return [];
  return q.query<GroupRow & SortKeyed>(
    `select ${GROUP_COLUMNS}, null::text as sort_key from groups g where g.tenant_id = $1 and g.id = any($2::uuid[])`,
    [tenantId, ids],
  );
}

export async function lockGroup(tx: Queryable, tenantId: string, id: string): Promise<GroupRow | undefined> {
  const rows = await tx.query<GroupRow>(`select ${GROUP_COLUMNS} from groups g where g.tenant_id = $1 and g.id = $2 for update`, [tenantId, id]);
  return rows[0];
}

/**
 * Deletes a group and marks the groups it was nested in as modified (they lose a member); returns those groups,
 * for their history, or undefined when there was no such group.
 */
export async function deleteGroup(
  tx: Queryable,
  tenantId: string,
  id: string,
  now: Date,
): Promise<Array<{ id: string; display_name: string; external_id: string | null; version: number; attributes: Record<string, unknown> }> | undefined> {
  const parents = await tx.query<{ id: string; display_name: string; external_id: string | null; version: number; attributes: Record<string, unknown> }>(
    `update groups g set last_modified = greatest($3::timestamptz, g.last_modified), version = g.version + 1
      where g.tenant_id = $1 and g.id in (select s.group_id from group_subgroups s where s.tenant_id = $1 and s.member_group_id = $2)
      returning g.id, g.display_name, g.external_id, g.version, g.attributes`,
    [tenantId, id, now.toISOString()],
  );
  const rows = await tx.query('delete from groups where tenant_id = $1 and id = $2 returning id', [tenantId, id]);
  return rows.length > 0 ? parents : undefined;
}

/** Which of the given ids are Users or Groups of the tenant. Ids of other tenants are simply not found. */
export async function selectMemberTypes(q: Queryable, tenantId: string, ids: readonly string[]): Promise<Map<string, MemberType>> {
  if (ids.length === 0) return new Map();
  const rows = await q.query<{ id: string; type: MemberType }>(
    `select id, 'User' as type from users where tenant_id = $1 and id = any($2::uuid[])
     union all
     select id, 'Group' as type from groups where tenant_id = $1 and id = any($2::uuid[])`,
    [tenantId, ids],
  );
  return new Map(rows.map((row) => [row.id, row.type]));
}

/**
 * Whether making `memberGroupIds` members of `groupId` would close a loop: true when groupId is one of them
 * or is nested (at any depth) inside one of them.
 */
export async function wouldCreateCycle(q: Queryable, tenantId: string, groupId: string, memberGroupIds: readonly string[]): Promise<boolean> {
  if (memberGroupIds.length === 0) return false;
  const rows = await q.query(
    `with recursive descendants (id) as (
       select unnest($2::uuid[])
       union
       select s.member_group_id from descendants d
         join group_subgroups s on s.tenant_id = $1 and s.group_id = d.id
     )
     select 1 from descendants where id = $3 limit 1`,
    [tenantId, memberGroupIds, groupId],
  );
  return rows.length > 0;
}

/** Serialises changes to group nesting within a tenant, so two concurrent changes cannot together make a loop. */
export async function lockNesting(tx: Queryable, tenantId: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('usher.nesting.' || $1::text))`, [tenantId]);
}

/** A membership that a statement really added or removed, named as history shows it: userName, or a group's displayName. */
export interface ChangedMember {
  readonly type: MemberType;
  readonly id: string;
  readonly name: string;
}

export interface MembershipChange {
  readonly added: readonly ChangedMember[];
  readonly removed: readonly ChangedMember[];
}

const NO_CHANGE: MembershipChange = { added: [], removed: [] };

/** The end of a statement whose CTEs `users_changed` (user_id) and `groups_changed` (member_group_id) wrote memberships: their names. */
const NAME_CHANGED = `select 'User' as type, u.id, u.user_name as name
       from users_changed c join users u on u.tenant_id = $1 and u.id = c.user_id
     union all
     select 'Group', g.id, g.display_name
       from groups_changed c join groups g on g.tenant_id = $1 and g.id = c.member_group_id
     order by 1 desc, 3, 2`;

/**
 * Deletes a group's memberships of all users and groups `except` the given ones, or `only` the given ones,
 * in one statement that returns just the rows it deleted.
 */
async function deleteMembers(
  tx: Queryable,
  tenantId: string,
  groupId: string,
  which: 'except' | 'only',
  userIds: readonly string[],
  groupIds: readonly string[],
): Promise<ChangedMember[]> {
  const not = which === 'except' ? 'not ' : '';
  return tx.query<ChangedMember & Row>(
    `with users_changed as (
       delete from group_members where tenant_id = $1 and group_id = $2 and ${not}(user_id = any($3::uuid[])) returning user_id
     ), groups_changed as (
       delete from group_subgroups where tenant_id = $1 and group_id = $2 and ${not}(member_group_id = any($4::uuid[])) returning member_group_id
     )
     ${NAME_CHANGED}`,
    [tenantId, groupId, userIds, groupIds],
  );
}

/**
 * Makes the direct members of a group exactly the given users and groups. The difference is computed in SQL,
 * so only memberships that change are written, and only those are returned.
 */
export async function setMembers(
  tx: Queryable,
  tenantId: string,
  groupId: string,
  userIds: readonly string[],
  groupIds: readonly string[],
): Promise<MembershipChange> {
  const removed = await deleteMembers(tx, tenantId, groupId, 'except', userIds, groupIds);
  const { added } = await addMembers(tx, tenantId, groupId, userIds, groupIds);
  return { added, removed };
}

/** Adds memberships; ones that exist already are left as they are, and only the new ones are returned. */
export async function addMembers(
  tx: Queryable,
  tenantId: string,
  groupId: string,
  userIds: readonly string[],
  groupIds: readonly string[],
): Promise<MembershipChange> {
  if (userIds.length === 0 && groupIds.length === 0) return NO_CHANGE;
  const added = await tx.query<ChangedMember & Row>(
    `with users_changed as (
       insert into group_members (tenant_id, group_id, user_id)
       select $1, $2, unnest($3::uuid[]) on conflict do nothing returning user_id
     ), groups_changed as (
       insert into group_subgroups (tenant_id, group_id, member_group_id)
       select $1, $2, unnest($4::uuid[]) on conflict do nothing returning member_group_id
     )
     ${NAME_CHANGED}`,
    [tenantId, groupId, userIds, groupIds],
  );
  return { added, removed: [] };
}

/** Removes the given members, users or groups; ids that are not members are ignored, and only the ones removed are returned. */
export async function removeMembers(tx: Queryable, tenantId: string, groupId: string, ids: readonly string[]): Promise<MembershipChange> {
  if (ids.length === 0) return NO_CHANGE;
  return { added: [], removed: await deleteMembers(tx, tenantId, groupId, 'only', ids, ids) };
}

/** The direct members of the given groups, users then groups, each in id order. */
export async function selectMembers(q: Queryable, tenantId: string, groupIds: readonly string[]): Promise<MemberRow[]> {
  if (groupIds.length === 0) return [];
  return q.query<MemberRow>(
    `select m.group_id, m.user_id as value, 'User' as type, coalesce(u.display_name, u.user_name) as display
       from group_members m join users u on u.tenant_id = m.tenant_id and u.id = m.user_id
      where m.tenant_id = $1 and m.group_id = any($2::uuid[])
     union all
     select s.group_id, s.member_group_id, 'Group', g.display_name
       from group_subgroups s join groups g on g.tenant_id = s.tenant_id and g.id = s.member_group_id
      where s.tenant_id = $1 and s.group_id = any($2::uuid[])
     order by 1, 3 desc, 2`,
    [tenantId, groupIds],
  );
}

/**
 * One batch of a group's direct members of one kind, in id order after `afterId`: a walk along the primary
 * key, so a group of any size is read in pieces of the same cost.
 */
export async function selectMemberBatch(
  q: Queryable,
  tenantId: string,
  groupId: string,
  type: MemberType,
  afterId: string | null,
  limit: number,
): Promise<MemberRow[]> {
  if (type === 'User') {
    return q.query<MemberRow>(
      `select m.group_id, m.user_id as value, 'User' as type, coalesce(u.display_name, u.user_name) as display
         from group_members m join users u on u.tenant_id = m.tenant_id and u.id = m.user_id
        where m.tenant_id = $1 and m.group_id = $2 and ($3::uuid is null or m.user_id > $3::uuid)
        order by m.user_id limit $4`,
      [tenantId, groupId, afterId, limit],
    );
  }
  return q.query<MemberRow>(
    `select s.group_id, s.member_group_id as value, 'Group' as type, g.display_name as display
       from group_subgroups s join groups g on g.tenant_id = s.tenant_id and g.id = s.member_group_id
      where s.tenant_id = $1 and s.group_id = $2 and ($3::uuid is null or s.member_group_id > $3::uuid)
      order by s.member_group_id limit $4`,
    [tenantId, groupId, afterId, limit],
  );
}

export async function countGroups(q: Queryable, tenantId: string, where: string | undefined, params: readonly unknown[]): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `select count(*)::bigint as n from groups g where g.tenant_id = $1${where ? ` and ${where}` : ''}`,
    [tenantId, ...params],
  );
  return rows[0]!.n;
}

export async function pageGroups(q: Queryable, tenantId: string, page: PageQuery): Promise<(GroupRow & SortKeyed)[]> {
  const n = page.params.length;
  return q.query<GroupRow & SortKeyed>(
    `select ${GROUP_COLUMNS}, (${page.sortKey})::text as sort_key from groups g
      where g.tenant_id = $1${page.where ? ` and ${page.where}` : ''}
      order by ${page.orderBy}
      limit $${n + 2} offset $${n + 3}`,
    [tenantId, ...page.params, page.limit, page.offset],
  );
}

const COLUMN_TARGETS: Record<string, ScalarTarget> = {
  id: { sql: 'g.id', type: 'string', caseExact: true, uuid: true },
  externalid: { sql: 'g.external_id', type: 'string', caseExact: true },
  displayname: { sql: 'g.display_name', type: 'string', caseExact: false, notNull: true },
  'meta.created': { sql: 'g.created_at', type: 'dateTime', caseExact: false, notNull: true },
  'meta.lastmodified': { sql: 'g.last_modified', type: 'dateTime', caseExact: false, notNull: true },
  'meta.resourcetype': { sql: `'Group'`, type: 'string', caseExact: true },
};

const MEMBERS_SOURCE = `(select m.user_id as value, 'User' as type from group_members m where m.tenant_id = g.tenant_id and m.group_id = g.id
   union all
   select s.member_group_id, 'Group' from group_subgroups s where s.tenant_id = g.tenant_id and s.group_id = g.id)`;

/** The group has attributes of the extension; spelt as the partial index of personas (sql/0010) spells its predicate. */
const hasExtension = (schemaId: string): string => `(g.attributes -> '${schemaId}') is not null`;

/** How Group attributes live in SQL. Members are answered from the membership tables, never from a document. */
export const groupSqlModel: SqlModel = {
  scalar(resolved) {
    const key = (resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name).toLowerCase();
    const column = COLUMN_TARGETS[key];
    if (column) return column;
    if (resolved.attribute.name === 'meta') return undefined;
    const leaf = resolved.subAttribute ?? resolved.attribute;
    const keys = [
      ...(resolved.common || resolved.schema.id === 'urn:ietf:params:scim:schemas:core:2.0:Group' ? [] : [resolved.schema.id]),
      resolved.attribute.name,
      ...(resolved.subAttribute ? [resolved.subAttribute.name] : []),
    ];
    return { sql: jsonPathSql('g.attributes', keys, leaf.type), type: leaf.type, caseExact: leaf.caseExact };
  },
  multi(resolved) {
    if (resolved.attribute.name === 'members') {
      return {
        exists: (condition) => `exists (select 1 from ${MEMBERS_SOURCE} as mm where ${condition})`,
        element: (sub) => {
          switch (sub?.name.toLowerCase()) {
            case 'value':
              return { sql: 'mm.value', type: 'string', caseExact: true, uuid: true };
            case 'type':
              return { sql: 'mm.type', type: 'string', caseExact: false };
            default:
              return undefined;
          }
        },
      };
    }
    const core = resolved.schema.id === 'urn:ietf:params:scim:schemas:core:2.0:Group';
    const keys = [...(core ? [] : [resolved.schema.id]), resolved.attribute.name];
    const elements = jsonElementTarget(jsonPathSql('g.attributes', keys, 'complex'), resolved.attribute);
    if (core) return elements;
    // An element of an extension's attribute exists only where the extension does: saying so lets the partial index
    // of personas (sql/0010) serve a persona's permissions, without changing what matches.
    return { ...elements, exists: (condition) => `(${hasExtension(resolved.schema.id)} and ${elements.exists(condition)})` };
  },
  complexPresent: () => undefined,
  multiSortKey: () => undefined,
  hasExtension,
  idColumn: 'g.id',
};
