-- Secrets the server keeps for itself, shared by every instance on one database (the key that signs list cursors).
create table server_secrets (
  name text primary key,
  value text not null,
  created_at timestamptz not null default now()
);
