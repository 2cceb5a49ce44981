-- Sign-in throttling (ASVS 2.2.1): failures are counted per account and client address first, and only many failures
-- from many addresses within an hour lock the account for everyone.

-- One row per (account or typed name, client address) that failed to sign in lately. The key is a SHA-256 digest of
-- the tenant, the account (or, for a name that is no account, the name as typed) and the address: an unknown name must
-- be throttled exactly as a known one, so the table cannot hang on users or tenants, and it keeps no name or address in
-- clear. Rows whose last failure is a day old are forgotten.
create table login_throttle (
  key_hash text primary key,
  failures integer not null,
  last_failure_at timestamptz not null,
  blocked_until timestamptz
);
create index login_throttle_last_failure_idx on login_throttle (last_failure_at);

-- When the account-wide count of failed sign-ins began: a count older than the lockout window starts again.
alter table users add column failed_logins_since timestamptz;

-- Wrong current passwords given with a session (POST /auth/password): a few end the session.
alter table sessions add column failed_password_checks integer not null default 0;

-- A lock by an administrator or the identity provider now ends the user's sessions for good (unlocking does not revive
-- them); sessions of accounts locked so before this migration end now.
update sessions s set ended_at = now()
  from users u
 where u.tenant_id = s.tenant_id and u.id = s.user_id and s.ended_at is null
   and not u.active and coalesce(u.lock_reason, 'admin') <> 'failedLogins';
