-- Everything `check` needs from the catalog, in one round trip, as one JSON document.
-- %(tables)s: the bare names (schema public) of the tables the migrations create or reference.
-- The history table is read through query_to_xml so that the statement still parses when the
-- table does not exist yet, or when this role may not read it.
select json_build_object(
    'user', current_user,
    'server_version', current_setting('server_version_num')::int,
    'extensions', (
        select coalesce(json_object_agg(e.extname, n.nspname), '{}'::json)
        from pg_catalog.pg_extension e
        join pg_catalog.pg_namespace n on n.oid = e.extnamespace
    ),
    'available_extensions', (
        select coalesce(json_agg(name), '[]'::json)
        from pg_catalog.pg_available_extensions where name = 'uuid-ossp'
    ),
    'tables', (
        select coalesce(json_object_agg(c.relname, json_build_object(
            'rls', c.relrowsecurity,
            'columns', (
                select coalesce(json_agg(json_build_object(
                    'name', a.attname,
                    'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                    'not_null', a.attnotnull) order by a.attnum), '[]'::json)
                from pg_catalog.pg_attribute a
                where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            ),
            'constraints', (
                select coalesce(json_agg(json_build_object(
                    'type', k.contype,
                    'columns', (
                        select json_agg(a.attname order by u.ord)
                        from unnest(k.conkey) with ordinality u(attnum, ord)
                        join pg_catalog.pg_attribute a on a.attrelid = k.conrelid and a.attnum = u.attnum
                    ),
                    'ref_table', case when k.contype = 'f' then (
                        select case when rn.nspname = 'public' then rc.relname
                                    else rn.nspname || '.' || rc.relname end
                        from pg_catalog.pg_class rc
                        join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
                        where rc.oid = k.confrelid) end,
                    'ref_columns', (
                        select json_agg(a.attname order by u.ord)
                        from unnest(k.confkey) with ordinality u(attnum, ord)
                        join pg_catalog.pg_attribute a on a.attrelid = k.confrelid and a.attnum = u.attnum
                    ),
                    'on_delete', k.confdeltype,
                    'definition', pg_catalog.pg_get_constraintdef(k.oid)) order by k.conname), '[]'::json)
                from pg_catalog.pg_constraint k
                where k.conrelid = c.oid
            ),
            'indexes', (
                select coalesce(json_agg(json_build_object(
                    'name', ic.relname,
                    'unique', i.indisunique,
                    'primary', i.indisprimary,
                    'columns', (
                        select json_agg(coalesce(a.attname, '(expression)') order by u.ord)
                        from unnest(i.indkey::int2[]) with ordinality u(attnum, ord)
                        left join pg_catalog.pg_attribute a
                          on a.attrelid = i.indrelid and a.attnum = u.attnum
                        where u.ord <= i.indnkeyatts
                    )) order by ic.relname), '[]'::json)
                from pg_catalog.pg_index i
                join pg_catalog.pg_class ic on ic.oid = i.indexrelid
                where i.indrelid = c.oid
            ),
            'policies', (
                select coalesce(json_agg(p.polname order by p.polname), '[]'::json)
                from pg_catalog.pg_policy p where p.polrelid = c.oid
            )
        )), '{}'::json)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p') and c.relname = any(%(tables)s)
    ),
    'history', case
        -- Schema first: to_regclass() raises, not answers null, without USAGE on the schema.
        when not exists (select from pg_catalog.pg_namespace
                         where nspname = 'supabase_migrations') then null
        when not pg_catalog.has_schema_privilege('supabase_migrations', 'usage')
            then '"forbidden"'::json
        when pg_catalog.to_regclass('supabase_migrations.schema_migrations') is null then null
        when not pg_catalog.has_table_privilege(
            'supabase_migrations.schema_migrations', 'select') then '"forbidden"'::json
        else (
            select coalesce(json_agg(json_build_object(
                'version', x.version, 'name', x.name,
                'statements', x.statements::json) order by x.version), '[]'::json)
            from xmltable('/table/row' passing pg_catalog.query_to_xml(
                'select version, name, array_to_json(statements)::text as statements
                   from supabase_migrations.schema_migrations', false, false, '')
                columns version text, name text, statements text) x
        )
    end
)
