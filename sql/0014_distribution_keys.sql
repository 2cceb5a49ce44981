-- Every key leads with tenant_id, so that the schema can be distributed by tenant on Citus (docs/scaling.md): a
-- unique index there is enforced within one shard only, and must hold the distribution column.

-- Bearer secrets (API tokens, sessions, single-use links) now carry their tenant's id in their text, and are looked up
-- by (tenant_id, token_hash) on the tenant's shard. Secrets without it (issued before this, or an API token an operator
-- supplies as text) are still found by their digest alone: a plain index serves that one lookup that crosses shards.
-- A digest is of 256 random bits, so no two rows share one; the bootstrap token is checked by the tenancy service.
drop index api_tokens_token_hash_key;
create unique index api_tokens_tenant_token_hash_key on api_tokens (tenant_id, token_hash);
create index api_tokens_token_hash_idx on api_tokens (token_hash);

drop index sessions_token_hash_key;
create unique index sessions_tenant_token_hash_key on sessions (tenant_id, token_hash);
create index sessions_token_hash_idx on sessions (token_hash);

drop index auth_tokens_token_hash_key;
create unique index auth_tokens_tenant_token_hash_key on auth_tokens (tenant_id, token_hash);
create index auth_tokens_token_hash_idx on auth_tokens (token_hash);

-- Sign-in throttling is kept by tenant too: a name typed for a tenant that does not exist is counted under the nil
-- tenant (00000000-0000-0000-0000-000000000000), so there is no foreign key to tenants. The rows kept so far cannot be
-- given their tenant (their key is a digest), so they go: each address starts its count again, once. The account-wide
-- count of failures (users.failed_logins) and any lockout stay as they are.
delete from login_throttle;
alter table login_throttle add column tenant_id uuid not null;
alter table login_throttle drop constraint login_throttle_pkey;
alter table login_throttle add primary key (tenant_id, key_hash);
drop index login_throttle_last_failure_idx;
create index login_throttle_last_failure_idx on login_throttle (tenant_id, last_failure_at);
