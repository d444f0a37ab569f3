-- `migration repair`: the advisory lock every writing run takes (apply, rollback), so a repair
-- never lands between another run's reading of the history and its writing; the statement
-- timeout bounds the wait for it (set first, in this one statement: left to right).
select pg_catalog.set_config('statement_timeout', %(statement_timeout)s, true),
    pg_catalog.pg_advisory_xact_lock(%(lock_key)s)
