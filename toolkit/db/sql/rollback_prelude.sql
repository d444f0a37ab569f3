-- Opens the rollback transaction: the same lock and timeouts as apply, so a rollback and an
-- apply never interleave, and a lock held by the team's traffic makes us give up, not queue.
set local statement_timeout = {statement_timeout};
select pg_catalog.pg_advisory_xact_lock({lock_key});
set local lock_timeout = {lock_timeout};
notify pgrst, 'reload schema'
