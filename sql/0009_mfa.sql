-- A second factor (TOTP, RFC 6238) with single-use recovery codes, and the tenant setting that requires it of the
-- users who may manage others.

-- Whether the user signs in with a second factor: on users, so that the account extension's mfaEnabled lists,
-- filters and sorts as the other sign-in state does. Kept in step with user_mfa.secret by the same transactions.
alter table users add column mfa_enabled boolean not null default false;

-- The TOTP secrets of a user: the confirmed one (null until the first is confirmed) and one waiting for its first
-- code. Both are sealed with AES-256-GCM under a server secret, bound to the tenant and user, never kept in clear.
-- last_step is the time step of the last code accepted: no code is accepted twice (RFC 6238 section 5.2).
create table user_mfa (
  tenant_id uuid not null,
  user_id uuid not null,
  secret text,
  enabled_at timestamptz,
  last_step bigint not null default 0,
  pending_secret text,
  pending_expires_at timestamptz,
  primary key (tenant_id, user_id),
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);

-- Ten single-use codes for when the authenticator is lost. Only a salted SHA-256 of each is kept.
create table mfa_recovery_codes (
  tenant_id uuid not null,
  user_id uuid not null,
  id uuid not null,
  salt text not null,
  code_hash text not null,
  created_at timestamptz not null,
  used_at timestamptz,
  primary key (tenant_id, user_id, id),
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);

-- The short-lived tokens of the sign-in chain: 'mfa' (a code is asked for) and 'mfa_enrol' (the tenant requires a
-- second factor the user has yet to set up); wrong codes given with a token are counted on it.
alter table auth_tokens drop constraint auth_tokens_purpose_check;
alter table auth_tokens add constraint auth_tokens_purpose_check check (purpose in ('reset', 'welcome', 'change', 'mfa', 'mfa_enrol'));
alter table auth_tokens add column failed_attempts integer not null default 0;

-- Require a second factor of every user whose personas grant users:write.
alter table tenants add column mfa_required boolean not null default false;
