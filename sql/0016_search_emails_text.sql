-- The console's search box ORs e-mail values with the user's own columns: `userName co "x" or name.givenName co "x"
-- or name.familyName co "x" or emails.value co "x"`. E-mail values live in user_values, and PostgreSQL cannot read an
-- OR from indexes when one of its terms is an EXISTS over another table: it tested every user of the tenant. With
-- the e-mails' JSON on the user's own row indexed for substrings, the filter's e-mail term also tests that text (which
-- every user with a matching e-mail contains; the EXISTS still decides), and the OR becomes a BitmapOr of trigram
-- indexes on users alone, or, for a fragment most users share, a walk of the page's sort order that stops at the page.
-- Written exactly as the users SQL model spells it (EMAILS_TEXT in src/resources/users/queries.ts).
create index users_emails_text_trgm_idx on users using gin (lower((attributes -> 'emails')::text) gin_trgm_ops);
