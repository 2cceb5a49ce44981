-- History names its actor by kind and id, not only by a display name that a user can choose ("Okta"): actor_type
-- is 'user' (actor_id a user id), 'token' (an API token id) or 'system' (actor_id 'usher' for the server itself,
-- 'cli' for the command line). `actor` stays the display text shown as "Updated By".
alter table history
  add column actor_type text,
  add constraint history_actor_type_check check (actor_type in ('user', 'token', 'system'));

-- Best-effort backfill of the rows written before: an id that is one of the tenant's API tokens, or one of its
-- users (or a deleted user that has history of its own); a row without an id was the server's lockout, and 'cli'
-- was the command line. Anything else keeps a null type: its actor is shown by name only.
update history h set actor_type = 'token'
  from api_tokens t
 where t.tenant_id = h.tenant_id and t.id::text = h.actor_id;

update history h set actor_type = 'user'
  from (select tenant_id, id::text as id from users
        union
        select tenant_id, resource_id::text from history where resource_type = 'User') u
 where h.actor_type is null and u.tenant_id = h.tenant_id and u.id = h.actor_id;

update history set actor_type = 'system', actor_id = 'usher' where actor_type is null and actor_id is null;
update history set actor_type = 'system' where actor_type is null and actor_id = 'cli';

-- "Everything this token (or user) did", newest first: the history of one actor without a scan of the tenant's.
create index history_actor_idx on history (tenant_id, actor_id, created_at desc, seq desc);

-- A sent mail's body held its links: it is cleared once the transport accepted it. The row stays (recipient,
-- user, kind, times) for the hourly account-mail limit and for operators.
alter table outbox
  alter column text_body drop not null,
  alter column html_body drop not null;
update outbox set text_body = null, html_body = null where sent_at is not null;
