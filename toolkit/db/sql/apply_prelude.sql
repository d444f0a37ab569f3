-- Opens every migration file's transaction, after apply_session_reset.sql; rendered once per run,
-- each statement sent on its own in the file's one round trip. Placeholders are SQL literals.
-- Order matters: statement_timeout bounds the wait for the advisory lock, so concurrent runs
-- queue behind each other instead of failing; lock_timeout is set only after we hold it, so it
-- bounds the DDL's waits on the team's tables (agents), not our wait for each other.
set local statement_timeout = {statement_timeout};
select pg_catalog.pg_advisory_xact_lock({lock_key});
set local lock_timeout = {lock_timeout};
select pg_catalog.set_config('search_path', {search_path}, true);
-- The parser toolkit splits files with reads backslashes in '...' as plain characters: the
-- server must read them so too, whatever the database's or an earlier file's setting.
set local standard_conforming_strings = on;
-- The file reaches the server whole before it runs: if toolkit dies meanwhile (a cancelled CI
-- job), the server must notice and roll back rather than run the rest and commit. PostgreSQL 14+
-- on Linux, macOS and the BSDs; elsewhere the setting is left as it is.
do $check$
begin
    perform pg_catalog.set_config('client_connection_check_interval', '100ms', true);
exception when others then
    null;
end
$check$
