// SQL for the seed and the benchmark: whole batches of Users, their user_values rows and Groups built inside the database.
import type { Queryable } from '../store/index.js';

/**
 * The built-in word lists a seeded person is drawn from. They travel as text[] parameters; every choice is a hash
 * of the person's number, so the same number always gives the same person (a manager's name can be recomputed).
 */
export interface SeedLists {
  readonly given: readonly string[];
  readonly middle: readonly string[];
  readonly family: readonly string[];
  readonly prefixes: readonly string[];
  readonly suffixes: readonly string[];
  readonly titles: readonly string[];
  readonly divisions: readonly string[];
  readonly departments: readonly string[];
  readonly timezones: readonly string[];
}

/** What one users batch needs besides the lists: where it starts and ends, and the span creation times spread over. */
export interface UserBatch {
  readonly tenantId: string;
  /** Domain of work addresses and userNames, e.g. "bench-1m.example.com". */
  readonly domain: string;
  readonly organization: string;
  readonly first: number;
  readonly last: number;
  readonly total: number;
  readonly since: Date;
  readonly until: Date;
  /** The attributes indexed in user_values (INDEXED_MULTI_VALUED of the users queries). */
  readonly indexedAttributes: readonly string[];
}

// Parameters shared by the statements below: $1 the tenant (cast the same way everywhere, so that ids derived from it
// agree between statements), $2..$10 the lists.
const TENANT = '$1::uuid';
const LIST_PARAMS = {
  given: '$2::text[]',
  middle: '$3::text[]',
  family: '$4::text[]',
  prefixes: '$5::text[]',
  suffixes: '$6::text[]',
  titles: '$7::text[]',
  divisions: '$8::text[]',
  departments: '$9::text[]',
  timezones: '$10::text[]',
} as const;

function listParams(lists: SeedLists): unknown[] {
  return [lists.given, lists.middle, lists.family, lists.prefixes, lists.suffixes, lists.titles, lists.divisions, lists.departments, lists.timezones];
}

/** A number in [0, modulo) that depends only on n and salt: a deterministic stand-in for random(). */
function pick(n: string, salt: number, modulo: string): string {
  return `((hashint8(${n}::bigint * 64 + ${salt}) & 2147483647) % ${modulo})`;
}

/** A name as it may appear in the local part of an address: "van Dijk" gives "vandijk", "O'Brien" "obrien". */
function local(name: string): string {
  return `translate(lower(${name}), ' ''-.', '')`;
}

/** n in decimal, zero-padded to at least width digits (never truncated: uniqueness depends on it). */
function padded(n: string, width: number): string {
  return `lpad(${n}::text, greatest(${width}, length(${n}::text)), '0')`;
}

function fromList(list: string, n: string, salt: number): string {
  return `(${list})[1 + ${pick(n, salt, `cardinality(${list})`)}]`;
}

/**
 * A version 4 UUID derived from a key, so rows can refer to each other by number (members, managers). One md5 per
 * id: the variant nibble comes from the number rather than from the digest.
 */
function uuidOf(key: string, n: string): string {
  return `overlay(overlay(md5(${key}) placing '4' from 13 for 1) placing substr('89ab', 1 + ${n} % 4, 1) from 17 for 1)::uuid`;
}

export function userIdSql(tenant: string, n: string): string {
  return uuidOf(`${tenant}::text || ':user:' || ${n}`, n);
}

export function groupIdSql(tenant: string, n: string): string {
  return uuidOf(`${tenant}::text || ':group:' || ${n}`, n);
}

/** The names of person n, as columns of a lateral subquery: given, middle, family, prefix, suffix, display. */
function personSql(n: string): string {
  const L = LIST_PARAMS;
  return `select p.given, p.middle, p.family, p.prefix, p.suffix, p.given || ' ' || p.family as display
            from (select ${fromList(L.given, n, 1)} as given,
                         case when ${pick(n, 2, '100')} < 40 then ${fromList(L.middle, n, 3)} end as middle,
                         ${fromList(L.family, n, 4)} as family,
                         case when ${pick(n, 5, '100')} < 15 then ${fromList(L.prefixes, n, 6)} end as prefix,
                         case when ${pick(n, 7, '100')} < 3 then ${fromList(L.suffixes, n, 8)} end as suffix) p`;
}

/**
 * Users first..last of a tenant, and their user_values rows, in one statement. The attributes document has the
 * shape the Users service stores after normalising a POST body (canonical names, no nulls, the manager's
 * displayName copied from the manager); user_values is derived from that same document, element by element, as
 * the service's indexedValues does.
 */
export async function insertUserBatch(q: Queryable, batch: UserBatch, lists: SeedLists): Promise<void> {
  const L = LIST_PARAMS;
  // $11 first, $12 last, $13 total, $14 since, $15 until, $16 domain, $17 organization, $18 indexed attributes.
  const i = 's.i';
  await q.query(
    `with person as (
       select ${i} as i, ${userIdSql(TENANT, i)} as id, p.*,
              ${local('p.given')} || '.' || ${local('p.family')} || '.' || ${i} || '@' || lower($16::text) as user_name,
              ${local('p.given')} || coalesce('.' || ${local('p.middle')}, '') || '.' || ${local('p.family')} || ${i} || '@mail.example.net' as home_email,
              '00u' || lpad(to_hex(${i}), 7, '0') || substr(md5($1::uuid::text || ':x:' || ${i}), 1, 10) as external_id,
              ${pick(i, 9, '100')} >= 5 as active,
              date_trunc('milliseconds', $14::timestamptz
                + (extract(epoch from $15::timestamptz - $14::timestamptz)::float8 * (${i} - 1) / greatest($13::int, 1)
                   + ${pick(i, 10, '86400')}) * interval '1 second') as created,
              ${pick(i, 11, '100')} as modified_pct,
              ${i} / 8 as manager_no
         from generate_series($11::int, $12::int) as s(i)
        cross join lateral (${personSql(i)}) p
     ),
     built as (
       select person.*,
              least(person.created + (($15::timestamptz - person.created) * (person.modified_pct / 60.0)), $15::timestamptz) as modified,
              jsonb_strip_nulls(jsonb_build_object(
                'userName', person.user_name,
                'externalId', person.external_id,
                'name', jsonb_build_object(
                  'formatted', concat_ws(' ', person.prefix, person.given, person.middle, person.family) || coalesce(', ' || person.suffix, ''),
                  'familyName', person.family,
                  'givenName', person.given,
                  'middleName', person.middle,
                  'honorificPrefix', person.prefix,
                  'honorificSuffix', person.suffix),
                'displayName', person.display,
                'title', ${fromList(L.titles, 'person.i', 12)},
                'userType', case when ${pick('person.i', 13, '100')} < 10 then 'Contractor' else 'Employee' end,
                'preferredLanguage', 'en-US',
                'locale', 'en-US',
                'timezone', ${fromList(L.timezones, 'person.i', 14)},
                'active', person.active,
                'emails', jsonb_build_array(
                  jsonb_build_object('value', person.user_name, 'type', 'work', 'primary', true),
                  jsonb_build_object('value', person.home_email, 'type', 'home')),
                'phoneNumbers', jsonb_build_array(
                  jsonb_build_object('value', '+1 212 555 ' || lpad(${pick('person.i', 15, '10000')}::text, 4, '0') || ' ext. ' || (100 + ${pick('person.i', 16, '900')}), 'type', 'work'))
                  || case when ${pick('person.i', 17, '100')} < 70
                          then jsonb_build_array(jsonb_build_object('value', '+1 917 555 ' || lpad(${pick('person.i', 18, '10000')}::text, 4, '0'), 'type', 'mobile'))
                          else '[]'::jsonb end,
                'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', jsonb_build_object(
                  'employeeNumber', ${padded('person.i', 7)},
                  'costCenter', 'CC-' || lpad(${pick('person.i', 19, '400')}::text, 4, '0'),
                  'organization', $17::text,
                  'division', ${fromList(L.divisions, 'person.i', 20)},
                  'department', ${fromList(L.departments, 'person.i', 21)},
                  'manager', case when person.manager_no >= 1 and ${pick('person.i', 22, '100')} < 70
                                  then jsonb_build_object('value', ${userIdSql(TENANT, 'person.manager_no')}, 'displayName', m.display) end)
              )) as attributes
         from person
        cross join lateral (${personSql('person.manager_no')}) m
     ),
     inserted as (
       insert into users (tenant_id, id, user_name, external_id, display_name, active, password_hash, attributes, created_at, last_modified, version)
       select $1::uuid, b.id, b.user_name, b.external_id, b.display, b.active, null, b.attributes, b.created,
              case when b.modified_pct < 60 then date_trunc('milliseconds', b.modified) else b.created end,
              case when b.modified_pct < 60 then 2 + b.modified_pct % 5 else 1 end
         from built b
       returning tenant_id, id, attributes
     )
     insert into user_values (tenant_id, user_id, attribute, position, value, type, is_primary)
     select ins.tenant_id, ins.id, a.name, (e.ord - 1)::int, e.value ->> 'value', e.value ->> 'type', coalesce(e.value -> 'primary' = 'true'::jsonb, false)
       from inserted ins
      cross join unnest($18::text[]) as a(name)
      cross join lateral jsonb_array_elements(case when jsonb_typeof(ins.attributes -> a.name) = 'array' then ins.attributes -> a.name else '[]'::jsonb end)
            with ordinality as e(value, ord)`,
    [
      batch.tenantId,
      ...listParams(lists),
      batch.first,
      batch.last,
      batch.total,
      batch.since.toISOString(),
      batch.until.toISOString(),
      batch.domain,
      batch.organization,
      batch.indexedAttributes,
    ],
  );
}

/** What one history batch needs: entries first..last of `total`, about users 1..users of a seeded tenant. */
export interface HistoryBatch {
  readonly tenantId: string;
  readonly first: number;
  readonly last: number;
  readonly total: number;
  readonly users: number;
  readonly since: Date;
  readonly until: Date;
}

/** Attributes a change names, as history records them (the path of the attribute that changed). */
const CHANGED_ATTRIBUTES = [
  'title', 'name.familyName', 'displayName', 'phoneNumbers', 'emails', 'active', 'timezone',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter',
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager',
];

/**
 * History entries first..last, in time order over since..until, each about a seeded user (its id and userName read
 * from users by the derived id): mostly attribute changes made by the provisioning client (old and new values drawn
 * from the seed's lists: titles, family names, departments, divisions, time zones, phone numbers), and the mails, locks, password and group
 * changes made by portal administrators (users 1..20) and by Usher itself. Statement parameters: $1 the tenant, $2..$10
 * the lists, then $11 first, $12 last, $13 total, $14 users, $15 since, $16 until, $17 the changed attributes.
 */
export async function insertHistoryBatch(q: Queryable, batch: HistoryBatch, lists: SeedLists): Promise<void> {
  const L = LIST_PARAMS;
  const i = 's.i';
  const value = (n: string, salt: number) =>
    `case e.attribute
       when 'title' then ${fromList(L.titles, n, salt)}
       when 'name.familyName' then ${fromList(L.family, n, salt)}
       when 'displayName' then ${fromList(L.given, n, salt)} || ' ' || ${fromList(L.family, n, salt + 1)}
       when 'phoneNumbers' then '+1 212 555 ' || lpad(${pick(n, salt, '10000')}::text, 4, '0')
       when 'emails' then lower(${fromList(L.given, n, salt)}) || '.' || ${n} || '@mail.example.net'
       when 'active' then (${pick(n, salt, '2')} = 0)::text
       when 'timezone' then ${fromList(L.timezones, n, salt)}
       when 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:division' then ${fromList(L.divisions, n, salt)}
       when 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department' then ${fromList(L.departments, n, salt)}
       when 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter' then 'CC-' || lpad(${pick(n, salt, '400')}::text, 4, '0')
       else ${fromList(L.given, n, salt)} || ' ' || ${fromList(L.family, n, salt + 1)} end`;
  await q.query(
    `with entry as (
       select ${i} as i, 1 + ${pick(i, 40, '$14::int')} as subject, ${pick(i, 41, '100')} as kind, ${pick(i, 42, '100')} as who,
              1 + ${pick(i, 43, '20')} as admin,
              case when ${pick(i, 41, '100')} < 72 then ($17::text[])[1 + ${pick(i, 44, 'cardinality($17::text[])')}] end as attribute,
              date_trunc('milliseconds', $15::timestamptz
                + extract(epoch from $16::timestamptz - $15::timestamptz)::float8 * (${i} - 1) / greatest($13::int, 1) * interval '1 second') as at
         from generate_series($11::int, $12::int) as s(i)
     )
     insert into history (tenant_id, id, resource_type, resource_id, resource_name, event, attribute, old_value, new_value, actor, actor_type, actor_id, request_id, created_at)
     select $1::uuid, gen_random_uuid(), 'User', u.id, u.user_name,
            case when e.kind < 72 then 'attributeChanged' when e.kind < 80 then 'groupAdded' when e.kind < 84 then 'groupRemoved'
                 when e.kind < 88 then 'passwordResetSent' when e.kind < 91 then 'welcomeEmailSent' when e.kind < 93 then 'locked'
                 when e.kind < 95 then 'unlocked' when e.kind < 98 then 'created' else 'passwordChanged' end,
            case when e.kind < 72 then e.attribute when e.kind < 84 then 'groups' when e.kind < 91 then 'email'
                 when e.kind < 95 then 'active' when e.kind >= 98 then 'password' end,
            case when e.kind < 72 then ${value('e.i', 45)} when e.kind >= 80 and e.kind < 84 then ${fromList(L.departments, 'e.i', 47)}
                 when e.kind >= 93 and e.kind < 95 then 'false' end,
            case when e.kind < 72 then ${value('e.i', 48)} when e.kind < 80 then ${fromList(L.departments, 'e.i', 50)}
                 when e.kind < 91 and e.kind >= 84 then u.user_name when e.kind < 93 then 'false' when e.kind < 95 then 'true' end,
            case when e.who < 70 or e.kind < 72 and e.who < 85 then 'Okta SCIM provisioning'
                 when e.who < 97 then admin.given || ' ' || admin.family else 'Usher' end,
            case when e.who < 70 or e.kind < 72 and e.who < 85 then 'token' when e.who < 97 then 'user' else 'system' end,
            case when e.who < 70 or e.kind < 72 and e.who < 85 then ${uuidOf(`$1::uuid::text || ':token'`, '1')}::text
                 when e.who < 97 then ${userIdSql(TENANT, 'e.admin')}::text else 'usher' end,
            substr(md5($1::uuid::text || ':request:' || e.i), 1, 16),
            e.at
       from entry e
       join users u on u.tenant_id = $1::uuid and u.id = ${userIdSql(TENANT, 'e.subject')}
      cross join lateral (${personSql('e.admin')}) admin`,
    [
      batch.tenantId,
      ...listParams(lists),
      batch.first,
      batch.last,
      batch.total,
      batch.users,
      batch.since.toISOString(),
      batch.until.toISOString(),
      CHANGED_ATTRIBUTES,
    ],
  );
}

export async function countTenantHistory(q: Queryable, tenantId: string): Promise<number> {
  const rows = await q.query<{ n: number }>('select count(*)::bigint as n from history where tenant_id = $1', [tenantId]);
  return rows[0]!.n;
}

export async function deleteTenantHistory(q: Queryable, tenantId: string): Promise<void> {
  await q.query('delete from history where tenant_id = $1', [tenantId]);
}

/** Groups first..last; group 1 is the big one ("All Staff"), the others are teams named after a department. */
export async function insertGroups(q: Queryable, tenantId: string, first: number, last: number, since: Date, until: Date, lists: SeedLists): Promise<void> {
  const g = 's.g';
  await q.query(
    `with named as (
       select ${g} as g, ${groupIdSql(TENANT, g)} as id,
              case when ${g} = 1 then 'All Staff' else ${fromList('$2::text[]', g, 30)} || ' Team ' || ${padded(g, 5)} end as display_name,
              '00g' || lpad(to_hex(${g}), 7, '0') || substr(md5($1::uuid::text || ':gx:' || ${g}), 1, 10) as external_id,
              date_trunc('milliseconds', $5::timestamptz
                + (extract(epoch from $6::timestamptz - $5::timestamptz)::float8 * ${pick(g, 31, '1000')} / 1000.0) * interval '1 second') as created
         from generate_series($3::int, $4::int) as s(g)
     )
     insert into groups (tenant_id, id, display_name, external_id, attributes, created_at, last_modified, version)
     select $1::uuid, n.id, n.display_name, n.external_id, jsonb_build_object('displayName', n.display_name, 'externalId', n.external_id),
            n.created, n.created, 1
       from named n`,
    [tenantId, lists.departments, first, last, since.toISOString(), until.toISOString()],
  );
}

/**
 * Direct memberships of users first..last: every user is in two team groups (2..groups), and the first bigGroup
 * users are in group 1 as well.
 */
export async function insertMemberships(q: Queryable, tenantId: string, first: number, last: number, groups: number, bigGroup: number): Promise<void> {
  const i = 's.i';
  const teams = `greatest($5::int - 1, 1)`;
  await q.query(
    `insert into group_members (tenant_id, group_id, user_id)
     select $1::uuid, ${groupIdSql(TENANT, 'm.g')}, ${userIdSql(TENANT, 'm.i')}
       from (select ${i} as i, 2 + ${i} % ${teams} as g from generate_series($2::int, $3::int) as s(i) where $5::int > 1
             union
             select ${i}, 2 + ${pick(i, 40, teams)} from generate_series($2::int, $3::int) as s(i) where $5::int > 1
             union
             select ${i}, 1 from generate_series($2::int, least($3::int, $4::int)) as s(i) where $5::int >= 1) m`,
    [tenantId, first, last, bigGroup, groups],
  );
}

export async function countTenantUsers(q: Queryable, tenantId: string): Promise<number> {
  const rows = await q.query<{ n: number }>('select count(*)::bigint as n from users where tenant_id = $1', [tenantId]);
  return rows[0]!.n;
}

export async function countTenantGroups(q: Queryable, tenantId: string): Promise<number> {
  const rows = await q.query<{ n: number }>('select count(*)::bigint as n from groups where tenant_id = $1', [tenantId]);
  return rows[0]!.n;
}

/** How many of groups 1..upTo of a seed exist in the tenant (other groups, such as a new tenant's personas, do not count). */
export async function countSeededGroups(q: Queryable, tenantId: string, upTo: number): Promise<number> {
  const rows = await q.query<{ n: number }>(
    `select count(*)::bigint as n from groups
      where tenant_id = $1::uuid and id in (select ${groupIdSql(TENANT, 's.g')} from generate_series(1, $2::int) as s(g))`,
    [tenantId, upTo],
  );
  return rows[0]!.n;
}

/** Removes all of a tenant's Users, children first so that each delete finds nothing left to cascade to. */
export async function deleteTenantUsers(q: Queryable, tenantId: string): Promise<void> {
  for (const table of ['group_members', 'user_values', 'users']) {
    await q.query(`delete from ${table} where tenant_id = $1`, [tenantId]);
  }
}

/** Removes a tenant and, by cascade, everything it has (users, their sessions, groups, tokens, history). */
export async function deleteTenant(q: Queryable, slug: string): Promise<void> {
  await q.query('delete from tenants where lower(slug) = lower($1)', [slug]);
}

/** Removes groups 1..upTo of a seed from the tenant, and nothing else. */
export async function deleteSeededGroups(q: Queryable, tenantId: string, upTo: number): Promise<void> {
  await q.query(
    `delete from groups where tenant_id = $1::uuid and id in (select ${groupIdSql(TENANT, 's.g')} from generate_series(1, $2::int) as s(g))`,
    [tenantId, upTo],
  );
}

/** Fresh statistics (and a visibility map for index-only scans) after a bulk load, as autovacuum would leave them. */
export async function vacuumAnalyze(q: Queryable): Promise<void> {
  for (const table of ['users', 'user_values', 'groups', 'group_members', 'group_subgroups', 'history']) {
    await q.query(`vacuum (analyze) ${table}`);
  }
}

export async function vacuumAnalyzeHistory(q: Queryable): Promise<void> {
  await q.query('vacuum (analyze) history');
}

/** What the console asks for a page of its user list (src/console/app/pages/users-query.ts PAGE_SIZE, DEFAULT_SORT). */
export const CONSOLE_PAGE = { count: '25', sortBy: 'name.familyName', sortOrder: 'ascending', cursor: '' } as const;

/** The console asks for its list pages without their total (fetchUsers, fetchHistory), and for the total after. */
export const CONSOLE_PAGE_HEADERS = { Prefer: 'totalResults=omit' } as const;

/**
 * A fragment typed into the console's search box that many seeded people share: the family names Andersen, Hansen,
 * Jansen, Jensen, Larsen and Olsen (about one person in twelve), in their userNames and e-mail addresses too.
 */
export const COMMON_SEARCH = 'sen';

/**
 * The filter the console's search box sends for one word (src/console/app/users.ts searchFilter, without a persona
 * or status): `co` on names, user name and e-mails, or `sw` on names and user name for a word under three characters.
 * Several words ("Smith, John") are each this, in parentheses, joined with `and` (users.ts wordsFilter).
 */
export function consoleSearchFilter(text: string): string {
  const quoted = JSON.stringify(text);
  const short = [...text].length < 3;
  const searched = short ? ['userName', 'name.givenName', 'name.familyName'] : ['userName', 'name.givenName', 'name.familyName', 'emails.value'];
  return searched.map((attr) => `${attr} ${short ? 'sw' : 'co'} ${quoted}`).join(' or ');
}

/** The one indexed statement a userName lookup needs: what the benchmark's baseline route runs. */
export async function baselineLookup(q: Queryable, tenantId: string, userName: string): Promise<Record<string, unknown> | undefined> {
  const rows = await q.query(
    `select id, user_name, external_id, display_name, active, attributes, created_at, last_modified, version
       from users where tenant_id = $1 and lower(user_name) = lower($2)`,
    [tenantId, userName],
  );
  return rows[0];
}

export interface SampleUser {
  [key: string]: unknown;
  id: string;
  user_name: string;
  external_id: string;
  work_email: string;
  /** created_at as the list runner's sort key renders it (the text a cursor carries). */
  created: string;
}

/** Random users of a tenant, with what the benchmark's filters look them up by. */
export async function sampleUsers(q: Queryable, tenantId: string, size: number): Promise<SampleUser[]> {
  return q.query<SampleUser>(
    `select u.id, u.user_name, u.external_id, (u.created_at)::text as created,
            (select v.value from user_values v
              where v.tenant_id = u.tenant_id and v.user_id = u.id and v.attribute = 'emails' and v.type = 'work'
              order by v.position limit 1) as work_email
       from users u
      where u.tenant_id = $1
      order by random()
      limit $2`,
    [tenantId, size],
  );
}

export async function databaseExists(q: Queryable, name: string): Promise<boolean> {
  return (await q.query('select 1 from pg_database where datname = $1', [name])).length > 0;
}

/** Creates a database; the name must be a plain lower-case identifier (it cannot be a parameter). */
export async function createDatabase(q: Queryable, name: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  await q.query(`create database ${name}`);
}

/** A plan as EXPLAIN (FORMAT JSON) gives it: a tree of nodes. */
export interface PlanNode {
  readonly 'Node Type': string;
  readonly 'Relation Name'?: string;
  readonly 'Index Name'?: string;
  readonly Plans?: readonly PlanNode[];
  readonly [key: string]: unknown;
}

/** A plan node and every node below it, depth first. */
export function planNodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(planNodes)];
}

export async function explainText(q: Queryable, text: string, params: readonly unknown[]): Promise<string[]> {
  const rows = await q.query<{ 'QUERY PLAN': string }>(`explain (costs off) ${text}`, params);
  return rows.map((row) => row['QUERY PLAN']);
}

/** A value as an SQL literal of unknown type, for EXECUTE's arguments (which cannot be bind parameters). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return literal(`{${value.map((v) => `"${String(v).replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`);
  return `'${String(value).replace(/'/g, "''")}'`;
}

/**
 * The generic plan of a statement: the one a prepared statement settles on after five executions when it is no
 * dearer than the custom ones, planned without knowing the parameters (the tenant included).
 */
export async function explainGenericJson(q: Queryable, text: string, params: readonly unknown[]): Promise<PlanNode> {
  await q.query(`prepare usher_bench_plan as ${text}`);
  try {
    await q.query(`set local plan_cache_mode = force_generic_plan`);
    const rows = await q.query<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(
      `explain (format json) execute usher_bench_plan (${params.map(literal).join(', ')})`,
    );
    return rows[0]!['QUERY PLAN'][0].Plan;
  } finally {
    await q.query('deallocate usher_bench_plan');
  }
}

/** The plan with what it did (EXPLAIN ANALYZE): rows per node and the execution time. The statement runs. */
export async function explainAnalyzeJson(q: Queryable, text: string, params: readonly unknown[]): Promise<{ plan: PlanNode; ms: number }> {
  const rows = await q.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(`explain (analyze, format json) ${text}`, params);
  const [result] = rows[0]!['QUERY PLAN'];
  return { plan: result.Plan, ms: result['Execution Time'] };
}

/** Estimated rows of the named tables (pg_class.reltuples, kept by ANALYZE and VACUUM). */
export async function tableRows(q: Queryable, tables: readonly string[]): Promise<Map<string, number>> {
  const rows = await q.query<{ relname: string; n: number }>(
    `select c.relname, greatest(c.reltuples, 0)::bigint as n
       from pg_class c join pg_namespace ns on ns.oid = c.relnamespace
      where c.relkind = 'r' and ns.nspname = current_schema() and c.relname = any($1::text[])`,
    [tables],
  );
  return new Map(rows.map((row) => [row.relname, row.n]));
}

export async function serverVersion(q: Queryable): Promise<string> {
  const rows = await q.query<{ server_version: string }>('show server_version');
  return rows[0]!.server_version;
}
