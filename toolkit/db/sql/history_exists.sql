-- 'present', 'absent', or 'hidden' (the schema exists but this role lacks USAGE on it).
-- USAGE is tested before to_regclass(), which would fail with "permission denied".
select case
    when n.oid is null then 'absent'
    when not pg_catalog.has_schema_privilege(n.oid, 'USAGE') then 'hidden'
    when pg_catalog.to_regclass('supabase_migrations.schema_migrations') is null then 'absent'
    else 'present'
end
from (select 1) as one
left join pg_catalog.pg_namespace as n on n.nspname = 'supabase_migrations'
