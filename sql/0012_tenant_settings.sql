-- Whether users an identity provider creates (with an API token) are sent the welcome mail; a tenant whose users sign
-- in through its identity provider turns it off. Users created at the portal or with the CLI are always welcomed.
alter table tenants add column welcome_mail boolean not null default true;
