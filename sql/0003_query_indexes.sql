-- Indexes the query benchmark (npm run bench) showed missing. Each one serves a statement the list runner
-- generates, so each expression is written exactly as src/scim/sort.ts and the users SQL model spell it.

-- GET /Users?sortBy=name.familyName: ORDER BY lower(attributes #>> '{name,familyName}'), id within a tenant.
-- Without it every sorted page reads and sorts all of the tenant's users; with it a page reads `count` rows.
create index users_family_name_idx on users (tenant_id, lower(attributes #>> '{name,familyName}'), id);

-- Rendering a page of Users joins their memberships to groups for each group's display name. The estimate of the
-- recursive membership walk is loose, and with only the primary key the planner hash-joins a sequential scan of
-- every group (10,000 per tenant at 1M users). With display_name in the index, probing it per membership is an
-- index-only lookup and the planner takes it.
create index groups_id_display_name_idx on groups (tenant_id, id) include (display_name);
