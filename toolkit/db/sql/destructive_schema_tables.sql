-- The tables a pending DROP SCHEMA ... CASCADE would drop with the schema, so apply can count
-- their rows before asking.
select c.relname
from pg_catalog.pg_class as c
join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
where n.nspname = %(schema)s and c.relkind in ('r', 'p')
order by c.relname
