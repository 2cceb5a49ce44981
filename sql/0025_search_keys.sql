-- The console's search, sorted by last name, walks users_family_key_idx and tests each entry's search text (0024).
-- A fragment whose matches all have family names that sort late ("sen": the first Andersen after 40,000 others at
-- 1M users) makes that walk read every entry before them. user_search_keys says, for each family name of a tenant,
-- which three-character pieces its users' search texts hold: a search walks only the family names that hold every
-- piece of its fragment, in order, and within each the users of that name (searchPageUsers).
--
-- The pieces are every three characters in a row of search_text, so every fragment of three characters or more that
-- a user's text holds has all its pieces under that user's family name. The table may hold more than that (a piece
-- stays when the last user with it under that name changes or goes): such a row costs a search a few index reads,
-- never a match. Users without a family name are walked apart, as before.

create function usher_trigrams(t text) returns text[]
  language sql immutable strict parallel safe
  as $$ select coalesce(array_agg(distinct substr(t, i, 3)), '{}') from generate_series(1, length(t) - 2) as i $$;

create table user_search_keys (
  tenant_id uuid not null references tenants (id) on delete cascade,
  trigram text not null,
  family_key text not null,
  primary key (tenant_id, trigram, family_key)
);

-- Statement triggers with transition tables: a Bulk or a seeding statement of many users adds its pieces in one
-- statement; an update adds only those of users whose search text or family name changed.
create function user_search_keys_inserted() returns trigger language plpgsql as $$
begin
  insert into user_search_keys (tenant_id, trigram, family_key)
  select distinct n.tenant_id, t.trigram, n.family_key
    from new_users n cross join lateral unnest(usher_trigrams(n.search_text)) as t (trigram)
   where n.family_key is not null
  on conflict do nothing;
  return null;
end $$;

create function user_search_keys_updated() returns trigger language plpgsql as $$
begin
  insert into user_search_keys (tenant_id, trigram, family_key)
  select distinct n.tenant_id, t.trigram, n.family_key
    from new_users n join old_users o on o.tenant_id = n.tenant_id and o.id = n.id
         cross join lateral unnest(usher_trigrams(n.search_text)) as t (trigram)
   where n.family_key is not null
     and (n.search_text is distinct from o.search_text or n.family_key is distinct from o.family_key)
  on conflict do nothing;
  return null;
end $$;

create trigger users_search_keys_insert after insert on users
  referencing new table as new_users for each statement execute function user_search_keys_inserted();
create trigger users_search_keys_update after update on users
  referencing old table as old_users new table as new_users for each statement execute function user_search_keys_updated();

insert into user_search_keys (tenant_id, trigram, family_key)
select distinct u.tenant_id, t.trigram, u.family_key
  from users u cross join lateral unnest(usher_trigrams(u.search_text)) as t (trigram)
 where u.family_key is not null
on conflict do nothing;
