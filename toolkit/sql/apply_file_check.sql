-- After a migration file's statements, before its history row and COMMIT: the transaction must
-- still be the one toolkit opened (a COMMIT or ROLLBACK the parser did not see would leave
-- another one, or none). Raising aborts whatever runs now, so no history row is written for it.
do $check$
begin
    if pg_catalog.current_setting('toolkit.xact', true) is distinct from
            pg_catalog.pg_current_xact_id_if_assigned()::text then
        raise exception 'the migration file ended the transaction toolkit opened for it'
            using errcode = 'TK002';
    end if;
end
$check$
