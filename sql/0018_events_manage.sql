-- The events:manage permission (configuring a tenant's event streams, /ssf) joins the permissions an administrator
-- holds all of. Every persona that made its members administrators before (it carried every permission then
-- known) now carries events:manage as well, so that the same people are administrators after this migration as
-- before it; personas that carried less, whatever their name, gain nothing. New tenants' Administrator persona has
-- it from the seed (src/auth/permissions.ts).

update groups
   set attributes = jsonb_set(
         attributes,
         '{urn:usher:params:scim:schemas:extension:persona:2.0:Group,permissions}',
         (select jsonb_agg(distinct p.permission order by p.permission)
            from (select jsonb_array_elements_text(attributes #> '{urn:usher:params:scim:schemas:extension:persona:2.0:Group,permissions}')
                  union
                  select 'events:manage') as p (permission))),
       version = version + 1,
       last_modified = now()
 where jsonb_typeof(attributes #> '{urn:usher:params:scim:schemas:extension:persona:2.0:Group,permissions}') = 'array'
   and (attributes #> '{urn:usher:params:scim:schemas:extension:persona:2.0:Group,permissions}')
       @> '["bandwidth:manage", "billing:pay", "billing:read", "network:manage", "network:read", "orders:read",
            "orders:submit", "reports:read", "sales:quote", "tickets:read", "tickets:submit", "users:read", "users:write"]'::jsonb
   and not (attributes #> '{urn:usher:params:scim:schemas:extension:persona:2.0:Group,permissions}') @> '["events:manage"]'::jsonb;
