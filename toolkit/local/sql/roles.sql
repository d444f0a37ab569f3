-- Cluster-wide roles, shaped like a hosted Supabase project. Run once per cluster as the
-- superuser supabase_admin. Passwords are set separately (they are per-stack secrets).

-- The API roles PostgREST switches to from the JWT `role` claim. NOLOGIN: only reachable
-- through authenticator.
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;

-- PostgREST logs in as authenticator; NOINHERIT so it has no rights until it SET ROLEs.
create role authenticator login noinherit;
grant anon, authenticated, service_role to authenticator;

-- As on hosted Supabase, postgres is powerful but NOT a superuser.
create role postgres login createdb createrole replication bypassrls;
grant anon, authenticated, service_role to postgres;

-- Supabase's per-role timeouts for API traffic.
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
