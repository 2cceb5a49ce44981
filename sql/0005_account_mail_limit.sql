-- Account mails are limited per user and hour: each outbox row names the user it is about (null for mail about no
-- user, and for the rows queued before this), and an index counts a user's recent ones.
alter table outbox add column user_id uuid;
create index outbox_user_recent_idx on outbox (tenant_id, user_id, created_at) where user_id is not null;
