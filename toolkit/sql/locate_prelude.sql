-- Opens the throw-away transaction that finds which statement of a failed file fails.
set local lock_timeout = {lock_timeout};
set local statement_timeout = {statement_timeout};
select pg_catalog.set_config('search_path', {search_path}, true)
