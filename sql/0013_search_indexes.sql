-- Trigram indexes (pg_trgm, a trusted extension since PostgreSQL 13; PGlite loads it too) for substring search:
-- the console's search box (`co` on userName, names and e-mail values) and the History search (`search=`).
-- Without them every such request read all of a tenant's users or history. A trigram GIN index answers
-- `lower(x) like '%abc%'` (co), 'abc%' (sw) and '%abc' (ew) from the trigrams of the pattern, so each expression
-- below is written exactly as src/scim/filter/to-sql.ts and the users and history queries spell it. The indexes do
-- not lead with tenant_id (a trigram index cannot, without btree_gin): a tenant's rows are picked on the heap.
-- A pattern of fewer than three characters between wildcards has no trigram to look up (see docs/benchmarks.md).
create extension if not exists pg_trgm;

create index users_user_name_trgm_idx on users using gin (lower(user_name) gin_trgm_ops);
create index users_display_name_trgm_idx on users using gin (lower(display_name) gin_trgm_ops);
create index users_given_name_trgm_idx on users using gin (lower(attributes #>> '{name,givenName}') gin_trgm_ops);
create index users_family_name_trgm_idx on users using gin (lower(attributes #>> '{name,familyName}') gin_trgm_ops);

-- E-mail addresses only: the console searches emails.value, and no client searches phone numbers or roles by substring.
create index user_values_email_trgm_idx on user_values using gin (lower(value) gin_trgm_ops) where attribute = 'emails';

-- The History search looks in six columns at once (src/resources/history/queries.ts searchSql): one index over
-- them joined by line feeds, the event as the portal labels it (HISTORY_EVENT_LABELS), rather than six indexes that
-- every recorded change would write to. A changed or added label needs this index made again in a new migration.
create index history_search_trgm_idx on history using gin (lower(
  resource_name || E'\n' ||
  (case event when 'created' then 'Created'
        when 'deleted' then 'Deleted'
        when 'attributeChanged' then 'Attribute changed'
        when 'passwordChanged' then 'Password changed'
        when 'temporaryPasswordSet' then 'Temporary password set'
        when 'passwordNotSet' then 'Password not set: it does not meet the password policy'
        when 'emailChanged' then 'Email changed'
        when 'personaAdded' then 'Persona added'
        when 'personaRemoved' then 'Persona removed'
        when 'groupAdded' then 'Group added'
        when 'groupRemoved' then 'Group removed'
        when 'memberAdded' then 'Member added'
        when 'memberRemoved' then 'Member removed'
        when 'locked' then 'Locked'
        when 'unlocked' then 'Unlocked'
        when 'lockedOut' then 'Locked out after failed logins'
        when 'passwordResetSent' then 'Password reset email sent'
        when 'welcomeEmailSent' then 'Welcome email sent'
        when 'mfaAdded' then 'Two-step verification turned on'
        when 'mfaReplaced' then 'Authenticator app replaced'
        when 'mfaRemoved' then 'Two-step verification turned off'
        when 'mailSkipped' then 'Email not sent: hourly mail limit reached' else event end) || E'\n' ||
  coalesce(attribute, '') || E'\n' || coalesce(old_value, '') || E'\n' || coalesce(new_value, '') || E'\n' || actor
) gin_trgm_ops);
