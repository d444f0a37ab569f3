-- Does the table (and the column, when one is named) exist? A rollback's DROP ... IF EXISTS of
-- something already gone loses nothing and needs no count.
select exists (
    select 1
    from pg_catalog.pg_class as c
    join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
    where n.nspname = %(schema)s and c.relname = %(table)s and c.relkind in ('r', 'p')
      and (%(column)s::text is null or exists (
          select 1 from pg_catalog.pg_attribute as a
          where a.attrelid = c.oid and a.attname = %(column)s and a.attnum > 0
            and not a.attisdropped))
)
