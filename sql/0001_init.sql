-- Tenants, API tokens, Users and Groups (RFC 7643 §4), keyed by tenant first.
-- Sized for a tenant with 1M users and a 100k-member group: every lookup an IdP makes has an index,
-- membership is its own table, and case-insensitive matches use lower() on both sides.

create table tenants (
  id uuid primary key,
  slug text not null,
  name text not null,
  created_at timestamptz not null
);
create unique index tenants_slug_key on tenants (lower(slug));

-- Bearer tokens for provisioning clients. Only the SHA-256 of a token is kept (hex); the lookup by hash
-- happens before the tenant is known, hence the one index that does not start with tenant_id.
create table api_tokens (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null,
  label text not null,
  token_hash text not null,
  created_at timestamptz not null,
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (tenant_id, id)
);
create unique index api_tokens_token_hash_key on api_tokens (token_hash);

-- A User: the searchable attributes as columns, the whole resource (canonical attribute names, no id,
-- meta, groups or password) in `attributes`.
create table users (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null,
  user_name text not null,
  external_id text,
  display_name text,
  active boolean not null default true,
  password_hash text,
  attributes jsonb not null,
  created_at timestamptz not null,
  last_modified timestamptz not null,
  version bigint not null default 1,
  primary key (tenant_id, id)
);
create unique index users_user_name_key on users (tenant_id, lower(user_name));
create index users_external_id_idx on users (tenant_id, external_id);
create index users_created_idx on users (tenant_id, created_at, id);
create index users_last_modified_idx on users (tenant_id, last_modified, id);
create index users_active_idx on users (tenant_id, active, id);

-- One row per element of a User's multi-valued attributes that carry a value (emails, phoneNumbers, ims,
-- photos, entitlements, roles): what `emails[type eq "work"].value eq "..."` is answered from.
create table user_values (
  tenant_id uuid not null,
  user_id uuid not null,
  attribute text not null,
  position integer not null,
  value text,
  type text,
  is_primary boolean not null default false,
  primary key (tenant_id, user_id, attribute, position),
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
create index user_values_value_idx on user_values (tenant_id, attribute, lower(value));

create table groups (
  tenant_id uuid not null references tenants (id) on delete cascade,
  id uuid not null,
  display_name text not null,
  external_id text,
  attributes jsonb not null,
  created_at timestamptz not null,
  last_modified timestamptz not null,
  version bigint not null default 1,
  primary key (tenant_id, id)
);
create unique index groups_display_name_key on groups (tenant_id, lower(display_name));
create index groups_external_id_idx on groups (tenant_id, external_id);
create index groups_created_idx on groups (tenant_id, created_at, id);
create index groups_last_modified_idx on groups (tenant_id, last_modified, id);

-- Users that are direct members of a group.
create table group_members (
  tenant_id uuid not null,
  group_id uuid not null,
  user_id uuid not null,
  primary key (tenant_id, group_id, user_id),
  foreign key (tenant_id, group_id) references groups (tenant_id, id) on delete cascade,
  foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade
);
create index group_members_user_idx on group_members (tenant_id, user_id);

-- Groups that are direct members of a group (nesting). Cycles are refused by the service.
create table group_subgroups (
  tenant_id uuid not null,
  group_id uuid not null,
  member_group_id uuid not null,
  primary key (tenant_id, group_id, member_group_id),
  foreign key (tenant_id, group_id) references groups (tenant_id, id) on delete cascade,
  foreign key (tenant_id, member_group_id) references groups (tenant_id, id) on delete cascade,
  constraint group_subgroups_not_self check (group_id <> member_group_id)
);
create index group_subgroups_member_idx on group_subgroups (tenant_id, member_group_id);
