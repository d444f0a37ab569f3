-- What one of toolkit's backends waits for, asked from a second connection while it waits (the
-- live line and the reason on giving up): the lock it requests, the relation's name, and the
-- first session blocking it with that session's state, for how long, and what it ran last;
-- lock_wait_seconds from pg_locks.waitstart (PostgreSQL 14+), so the wait is timed exactly.
select w.wait_event_type,
       w.wait_event,
       l.locktype,
       case when c.oid is not null
            then pg_catalog.format('%%I.%%I', n.nspname, c.relname) end as relation,
       b.pid,
       b.state,
       pg_catalog.date_part('epoch', pg_catalog.now() - b.state_change)::int as state_seconds,
       pg_catalog.left(pg_catalog.regexp_replace(b.query, '\s+', ' ', 'g'), 60) as query,
       pg_catalog.date_part('epoch', pg_catalog.now() - l.waitstart) as lock_wait_seconds
from pg_catalog.pg_stat_activity w
left join lateral (
    select pl.locktype, pl.relation, pl.database, pl.waitstart
    from pg_catalog.pg_locks pl
    where pl.pid = w.pid and not pl.granted
    limit 1
) l on true
left join pg_catalog.pg_class c
    on c.oid = l.relation
   and l.database = (select d.oid from pg_catalog.pg_database d
                     where d.datname = pg_catalog.current_database())
left join pg_catalog.pg_namespace n on n.oid = c.relnamespace
left join lateral (
    select blocker.pid from pg_catalog.unnest(pg_catalog.pg_blocking_pids(w.pid)) as blocker(pid)
    limit 1
) bp on true
left join pg_catalog.pg_stat_activity b on b.pid = bp.pid
where w.pid = %(pid)s
