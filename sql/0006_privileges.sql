-- Privileges that cannot be escalated: a session acts only on users whose permissions it holds all of, so the
-- Administrator persona of every existing tenant now carries every permission of the default personas (those
-- it had are kept); and API tokens gain scopes and an expiry.

update groups
   set attributes = jsonb_set(
         attributes,
         '{urn:usher:params:scim:schemas:extension:persona:2.0:Group,permissions}',
         (select jsonb_agg(distinct p.permission order by p.permission)
            from (select jsonb_array_elements_text(attributes #> '{urn:usher:params:scim:schemas:extension:persona:2.0:Group,permissions}')
                  union
                  select unnest(array['bandwidth:manage', 'billing:pay', 'billing:read', 'network:manage', 'network:read',
                                      'orders:read', 'orders:submit', 'reports:read', 'sales:quote', 'tickets:read',
                                      'tickets:submit', 'users:read', 'users:write'])) as p (permission))),
       version = version + 1,
       last_modified = now()
 where display_name = 'Administrator'
   and jsonb_typeof(attributes #> '{urn:usher:params:scim:schemas:extension:persona:2.0:Group,permissions}') = 'array';

-- A scoped token may only do what its scopes name (null: everything in its tenant); an expired one is refused like
-- an unknown one.
alter table api_tokens
  add column scopes text[],
  add column expires_at timestamptz;
