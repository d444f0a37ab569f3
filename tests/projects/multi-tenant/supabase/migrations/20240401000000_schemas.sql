-- The app keeps its tables in its own schema; helpers that bypass RLS live in `private`,
-- which the API never exposes.
create schema if not exists tenancy;
create schema if not exists private;

grant usage on schema tenancy to authenticated, service_role;
revoke all on schema private from public;

create type tenancy.member_role as enum ('owner', 'admin', 'member');
