-- API tokens are served from memory once checked; every change that could make a token refused (revoked, expired
-- sooner, scopes narrowed, deleted with its tenant) or described otherwise is announced on channel
-- usher_api_tokens with the token's id, by the database itself, so that a change made by any process (another
-- server, the command line, SQL by hand) drops the cached token everywhere as soon as it commits.
-- last_used_at alone is not a change: it is written at most once a minute per token, and nothing caches it.

create function usher_api_token_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('usher_api_tokens', old.id::text);
  return null;
end
$$;

create trigger api_tokens_changed after update on api_tokens
  for each row when ((to_jsonb(old) - 'last_used_at') is distinct from (to_jsonb(new) - 'last_used_at'))
  execute function usher_api_token_changed();

create trigger api_tokens_deleted after delete on api_tokens
  for each row execute function usher_api_token_changed();
