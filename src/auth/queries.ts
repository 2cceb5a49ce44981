// SQL for portal sign-in: account state, sessions, single-use tokens, and the permissions a user's personas grant.
import type { Queryable } from '../store/index.js';
import type { TokenRoute } from './tokens.js';

export const PERSONA_SCHEMA_ID = 'urn:usher:params:scim:schemas:extension:persona:2.0:Group';

export interface AccountRow {
  [key: string]: unknown;
  id: string;
  tenant_id: string;
  user_name: string;
  display_name: string | null;
  attributes: Record<string, unknown>;
  password_hash: string | null;
  /** The administrator's or identity provider's word, without a lockout. */
  active: boolean;
  /** Why the account is inactive (admin, provisioning, deactivated), or failedLogins during and after a lockout. */
  lock_reason: string | null;
  locked_until: Date | null;
  failed_logins: number;
  password_change_required: boolean;
  password_set_at: Date | null;
  /** Sign-in asks for a second factor (user_mfa holds it). */
  mfa_enabled: boolean;
  /** The tenant requires a second factor of the users who hold users:write (read with the account: no round trip more). */
  tenant_requires_mfa: boolean;
}

const ACCOUNT_COLUMNS = `u.id, u.tenant_id, u.user_name, u.display_name, u.attributes, u.password_hash, u.active,
  u.lock_reason, u.locked_until, u.failed_logins, u.password_change_required, u.password_set_at, u.mfa_enabled,
  (select tm.mfa_required from tenants tm where tm.id = u.tenant_id) as tenant_requires_mfa`;

/** The account as it is now, without a lock: what a check outside a transaction reads (see lockAccount). */
export async function selectAccount(q: Queryable, tenantId: string, id: string): Promise<AccountRow | undefined> {
  const rows = await q.query<AccountRow>(`select ${ACCOUNT_COLUMNS} from users u where u.tenant_id = $1 and u.id = $2`, [tenantId, id]);
  return rows[0];
}

export async function lockAccount(tx: Queryable, tenantId: string, id: string): Promise<AccountRow | undefined> {
  const rows = await tx.query<AccountRow>(`select ${ACCOUNT_COLUMNS} from users u where u.tenant_id = $1 and u.id = $2 for update`, [tenantId, id]);
  return rows[0];
}

/**
 * A sign-in's tenant and account: the tenant's id when the slug names one, the account when the name does too. Two
 * statements, not a join: the account is then read on the tenant's shard alone (docs/scaling.md).
 */
export async function selectSignInTarget(
  q: Queryable,
  tenantSlug: string,
  userName: string,
): Promise<{ tenantId: string | undefined; account: AccountRow | undefined }> {
  const tenants = await q.query<{ id: string }>('select id from tenants where lower(slug) = lower($1)', [tenantSlug]);
  const tenantId = tenants[0]?.id;
  if (tenantId === undefined) return { tenantId: undefined, account: undefined };
  const rows = await q.query<AccountRow>(`select ${ACCOUNT_COLUMNS} from users u where u.tenant_id = $1 and lower(u.user_name) = lower($2)`, [
    tenantId,
    userName,
  ]);
  return { tenantId, account: rows[0] };
}

export interface LockoutPolicy {
  /** Failures within `windowSeconds` that lock the account for everyone. */
  readonly threshold: number;
  readonly windowSeconds: number;
  /** Until when the lock lasts; null: until an administrator unlocks the account (active becomes false). */
  readonly lockUntil: Date | null;
}

/**
 * Counts a failed sign-in (or a wrong current password) against the account. A count whose lock has run out, or whose
 * first failure is older than the window, starts again: a lock's end is a fresh start, not one typo from the next lock.
 * At the threshold the account locks itself. Returns whether this failure locked it.
 */
export async function recordFailedLogin(tx: Queryable, tenantId: string, id: string, policy: LockoutPolicy, now: Date): Promise<boolean> {
  const fresh = `(failed_logins = 0 or failed_logins_since is null or failed_logins_since <= $5::timestamptz - make_interval(secs => $6)
                  or (locked_until is not null and locked_until <= $5::timestamptz))`;
  const count = `(case when ${fresh} then 1 else failed_logins + 1 end)`;
  const rows = await tx.query<{ locked: boolean }>(
    `update users set failed_logins = ${count},
            failed_logins_since = case when ${fresh} then $5::timestamptz else failed_logins_since end,
            locked_until = case when ${count} >= $3 then $4::timestamptz when ${fresh} then null else locked_until end,
            active = case when ${count} >= $3 and $4::timestamptz is null then false else active end,
            lock_reason = case when ${count} >= $3 then 'failedLogins'
                               when ${fresh} and active and lock_reason = 'failedLogins' then null
                               else lock_reason end
      where tenant_id = $1 and id = $2
      returning failed_logins = $3 as locked`,
    [tenantId, id, policy.threshold, policy.lockUntil?.toISOString() ?? null, now.toISOString(), policy.windowSeconds],
  );
  return rows[0]?.locked ?? false;
}

export async function recordSuccessfulLogin(tx: Queryable, tenantId: string, id: string, now: Date): Promise<void> {
  await tx.query(
    `update users set failed_logins = 0, failed_logins_since = null, last_login = $3,
            locked_until = null, lock_reason = case when lock_reason = 'failedLogins' then null else lock_reason end
      where tenant_id = $1 and id = $2`,
    [tenantId, id, now.toISOString()],
  );
}

/** How long sign-ins from one address into one account are held back after failures. */
export interface ThrottlePolicy {
  /** Failures that pass before the first delay. */
  readonly threshold: number;
  /** The first delay; each further failure doubles it, up to maxSeconds. */
  readonly seconds: number;
  readonly maxSeconds: number;
}

/** A throttle's state is forgotten a day after its last failure. */
const THROTTLE_MEMORY = "interval '1 day'";

/**
 * What sign-in throttling counts failures under: a digest of the account (or the name as typed) and the client address,
 * kept on the tenant's shard; a name typed for a tenant that does not exist is counted under NO_TENANT.
 */
export interface ThrottleKey {
  readonly tenantId: string;
  readonly hash: string;
}

/** The tenant of throttle keys for sign-ins into a tenant that does not exist. */
export const NO_TENANT = '00000000-0000-0000-0000-000000000000';

/** Until when sign-ins under a throttle key are held back; undefined when they are not. */
export async function selectThrottle(q: Queryable, key: ThrottleKey, now: Date): Promise<Date | undefined> {
  const rows = await q.query<{ blocked_until: Date }>(
    'select blocked_until from login_throttle where tenant_id = $1 and key_hash = $2 and blocked_until > $3::timestamptz',
    [key.tenantId, key.hash, now.toISOString()],
  );
  return rows[0]?.blocked_until;
}

/** Counts a failure under a throttle key; from the threshold on, the key is held back for a doubling delay. */
export async function recordThrottledFailure(q: Queryable, key: ThrottleKey, policy: ThrottlePolicy, now: Date): Promise<void> {
  const count = `(case when l.last_failure_at <= $3::timestamptz - ${THROTTLE_MEMORY} then 1 else l.failures + 1 end)`;
  // The exponent is bounded: 2^30 seconds is past any cap, and power() must not overflow.
  const delay = (failures: string) =>
    `case when ${failures} >= $4 then $3::timestamptz + make_interval(secs => least($6::float8, $5::float8 * power(2::float8, least(${failures} - $4, 30)))) end`;
  await q.query(
    `insert into login_throttle as l (tenant_id, key_hash, failures, last_failure_at, blocked_until)
     values ($1, $2, 1, $3, ${delay('1')})
     on conflict (tenant_id, key_hash) do update set failures = ${count}, last_failure_at = $3, blocked_until = ${delay(count)}`,
    [key.tenantId, key.hash, now.toISOString(), policy.threshold, policy.seconds, policy.maxSeconds],
  );
}

/** A successful sign-in clears its throttle key. */
export async function clearThrottle(q: Queryable, key: ThrottleKey): Promise<void> {
  await q.query('delete from login_throttle where tenant_id = $1 and key_hash = $2', [key.tenantId, key.hash]);
}

/** Keys of the tenant a day past their last failure go, a few at a time: each failed sign-in tidies its own tenant. */
export async function forgetOldThrottles(q: Queryable, tenantId: string, now: Date): Promise<void> {
  await q.query(
    `delete from login_throttle where tenant_id = $1 and key_hash in (
       select key_hash from login_throttle where tenant_id = $1 and last_failure_at <= $2::timestamptz - ${THROTTLE_MEMORY} limit 100)`,
    [tenantId, now.toISOString()],
  );
}

/** Counts a wrong current password given with a session; returns how many the session has given. */
export async function recordWrongCurrentPassword(tx: Queryable, tenantId: string, sessionId: string): Promise<number> {
  const rows = await tx.query<{ failed_password_checks: number }>(
    `update sessions set failed_password_checks = failed_password_checks + 1
      where tenant_id = $1 and id = $2 returning failed_password_checks`,
    [tenantId, sessionId],
  );
  return rows[0]?.failed_password_checks ?? 0;
}

/** Sets a new password. `temporary` makes the user choose another at the next login. */
export async function setPassword(tx: Queryable, tenantId: string, id: string, passwordHash: string, temporary: boolean, now: Date): Promise<void> {
  await tx.query(
    `update users set password_hash = $3, password_change_required = $4, password_set_at = $5,
            last_modified = greatest($5::timestamptz, last_modified), version = version + 1
      where tenant_id = $1 and id = $2`,
    [tenantId, id, passwordHash, temporary, now.toISOString()],
  );
}

/** Notes when the welcome mail was last queued (account extension welcomeEmailSentAt); account state, not a new version. */
export async function markWelcomeEmailSent(tx: Queryable, tenantId: string, id: string, now: Date): Promise<void> {
  await tx.query('update users set welcome_email_sent_at = $3 where tenant_id = $1 and id = $2', [tenantId, id, now.toISOString()]);
}

/**
 * When the account mails about a user queued after `since` were queued, newest first, at most `limit` of them
 * (outbox_user_recent_idx): enough to tell whether a limit of `limit` is reached, and when it frees up.
 */
export async function selectRecentAccountMails(q: Queryable, tenantId: string, userId: string, since: Date, limit: number): Promise<Date[]> {
  const rows = await q.query<{ created_at: Date }>(
    `select created_at from outbox
      where tenant_id = $1 and user_id = $2 and created_at > $3
      order by created_at desc
      limit $4`,
    [tenantId, userId, since.toISOString(), limit],
  );
  return rows.map((row) => row.created_at);
}

/** The tenant's display name, for mail. */
export async function selectTenantName(q: Queryable, tenantId: string): Promise<string | undefined> {
  return (await selectTenantNaming(q, tenantId))?.name;
}

/** A tenant's name (what mails call it) and slug (what sign-in asks for as the organization). */
export async function selectTenantNaming(q: Queryable, tenantId: string): Promise<{ name: string; slug: string } | undefined> {
  const rows = await q.query<{ name: string; slug: string }>('select name, slug from tenants where id = $1', [tenantId]);
  return rows[0];
}

export interface SessionRow {
  [key: string]: unknown;
  id: string;
  tenant_id: string;
  user_id: string;
  user_name: string;
  display_name: string | null;
  token_hash: string;
  last_seen_at: Date;
  expires_at: Date;
}

export async function insertSession(
  tx: Queryable,
  session: { tenantId: string; id: string; userId: string; tokenHash: string; now: Date; expiresAt: Date },
): Promise<void> {
  await tx.query(
    `insert into sessions (tenant_id, id, user_id, token_hash, created_at, last_seen_at, expires_at)
     values ($1, $2, $3, $4, $5, $5, $6)`,
    [session.tenantId, session.id, session.userId, session.tokenHash, session.now.toISOString(), session.expiresAt.toISOString()],
  );
}

/**
 * The live session a token digest belongs to: not ended, not past its absolute expiry, not idle too long, and its
 * user not locked by an administrator or the identity provider (such a lock also ends the sessions, for good). A
 * lockout after failed sign-ins leaves sessions alone: whoever guessed wrong has not shown they hold one.
 */
export async function selectLiveSession(q: Queryable, route: TokenRoute, now: Date, idleSeconds: number): Promise<SessionRow | undefined> {
  // On the token's tenant (sessions_tenant_token_hash_key); a token that names none, by its digest alone.
  const [which, params] = route.tenantId !== undefined ? ['s.tenant_id = $4 and s.token_hash = $1', [route.tenantId]] : ['s.token_hash = $1', []];
  const rows = await q.query<SessionRow>(
    `select s.id, s.tenant_id, s.user_id, u.user_name, u.display_name, s.token_hash, s.last_seen_at, s.expires_at
       from sessions s join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
      where ${which} and s.ended_at is null and s.expires_at > $2::timestamptz
        and s.last_seen_at > $2::timestamptz - make_interval(secs => $3)
        and (u.active or u.lock_reason = 'failedLogins')
      limit 2`,
    [route.digest, now.toISOString(), idleSeconds, ...params],
  );
  return rows.length === 1 ? rows[0] : undefined;
}

export async function touchSession(q: Queryable, tenantId: string, id: string, now: Date): Promise<void> {
  await q.query('update sessions set last_seen_at = $3 where tenant_id = $1 and id = $2', [tenantId, id, now.toISOString()]);
}

export async function endSession(q: Queryable, tenantId: string, id: string, now: Date): Promise<void> {
  await q.query('update sessions set ended_at = coalesce(ended_at, $3) where tenant_id = $1 and id = $2', [tenantId, id, now.toISOString()]);
}

/** The stored password hash of a user, for checking a password against it; null when it has none. */
export async function selectPasswordHash(q: Queryable, tenantId: string, id: string): Promise<string | null> {
  const rows = await q.query<{ password_hash: string | null }>('select password_hash from users where tenant_id = $1 and id = $2', [tenantId, id]);
  return rows[0]?.password_hash ?? null;
}

/** Ends every session of the user but `keep` (the one making the change, when the user changes its own password). */
export async function endOtherSessionsOfUser(tx: Queryable, tenantId: string, userId: string, keep: string | null, now: Date): Promise<void> {
  await tx.query(
    'update sessions set ended_at = $3 where tenant_id = $1 and user_id = $2 and ended_at is null and id is distinct from $4::uuid',
    [tenantId, userId, now.toISOString(), keep],
  );
}

export async function endSessionsOfUser(tx: Queryable, tenantId: string, userId: string, now: Date): Promise<void> {
  await tx.query('update sessions set ended_at = $3 where tenant_id = $1 and user_id = $2 and ended_at is null', [tenantId, userId, now.toISOString()]);
}

/** Mail links (reset, welcome) and the steps of a sign-in: a forced password change, a code, setting up a second factor. */
export type AuthTokenPurpose = 'reset' | 'welcome' | 'change' | 'mfa' | 'mfa_enrol';

/** Every purpose: what a new password voids. */
export const ALL_TOKEN_PURPOSES: readonly AuthTokenPurpose[] = ['reset', 'welcome', 'change', 'mfa', 'mfa_enrol'];

export interface AuthTokenRow {
  [key: string]: unknown;
  id: string;
  tenant_id: string;
  user_id: string;
  purpose: AuthTokenPurpose;
  expires_at: Date;
  used_at: Date | null;
}

export async function insertAuthToken(
  tx: Queryable,
  token: { tenantId: string; id: string; userId: string; purpose: AuthTokenPurpose; tokenHash: string; now: Date; expiresAt: Date },
): Promise<void> {
  await tx.query(
    `insert into auth_tokens (tenant_id, id, user_id, purpose, token_hash, created_at, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7)`,
    [token.tenantId, token.id, token.userId, token.purpose, token.tokenHash, token.now.toISOString(), token.expiresAt.toISOString()],
  );
}

const TOKEN_COLUMNS = 'id, tenant_id, user_id, purpose, expires_at, used_at';

/**
 * A single-use token as it is now, without a lock: what a check outside a transaction reads (see lockAuthToken). On
 * the token's tenant; a token that names none (a link mailed before links did), by its digest alone.
 */
export async function selectAuthToken(q: Queryable, route: TokenRoute): Promise<AuthTokenRow | undefined> {
  const rows =
    route.tenantId !== undefined
      ? await q.query<AuthTokenRow>(`select ${TOKEN_COLUMNS} from auth_tokens where tenant_id = $1 and token_hash = $2`, [route.tenantId, route.digest])
      : await q.query<AuthTokenRow>(`select ${TOKEN_COLUMNS} from auth_tokens where token_hash = $1 limit 2`, [route.digest]);
  return rows.length === 1 ? rows[0] : undefined;
}

/** Takes a single-use token of a tenant: locks its row so two uses of one link cannot both succeed. */
export async function lockAuthToken(tx: Queryable, tenantId: string, tokenHash: string): Promise<AuthTokenRow | undefined> {
  const rows = await tx.query<AuthTokenRow>(
    `select ${TOKEN_COLUMNS} from auth_tokens where tenant_id = $1 and token_hash = $2 for update`,
    [tenantId, tokenHash],
  );
  return rows[0];
}

/** Voids every unused token of a user (of the given purposes): a newer link, or a completed one, replaces them. */
export async function voidAuthTokens(tx: Queryable, tenantId: string, userId: string, purposes: readonly AuthTokenPurpose[], now: Date): Promise<void> {
  await tx.query(
    'update auth_tokens set used_at = $4 where tenant_id = $1 and user_id = $2 and purpose = any($3::text[]) and used_at is null',
    [tenantId, userId, purposes, now.toISOString()],
  );
}

/** The union of the permissions of every persona the user is in, directly or through nested groups. */
export async function selectPermissions(q: Queryable, tenantId: string, userId: string): Promise<string[]> {
  const rows = await q.query<{ permission: string }>(
    `with recursive closure (group_id) as (
       select m.group_id from group_members m where m.tenant_id = $1 and m.user_id = $2
       union
       select s.group_id from closure c join group_subgroups s on s.tenant_id = $1 and s.member_group_id = c.group_id
     )
     select distinct p.permission
       from closure c
       join groups g on g.tenant_id = $1 and g.id = c.group_id
       cross join lateral jsonb_array_elements_text(
         case when jsonb_typeof(g.attributes #> '{${PERSONA_SCHEMA_ID},permissions}') = 'array'
              then g.attributes #> '{${PERSONA_SCHEMA_ID},permissions}' else '[]'::jsonb end
       ) as p(permission)
      order by p.permission`,
    [tenantId, userId],
  );
  return rows.map((row) => row.permission);
}

/** A group's persona permissions as a jsonb array, [] when it carries none. */
const PERMISSIONS_OF_G = `case when jsonb_typeof(g.attributes #> '{${PERSONA_SCHEMA_ID},permissions}') = 'array'
              then g.attributes #> '{${PERSONA_SCHEMA_ID},permissions}' else '[]'::jsonb end`;

/** What a member of the group is granted: the permissions of the group and of every group it is nested in. */
export async function selectCarriedPermissions(q: Queryable, tenantId: string, groupId: string): Promise<string[]> {
  const rows = await q.query<{ permission: string }>(
    `with recursive closure (group_id) as (
       select $2::uuid
       union
       select s.group_id from closure c join group_subgroups s on s.tenant_id = $1 and s.member_group_id = c.group_id
     )
     select distinct p.permission
       from closure c
       join groups g on g.tenant_id = $1 and g.id = c.group_id
       cross join lateral jsonb_array_elements_text(${PERMISSIONS_OF_G}) as p(permission)
      order by p.permission`,
    [tenantId, groupId],
  );
  return rows.map((row) => row.permission);
}

/**
 * The first permission (in sort order) that one of the given users, or of the users in the given groups (directly or
 * through nested groups), holds and that is not in `held`; undefined when they hold nothing beyond it.
 */
export async function selectMissingPermission(
  q: Queryable,
  tenantId: string,
  userIds: readonly string[],
  groupIds: readonly string[],
  held: readonly string[],
): Promise<string | undefined> {
  const rows = await q.query<{ permission: string }>(
    `with recursive below (group_id) as (
       select unnest($3::uuid[])
       union
       select s.member_group_id from below b join group_subgroups s on s.tenant_id = $1 and s.group_id = b.group_id
     ),
     targets (user_id) as (
       select unnest($2::uuid[])
       union
       select m.user_id from below b join group_members m on m.tenant_id = $1 and m.group_id = b.group_id
     ),
     above (group_id) as (
       select m.group_id from targets t join group_members m on m.tenant_id = $1 and m.user_id = t.user_id
       union
       select s.group_id from above a join group_subgroups s on s.tenant_id = $1 and s.member_group_id = a.group_id
     )
     select p.permission
       from above a
       join groups g on g.tenant_id = $1 and g.id = a.group_id
       cross join lateral jsonb_array_elements_text(${PERMISSIONS_OF_G}) as p(permission)
      where not (p.permission = any($4::text[]))
      order by p.permission
      limit 1`,
    [tenantId, [...userIds], [...groupIds], [...held]],
  );
  return rows[0]?.permission;
}

/** Serialises the changes that could leave a tenant without an administrator, so two cannot each remove the other. */
export async function lockAdministrators(tx: Queryable, tenantId: string): Promise<void> {
  await tx.query(`select pg_advisory_xact_lock(hashtext('usher.administrators.' || $1::text))`, [tenantId]);
}

/**
 * How many active users (other than `excluding`) hold every permission in `all` through their personas. Only the
 * groups that carry one of those permissions and the groups nested in them are walked, so large plain groups cost nothing.
 */
export async function countAdministrators(q: Queryable, tenantId: string, all: readonly string[], excluding: readonly string[] = []): Promise<number> {
  const rows = await q.query<{ count: number }>(
    `with recursive carriers (id, permission) as (
       select g.id, p.permission
         from groups g
         cross join lateral jsonb_array_elements_text(${PERMISSIONS_OF_G}) as p(permission)
        where g.tenant_id = $1 and p.permission = any($2::text[])
     ),
     below (carrier, group_id) as (
       select distinct id, id from carriers
       union
       select b.carrier, s.member_group_id from below b join group_subgroups s on s.tenant_id = $1 and s.group_id = b.group_id
     ),
     held (user_id, permission) as (
       select distinct m.user_id, c.permission
         from below b
         join group_members m on m.tenant_id = $1 and m.group_id = b.group_id
         join carriers c on c.id = b.carrier
     )
     select count(*)::int as count from (
       select h.user_id
         from held h
         join users u on u.tenant_id = $1 and u.id = h.user_id
        where u.active and not (u.id = any($3::uuid[]))
        group by h.user_id
       having count(*) = cardinality($2::text[])
     ) as administrators`,
    [tenantId, [...all], [...excluding]],
  );
  return Number(rows[0]?.count ?? 0);
}
