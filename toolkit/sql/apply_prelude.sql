-- Opens every migration file's transaction. Placeholders are filled as SQL literals by psycopg.
-- Order matters: statement_timeout bounds the wait for the advisory lock, so concurrent runs
-- queue behind each other instead of failing; lock_timeout is set only after we hold it, so it
-- bounds the DDL's waits on the team's tables (agents), not our wait for each other.
set local statement_timeout = {statement_timeout};
select pg_catalog.pg_advisory_xact_lock({lock_key});
set local lock_timeout = {lock_timeout};
select pg_catalog.set_config('search_path', {search_path}, true);
-- The Supabase CLI's history table, created exactly as `supabase db push` creates it.
do $history$
begin
    if pg_catalog.to_regclass('supabase_migrations.schema_migrations') is null then
        create schema if not exists supabase_migrations;
        create table if not exists supabase_migrations.schema_migrations (
            version text not null primary key
        );
    end if;
    -- Older CLI versions created the table without these columns; add them only when absent,
    -- so a routine run takes no exclusive lock on the history table.
    if not exists (select 1 from pg_catalog.pg_attribute
                   where attrelid = 'supabase_migrations.schema_migrations'::regclass
                     and attname = 'statements' and not attisdropped) then
        alter table supabase_migrations.schema_migrations add column if not exists statements text[];
    end if;
    if not exists (select 1 from pg_catalog.pg_attribute
                   where attrelid = 'supabase_migrations.schema_migrations'::regclass
                     and attname = 'name' and not attisdropped) then
        alter table supabase_migrations.schema_migrations add column if not exists name text;
    end if;
end
$history$;
-- PostgREST reloads its schema cache when this transaction commits.
notify pgrst, 'reload schema';
-- Decided under the lock: every version recorded now (another run may have recorded some
-- while this one waited) and this file's row, if any, so apply can tell a race from a plan.
select exists (
    select 1 from supabase_migrations.schema_migrations where version = {version}
) as already_applied,
    array(select version from supabase_migrations.schema_migrations order by version)
        as recorded,
    (select statements from supabase_migrations.schema_migrations where version = {version})
        as statements
