-- After a migration file's statements, before its history row: the transaction must still be the
-- one toolkit opened, which holds toolkit's advisory lock (a COMMIT or ROLLBACK the parser did not
-- see releases it, and whatever runs after is another transaction). A lock, not a setting: a
-- file may RESET ALL (pg_dump output does). Raising aborts whatever runs now, so no history row
-- is written for it.
do $check$
begin
    if not exists (
            select 1 from pg_catalog.pg_locks as l
            where l.locktype = 'advisory' and l.pid = pg_catalog.pg_backend_pid() and l.granted
              and l.classid::pg_catalog.int8 = ({lock_key} >> 32)
              and l.objid::pg_catalog.int8 = ({lock_key} & 4294967295) and l.objsubid = 1
              and l.virtualtransaction = (
                  select m.virtualtransaction from pg_catalog.pg_locks as m
                  where m.locktype = 'virtualxid' and m.pid = pg_catalog.pg_backend_pid()
                    and m.virtualxid = m.virtualtransaction)) then
        raise exception 'the migration file ended the transaction toolkit opened for it'
            using errcode = 'TK002';
    end if;
end
$check$
