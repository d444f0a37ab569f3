-- A file under `-- toolkit:no-transaction`: its statements run one by one, so the timeouts and
-- the search path are session settings here, reset by session_reset.sql afterwards.
set lock_timeout = {lock_timeout};
set statement_timeout = {statement_timeout};
select pg_catalog.set_config('search_path', {search_path}, false)
