-- Everything toolkit compares, in one round trip, as one JSON document. The same query reads
-- the target and the shadow database, so both sides are normalised by PostgreSQL itself
-- (format_type, pg_get_constraintdef, pg_get_indexdef, pg_get_expr, pg_get_functiondef).
-- Run with search_path "$user", public, extensions on both sides: the deparsers qualify names
-- by it. {managed}: the schemas Supabase manages, never judged as the project's.
-- Objects that belong to an extension (pg_depend deptype 'e') are never the project's either,
-- but triggers and policies on tables in those schemas are read ('managed_tables'): migrations
-- put a signup trigger on auth.users or policies on storage.objects. ACLs are read per grantee
-- (PUBLIC included) with aclexplode, the owner's own privileges left out.
select json_build_object(
    'user', current_user,
    'server_version', current_setting('server_version_num')::int,
    'extensions', (
        select coalesce(json_object_agg(e.extname, n.nspname), '{{}}'::json)
        from pg_catalog.pg_extension e
        join pg_catalog.pg_namespace n on n.oid = e.extnamespace
    ),
    'extension_info', (
        select coalesce(json_object_agg(e.extname, json_build_object(
            'schema', n.nspname, 'version', e.extversion)), '{{}}'::json)
        from pg_catalog.pg_extension e
        join pg_catalog.pg_namespace n on n.oid = e.extnamespace
    ),
    'schema_info', (
        select coalesce(json_object_agg(n.nspname, json_build_object(
            'owner', pg_catalog.pg_get_userbyid(n.nspowner),
            'comment', pg_catalog.obj_description(n.oid, 'pg_namespace'),
            'grants', (
                select coalesce(json_object_agg(g.grantee, g.privileges), '{{}}'::json)
                from (
                    select case when x.grantee = 0 then 'PUBLIC'
                                else pg_catalog.pg_get_userbyid(x.grantee) end as grantee,
                           json_agg(distinct x.privilege_type order by x.privilege_type)
                               as privileges
                    from aclexplode(coalesce(n.nspacl,
                                             pg_catalog.acldefault('n', n.nspowner))) x
                    where x.grantee <> n.nspowner
                    group by 1
                ) g
            ))), '{{}}'::json)
        from pg_catalog.pg_namespace n
        where n.nspname <> all({managed}) and n.nspname !~ '^pg_'
    ),
    'publications', (
        select coalesce(json_object_agg(p.pubname, (
            select coalesce(json_agg(t.schemaname || '.' || t.tablename
                                     order by t.schemaname, t.tablename), '[]'::json)
            from pg_catalog.pg_publication_tables t where t.pubname = p.pubname)), '{{}}'::json)
        from pg_catalog.pg_publication p
    ),
    -- What each member publishes: column list and row filter where the server has them
    -- (PostgreSQL 15+), read through to_jsonb so older servers answer too.
    'publication_members', (
        select coalesce(json_object_agg(t.pubname || ' ' || t.schemaname || '.' || t.tablename,
                                        to_jsonb(t) - 'pubname' - 'schemaname' - 'tablename'),
                        '{{}}'::json)
        from pg_catalog.pg_publication_tables t
    ),
    'uuid_ossp_available', exists (
        select from pg_catalog.pg_available_extensions where name = 'uuid-ossp'
    ),
    'schemas', (
        select coalesce(json_agg(n.nspname order by n.nspname), '[]'::json)
        from pg_catalog.pg_namespace n
        where n.nspname <> all({managed}) and n.nspname !~ '^pg_'
    ),
    'default_acl', (
        select coalesce(json_agg(json_build_object(
            'schema', dn.nspname, 'objtype', d.defaclobjtype,
            'acl', (select json_agg(x::text order by x::text) from unnest(d.defaclacl) x),
            'grants', (
                select coalesce(json_object_agg(g.grantee, g.privileges), '{{}}'::json)
                from (
                    select case when x.grantee = 0 then 'PUBLIC'
                                else pg_catalog.pg_get_userbyid(x.grantee) end as grantee,
                           json_agg(distinct x.privilege_type order by x.privilege_type)
                               as privileges
                    from aclexplode(d.defaclacl) x
                    group by 1
                ) g
            ))
            order by dn.nspname, d.defaclobjtype), '[]'::json)
        from pg_catalog.pg_default_acl d
        left join pg_catalog.pg_namespace dn on dn.oid = d.defaclnamespace
        where d.defaclrole = (select oid from pg_catalog.pg_roles where rolname = 'postgres')
    ),
    'relations', (
        select coalesce(json_object_agg(n.nspname || '.' || c.relname, json_build_object(
            'kind', c.relkind,
            'owner', pg_catalog.pg_get_userbyid(c.relowner),
            'persistence', c.relpersistence,
            'replica_identity', c.relreplident,
            'replica_index', (select ic.relname from pg_catalog.pg_index i
                              join pg_catalog.pg_class ic on ic.oid = i.indexrelid
                              where i.indrelid = c.oid and i.indisreplident),
            'options', (select json_agg(o order by o) from unnest(c.reloptions) o),
            'comment', pg_catalog.obj_description(c.oid, 'pg_class'),
            'rls', c.relrowsecurity,
            'rls_forced', c.relforcerowsecurity,
            'partition_bound', pg_catalog.pg_get_expr(c.relpartbound, c.oid),
            'parents', (
                select coalesce(json_agg(pn.nspname || '.' || pc.relname order by h.inhseqno),
                                '[]'::json)
                from pg_catalog.pg_inherits h
                join pg_catalog.pg_class pc on pc.oid = h.inhparent
                join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
                where h.inhrelid = c.oid
            ),
            'view', case when c.relkind in ('v', 'm') then pg_catalog.pg_get_viewdef(c.oid) end,
            'columns', (
                select coalesce(json_agg(json_build_object(
                    'name', a.attname,
                    'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
                    'not_null', a.attnotnull,
                    'default', case when a.attgenerated = '' then
                        pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) end,
                    'identity', nullif(a.attidentity, ''),
                    'generated', case when a.attgenerated <> '' then
                        pg_catalog.pg_get_expr(ad.adbin, ad.adrelid) end,
                    'comment', pg_catalog.col_description(a.attrelid, a.attnum),
                    -- Only a collation other than the type's own is a property of the column.
                    'collation', case when a.attcollation <> t.typcollation then (
                        select cn.nspname || '.' || co.collname
                        from pg_catalog.pg_collation co
                        join pg_catalog.pg_namespace cn on cn.oid = co.collnamespace
                        where co.oid = a.attcollation) end,
                    'grants', (
                        select json_object_agg(g.grantee, g.privileges)
                        from (
                            select case when x.grantee = 0 then 'PUBLIC'
                                        else pg_catalog.pg_get_userbyid(x.grantee) end
                                       as grantee,
                                   json_agg(distinct x.privilege_type
                                            order by x.privilege_type) as privileges
                            from aclexplode(a.attacl) x
                            where x.grantee <> c.relowner
                            group by 1
                        ) g
                    ))
                    order by a.attnum), '[]'::json)
                from pg_catalog.pg_attribute a
                join pg_catalog.pg_type t on t.oid = a.atttypid
                left join pg_catalog.pg_attrdef ad
                  on ad.adrelid = a.attrelid and ad.adnum = a.attnum
                where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
            ),
            'constraints', (
                select coalesce(json_agg(json_build_object(
                    'name', k.conname,
                    'type', k.contype,
                    'columns', (
                        select json_agg(a.attname order by u.ord)
                        from unnest(k.conkey) with ordinality u(attnum, ord)
                        join pg_catalog.pg_attribute a
                          on a.attrelid = k.conrelid and a.attnum = u.attnum
                    ),
                    'ref', case when k.contype = 'f' then (
                        select rn.nspname || '.' || rc.relname
                        from pg_catalog.pg_class rc
                        join pg_catalog.pg_namespace rn on rn.oid = rc.relnamespace
                        where rc.oid = k.confrelid) end,
                    'ref_columns', (
                        select json_agg(a.attname order by u.ord)
                        from unnest(k.confkey) with ordinality u(attnum, ord)
                        join pg_catalog.pg_attribute a
                          on a.attrelid = k.confrelid and a.attnum = u.attnum
                    ),
                    'on_delete', nullif(k.confdeltype, ' '),
                    'on_update', nullif(k.confupdtype, ' '),
                    'def', pg_catalog.pg_get_constraintdef(k.oid))
                    order by k.contype, k.conname), '[]'::json)
                from pg_catalog.pg_constraint k
                -- Inherited copies are the parent's: judged there.
                where k.conrelid = c.oid and k.contype in ('p', 'u', 'f', 'c', 'x')
                  and (k.conislocal or c.relispartition is false)
            ),
            'indexes', (
                select coalesce(json_agg(json_build_object(
                    'name', ic.relname,
                    'unique', i.indisunique,
                    'def', pg_catalog.pg_get_indexdef(i.indexrelid),
                    'columns', (
                        select json_agg(coalesce(a.attname, '(expression)') order by u.ord)
                        from unnest(i.indkey::int2[]) with ordinality u(attnum, ord)
                        left join pg_catalog.pg_attribute a
                          on a.attrelid = i.indrelid and a.attnum = u.attnum
                        where u.ord <= i.indnkeyatts
                    )) order by ic.relname), '[]'::json)
                from pg_catalog.pg_index i
                join pg_catalog.pg_class ic on ic.oid = i.indexrelid
                -- Indexes behind a constraint are judged as the constraint.
                where i.indrelid = c.oid
                  and not exists (select from pg_catalog.pg_constraint k
                                  where k.conindid = i.indexrelid and k.conrelid = c.oid)
            ),
            'policies', (
                select coalesce(json_agg(json_build_object(
                    'name', p.polname,
                    'command', p.polcmd,
                    'permissive', p.polpermissive,
                    'roles', (
                        select json_agg(case when r = 0 then 'public' else
                            (select rolname from pg_catalog.pg_roles where oid = r) end
                            order by 1)
                        from unnest(p.polroles) r
                    ),
                    'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                    'check', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
                    order by p.polname), '[]'::json)
                from pg_catalog.pg_policy p where p.polrelid = c.oid
            ),
            'triggers', (
                select coalesce(json_agg(json_build_object(
                    'name', t.tgname,
                    'enabled', t.tgenabled,
                    'def', pg_catalog.pg_get_triggerdef(t.oid)) order by t.tgname), '[]'::json)
                from pg_catalog.pg_trigger t
                where t.tgrelid = c.oid and not t.tgisinternal
            ),
            'grants', (
                select coalesce(json_object_agg(g.grantee, g.privileges), '{{}}'::json)
                from (
                    select case when x.grantee = 0 then 'PUBLIC'
                                else pg_catalog.pg_get_userbyid(x.grantee) end as grantee,
                           json_agg(distinct x.privilege_type order by x.privilege_type)
                               as privileges
                    from aclexplode(coalesce(c.relacl, pg_catalog.acldefault('r', c.relowner))) x
                    where x.grantee <> c.relowner
                    group by 1
                ) g
            )
        )), '{{}}'::json)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p', 'v', 'm', 'f')
          and n.nspname <> all({managed}) and n.nspname !~ '^pg_'
          and not exists (select from pg_catalog.pg_depend d
                          where d.classid = 'pg_catalog.pg_class'::regclass
                            and d.objid = c.oid and d.deptype = 'e')
    ),
    'functions', (
        select coalesce(json_object_agg(
            n.nspname || '.' || p.proname || '(' ||
                pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
            json_build_object(
                'def', pg_catalog.pg_get_functiondef(p.oid),
                'body', p.prosrc,
                'security_definer', p.prosecdef,
                'volatility', p.provolatile,
                'strict', p.proisstrict,
                'leakproof', p.proleakproof,
                'parallel', p.proparallel,
                'cost', p.procost,
                'rows', p.prorows,
                'comment', pg_catalog.obj_description(p.oid, 'pg_proc'),
                'config', (select json_agg(o order by o) from unnest(p.proconfig) o),
                'owner', pg_catalog.pg_get_userbyid(p.proowner),
                'kind', p.prokind,
                'grants', (
                    select coalesce(json_agg(distinct r.rolname order by r.rolname), '[]'::json)
                    from aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) x
                    join pg_catalog.pg_roles r on r.oid = x.grantee
                    where r.rolname in ('anon', 'authenticated', 'service_role')
                ),
                'executors', (
                    select coalesce(json_agg(distinct g order by g), '[]'::json)
                    from (select case when x.grantee = 0 then 'PUBLIC'
                                      else pg_catalog.pg_get_userbyid(x.grantee) end as g
                          from aclexplode(coalesce(p.proacl,
                                                   pg_catalog.acldefault('f', p.proowner))) x
                          where x.grantee <> p.proowner) e
                ))), '{{}}'::json)
        from pg_catalog.pg_proc p
        join pg_catalog.pg_namespace n on n.oid = p.pronamespace
        where p.prokind in ('f', 'p')
          and n.nspname <> all({managed}) and n.nspname !~ '^pg_'
          and not exists (select from pg_catalog.pg_depend d
                          where d.classid = 'pg_catalog.pg_proc'::regclass
                            and d.objid = p.oid and d.deptype = 'e')
    ),
    'sequences', (
        select coalesce(json_object_agg(n.nspname || '.' || c.relname, json_build_object(
            'owner', pg_catalog.pg_get_userbyid(c.relowner),
            'type', pg_catalog.format_type(s.seqtypid, null),
            -- An identity column's sequence: its owner and OWNED BY are the column's.
            'identity', exists (select from pg_catalog.pg_depend d
                                where d.classid = 'pg_catalog.pg_class'::regclass
                                  and d.objid = c.oid and d.deptype = 'i'),
            'increment', s.seqincrement, 'start', s.seqstart, 'min', s.seqmin,
            'max', s.seqmax, 'cache', s.seqcache, 'cycle', s.seqcycle,
            'owned_by', (
                select tn.nspname || '.' || tc.relname || '.' || a.attname
                from pg_catalog.pg_depend d
                join pg_catalog.pg_class tc on tc.oid = d.refobjid
                join pg_catalog.pg_namespace tn on tn.oid = tc.relnamespace
                join pg_catalog.pg_attribute a
                  on a.attrelid = d.refobjid and a.attnum = d.refobjsubid
                where d.classid = 'pg_catalog.pg_class'::regclass and d.objid = c.oid
                  and d.refclassid = 'pg_catalog.pg_class'::regclass and d.deptype = 'a'
                limit 1),
            'grants', (
                select coalesce(json_object_agg(g.grantee, g.privileges), '{{}}'::json)
                from (
                    select case when x.grantee = 0 then 'PUBLIC'
                                else pg_catalog.pg_get_userbyid(x.grantee) end as grantee,
                           json_agg(distinct x.privilege_type order by x.privilege_type)
                               as privileges
                    from aclexplode(coalesce(c.relacl,
                                             pg_catalog.acldefault('s', c.relowner))) x
                    where x.grantee <> c.relowner
                    group by 1
                ) g
            ))), '{{}}'::json)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        join pg_catalog.pg_sequence s on s.seqrelid = c.oid
        where c.relkind = 'S'
          and n.nspname <> all({managed}) and n.nspname !~ '^pg_'
          and not exists (select from pg_catalog.pg_depend d
                          where d.classid = 'pg_catalog.pg_class'::regclass
                            and d.objid = c.oid and d.deptype = 'e')
    ),
    'managed_tables', (
        select coalesce(json_object_agg(n.nspname || '.' || c.relname, json_build_object(
            'policies', (
                select coalesce(json_agg(json_build_object(
                    'name', p.polname,
                    'command', p.polcmd,
                    'permissive', p.polpermissive,
                    'roles', (
                        select json_agg(case when r = 0 then 'public' else
                            (select rolname from pg_catalog.pg_roles where oid = r) end
                            order by 1)
                        from unnest(p.polroles) r
                    ),
                    'using', pg_catalog.pg_get_expr(p.polqual, p.polrelid),
                    'check', pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid))
                    order by p.polname), '[]'::json)
                from pg_catalog.pg_policy p where p.polrelid = c.oid
            ),
            'triggers', (
                select coalesce(json_agg(json_build_object(
                    'name', t.tgname,
                    'enabled', t.tgenabled,
                    'def', pg_catalog.pg_get_triggerdef(t.oid)) order by t.tgname), '[]'::json)
                from pg_catalog.pg_trigger t
                where t.tgrelid = c.oid and not t.tgisinternal
            ))), '{{}}'::json)
        from pg_catalog.pg_class c
        join pg_catalog.pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and n.nspname in ('auth', 'storage', 'realtime')
          and (exists (select from pg_catalog.pg_policy p where p.polrelid = c.oid)
               or exists (select from pg_catalog.pg_trigger t
                          where t.tgrelid = c.oid and not t.tgisinternal))
    ),
    'types', (
        select coalesce(json_object_agg(n.nspname || '.' || t.typname, json_build_object(
            'kind', t.typtype,
            'labels', case when t.typtype = 'e' then (
                select json_agg(e.enumlabel order by e.enumsortorder)
                from pg_catalog.pg_enum e where e.enumtypid = t.oid) end,
            'base', case when t.typtype = 'd' then
                pg_catalog.format_type(t.typbasetype, t.typtypmod) end,
            'owner', pg_catalog.pg_get_userbyid(t.typowner)
        )), '{{}}'::json)
        from pg_catalog.pg_type t
        join pg_catalog.pg_namespace n on n.oid = t.typnamespace
        where t.typtype in ('e', 'd')
          and n.nspname <> all({managed}) and n.nspname !~ '^pg_'
          and not exists (select from pg_catalog.pg_depend d
                          where d.classid = 'pg_catalog.pg_type'::regclass
                            and d.objid = t.oid and d.deptype = 'e')
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
