-- The console's search, sorted by last name, for a fragment many users share ("sen": 81,020 of 1M users, in family
-- names that sort late). Its first page was read by walking users_family_name_idx and testing each user on the heap:
-- the first Andersen comes after 40,000 other users, some 280 ms. An index that carries the searched text lets the
-- walk test each entry without the heap (an index-only scan), and an index can carry only columns, so the family name
-- as the sort orders it and the searched text become stored columns, computed by the database on every write.
--
-- search_text holds, each lower-cased as the filter compiler folds it and one per line, the attributes the console
-- searches: userName, name.givenName, name.familyName, and the e-mail values as a JSON array (without the rest of the
-- e-mails' JSON, which would double the text that each row, and each entry of the index, carries). Every user a `co`,
-- `sw` or `ew` on one of them matches therefore has the fragment somewhere in search_text (userSqlModel.searchText,
-- src/scim/filter/search-text.ts); the filter itself still decides, on the heap.
--
-- One ALTER TABLE for both columns: the table is rewritten once (about 2 minutes at 1M users, see docs/benchmarks.md).
alter table users
  add column family_key text generated always as (lower(attributes #>> '{name,familyName}')) stored,
  add column search_text text generated always as (
    lower(user_name) || E'\n' ||
    coalesce(lower(attributes #>> '{name,givenName}'), '') || E'\n' ||
    coalesce(lower(attributes #>> '{name,familyName}'), '') || E'\n' ||
    lower(jsonb_path_query_array(attributes, '$.emails[*].value')::text)
  ) stored;

-- Sorting by name.familyName orders on family_key (userSqlModel), so this index replaces users_family_name_idx.
create index users_family_key_idx on users (tenant_id, family_key, id) include (search_text);
drop index users_family_name_idx;
