-- Filters on Usher's persona extension of Group. The admin console asks GET /Groups?filter=<persona URN> pr
-- sorted by displayName on every page, and a persona's permissions (`<persona URN>:permissions eq "users:write"`)
-- are only ever held by personas. Personas are a handful of a tenant's groups, so without this index each of
-- those requests read every group of the tenant (10,000 rows for 8 personas at 10,000 groups). The predicate is
-- written exactly as the groups SQL model spells "has the extension" (src/resources/groups/queries.ts), which it
-- also adds to every condition on a persona's multi-valued attributes.
create index groups_persona_idx on groups (tenant_id, lower(display_name), id)
  where (attributes -> 'urn:usher:params:scim:schemas:extension:persona:2.0:Group') is not null;

-- Without statistics on the expression the planner takes "has the extension" to hold for nearly every group and,
-- unless sorted by displayName, walks the tenant's groups in creation order instead of taking the index above.
create statistics groups_persona_stats on ((attributes -> 'urn:usher:params:scim:schemas:extension:persona:2.0:Group')) from groups;
analyze groups;

-- No index for the enterprise extension: neither the console nor Okta or Entra filters Users on it (they look up
-- userName, externalId and id), and an index on each of its attributes would slow every write of every user.
