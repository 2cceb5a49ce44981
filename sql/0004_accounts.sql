-- The portal's account lifecycle: sign-in state on users, sessions, single-use links, the mail outbox and history.

-- Sign-in state. `active` stays the administrator's or identity provider's word; a lockout after failed
-- logins is kept apart (locked_until) so that its end needs no write, and `active` reads false while it lasts.
alter table users
  add column last_login timestamptz,
  add column failed_logins integer not null default 0,
  add column locked_until timestamptz,
  add column lock_reason text,
  add column password_change_required boolean not null default false,
  add column password_set_at timestamptz,
  add column welcome_email_sent_at timestamptz,
  add constraint users_lock_reason_check check (lock_reason in ('admin', 'provisioning', 'failedLogins'));

-- A signed-in portal user. Only the SHA-256 of the bearer token is kept.
create table sessions (
  tenant_id uuid not null,
  id uuid not null,
  user_id uuid not null,
  token_hash text not null,
  created_at timestamptz not null,
  last_seen_at timestamptz not null,
  expires_at timestamptz not null,
  ended_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
create unique index sessions_token_hash_key on sessions (token_hash);
create index sessions_user_idx on sessions (tenant_id, user_id);

-- Single-use secrets sent by mail or handed back by the login: password reset, welcome (set a first
-- password), and the change token of a forced password change. Only their SHA-256 is kept.
create table auth_tokens (
  tenant_id uuid not null,
  id uuid not null,
  user_id uuid not null,
  purpose text not null check (purpose in ('reset', 'welcome', 'change')),
  token_hash text not null,
  created_at timestamptz not null,
  expires_at timestamptz not null,
  used_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
create unique index auth_tokens_token_hash_key on auth_tokens (token_hash);
create index auth_tokens_user_idx on auth_tokens (tenant_id, user_id);

-- Mail is written here in the transaction of the change that causes it, and delivered by a worker.
create table outbox (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null,
  kind text not null,
  recipient text not null,
  subject text not null,
  text_body text not null,
  html_body text not null,
  created_at timestamptz not null,
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  sent_at timestamptz,
  last_error text,
  primary key (tenant_id, id)
);
create index outbox_due_idx on outbox (next_attempt_at) where sent_at is null;

-- Who changed what: one row per event and changed attribute. No foreign key to the resource, so the history
-- of a deleted user stays; nothing in the API updates or deletes these rows.
create table history (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null,
  seq bigint generated always as identity,
  resource_type text not null,
  resource_id uuid not null,
  resource_name text not null,
  event text not null,
  attribute text,
  old_value text,
  new_value text,
  actor text not null,
  actor_id text,
  request_id text,
  created_at timestamptz not null,
  primary key (tenant_id, id)
);
create index history_created_idx on history (tenant_id, created_at desc, seq desc);
create index history_resource_idx on history (tenant_id, resource_id, created_at desc, seq desc);
