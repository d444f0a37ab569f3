-- The Supabase CLI's history table, created as `supabase migration repair` creates it when the
-- project has none yet (the same definition apply_prelude.sql uses), so both tools read it.
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
    version text not null primary key
);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;
