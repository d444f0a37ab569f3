-- After the advisory lock, before a migration file's statements: stop (SQLSTATE TK001, which
-- apply reads as "applied by another run while this one waited") when the version is recorded
-- already, and note the transaction's id, which apply_file_check.sql compares after the file.
do $open$
begin
    if exists (select 1 from supabase_migrations.schema_migrations where version = {version}) then
        raise exception 'migration % is recorded already', {version} using errcode = 'TK001';
    end if;
    perform pg_catalog.set_config('toolkit.xact', pg_catalog.pg_current_xact_id()::text, true);
end
$open$
