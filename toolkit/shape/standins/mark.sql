-- A new oid from the shadow's counter: the stand-in's pg_extension row takes it, and whatever
-- the stand-in then makes has a higher one (register_members.sql).
select pg_catalog.pg_nextoid('pg_catalog.pg_extension', 'oid',
                             'pg_catalog.pg_extension_oid_index')
