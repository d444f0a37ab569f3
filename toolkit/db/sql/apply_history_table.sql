-- The first file of an apply run: the Supabase CLI's history table, created exactly as
-- `supabase db push` creates it, inside that file's transaction.
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
$history$
