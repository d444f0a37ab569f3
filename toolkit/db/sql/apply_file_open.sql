-- After the advisory lock, before a migration file's statements, decided under the lock: stop
-- with SQLSTATE TK003 when the history is not what this run expects ({expected}: what it read
-- before, plus what it recorded since) or already holds this version (another run recorded
-- versions while this one waited); apply reads the DETAIL (the versions recorded now, and this
-- version's statements if recorded) to tell a race from a file applied meanwhile.
do $open$
declare
    recorded text[] := array(select version from supabase_migrations.schema_migrations
                             order by version);
begin
    if {version} = any(recorded) or recorded is distinct from
            array(select v from unnest({expected}::text[]) as v order by v) then
        raise exception 'the history changed while this run waited for the lock'
            using errcode = 'TK003', detail = pg_catalog.json_build_object(
                'recorded', recorded,
                'statements', (select statements from supabase_migrations.schema_migrations
                               where version = {version}))::text;
    end if;
end
$open$
