-- What hosted Supabase lets its non-superuser postgres do that plain PostgreSQL reserves to a
-- superuser: own the project's database, set PostgREST's role settings, create the extensions
-- Supabase offers. Run once per database, by a superuser, after database.sql (a shadow server
-- named by URL without a superuser skips it: what it refuses then is a named limit).

-- postgres owns its project's database (supabase/postgres migrations/db/migrate.sh:
-- `alter database postgres owner to postgres`), hence schema public (pg_database_owner), so
-- `comment on schema public` and `create schema` work as they do on hosted projects.
do $shape$
begin
  execute format('alter database %I owner to postgres', current_database());
end
$shape$;

-- Settings postgres may set on roles and sessions: supautils.privileged_role_allowed_configs
-- (supabase/postgres ansible/files/postgresql_config/supautils.conf.j2), which allows pgrst.*
-- whole; PostgreSQL grants parameters one by one, so these are the settings PostgREST reads
-- from the database (PostgREST docs, "In-database configuration"). Cluster-wide, idempotent.
grant set on parameter
  "pgrst.db_aggregates_enabled", "pgrst.db_anon_role", "pgrst.db_extra_search_path",
  "pgrst.db_hoisted_tx_settings", "pgrst.db_max_rows", "pgrst.db_plan_enabled",
  "pgrst.db_pre_config", "pgrst.db_pre_request", "pgrst.db_prepared_statements",
  "pgrst.db_root_spec", "pgrst.db_schemas", "pgrst.db_tx_end", "pgrst.jwt_aud",
  "pgrst.jwt_cache_max_lifetime", "pgrst.jwt_role_claim_key", "pgrst.jwt_secret",
  "pgrst.jwt_secret_is_base64", "pgrst.openapi_mode", "pgrst.openapi_security_active",
  "pgrst.openapi_server_proxy_uri", "pgrst.server_cors_allowed_origins",
  "pgrst.server_timing_enabled", "pgrst.server_trace_header",
  "auto_explain.log_min_duration", "auto_explain.log_nested_statements", "log_lock_waits",
  "log_min_messages", "pg_net.batch_size", "pg_net.ttl", "session_replication_role",
  "track_io_timing"
  to postgres;

-- Extensions postgres may create: supautils.privileged_extensions (supautils.conf.j2), which
-- supautils creates on postgres's behalf as supautils.privileged_extensions_superuser; anything
-- else only when PostgreSQL itself marks it trusted. The shadow does the same with a pair of
-- event triggers: postgres is a superuser for the one CREATE EXTENSION statement, and an
-- extension outside both lists is refused as hosted refuses it (42501, same words).
-- The helpers live in extensions, a schema Supabase manages (as its own event-trigger
-- functions do, e.g. extensions.grant_pg_net_access), so no project object is added.
-- Who runs the statement: the SET ROLE in force, else the session's user (inside a SECURITY
-- DEFINER function current_user is the function's owner).
create or replace function extensions.supabase_shape_elevate() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
begin
  if coalesce(nullif(current_setting('role'), 'none'), session_user::text) = 'postgres'
     and not (select rolsuper from pg_catalog.pg_roles where rolname = 'postgres') then
    perform pg_catalog.set_config('supabase_shape.elevated', 'on', true);
    alter role postgres superuser;
  end if;
end
$$;

create or replace function extensions.supabase_shape_demote() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
declare
  created record;
  -- supautils.privileged_extensions, as supautils.conf.j2 lists it.
  privileged constant text[] := string_to_array(replace(
    'address_standardizer, address_standardizer_data_us, autoinc, bloom, btree_gin, btree_gist, '
    'citext, cube, dblink, dict_int, dict_xsyn, earthdistance, fuzzystrmatch, hstore, http, '
    'hypopg, index_advisor, insert_username, intarray, isn, ltree, moddatetime, orioledb, '
    'pg_cron, pg_graphql, pg_hashids, pg_jsonschema, pg_net, pg_partman, pg_repack, '
    'pg_stat_monitor, pg_stat_statements, pg_tle, pg_trgm, pg_walinspect, pgaudit, pgcrypto, '
    'pgjwt, pg_prewarm, pgmq, pgroonga, pgroonga_database, pgrouting, pgrowlocks, pgsodium, '
    'pgstattuple, pgtap, plcoffee, pljava, plls, plpgsql, plpgsql_check, plv8, postgis, '
    'postgis_raster, postgis_sfcgal, postgis_tiger_geocoder, postgis_topology, postgres_fdw, '
    'refint, rum, seg, sslinfo, supabase_vault, supautils, tablefunc, tcn, timescaledb, '
    'tsm_system_rows, tsm_system_time, unaccent, uuid-ossp, vector, wrappers', ' ', ''), ',');
begin
  if coalesce(current_setting('supabase_shape.elevated', true), '') <> 'on' then
    return;
  end if;
  perform pg_catalog.set_config('supabase_shape.elevated', '', true);
  alter role postgres nosuperuser;
  for created in
    select e.extname
    from pg_catalog.pg_event_trigger_ddl_commands() c
    join pg_catalog.pg_extension e on e.oid = c.objid
    where c.classid = 'pg_catalog.pg_extension'::regclass
  loop
    if created.extname <> all(privileged)
       and not exists (select from pg_catalog.pg_available_extension_versions v
                       where v.name = created.extname and v.trusted) then
      raise exception 'permission denied to create extension "%"', created.extname
        using errcode = '42501', hint = 'Must be superuser to create this extension.';
    end if;
  end loop;
end
$$;

revoke all on function extensions.supabase_shape_elevate() from public;
revoke all on function extensions.supabase_shape_demote() from public;

drop event trigger if exists supabase_shape_extension_start;
drop event trigger if exists supabase_shape_extension_end;
create event trigger supabase_shape_extension_start on ddl_command_start
  when tag in ('CREATE EXTENSION') execute function extensions.supabase_shape_elevate();
create event trigger supabase_shape_extension_end on ddl_command_end
  when tag in ('CREATE EXTENSION') execute function extensions.supabase_shape_demote();
-- Also under session_replication_role = replica, which postgres may set.
alter event trigger supabase_shape_extension_start enable always;
alter event trigger supabase_shape_extension_end enable always;

-- Policies postgres may add to tables it does not own: supautils.policy_grants
-- (supautils.conf.j2) names them. The auth and storage ones postgres reaches through its
-- membership in their owners (roles.sql); realtime.messages it does not, so CREATE and ALTER
-- POLICY run with postgres a superuser for the statement, and a policy on a table that is
-- neither postgres's (through membership) nor in that list is refused as PostgreSQL refuses it.
-- The statement starts as CREATE EXTENSION's does: extensions.supabase_shape_elevate() above.
create or replace function extensions.supabase_shape_policy_demote() returns event_trigger
language plpgsql security definer set search_path = ''
as $$
declare
  target record;
  granted constant text[] := array[
    'auth.audit_log_entries', 'auth.identities', 'auth.refresh_tokens', 'auth.sessions',
    'auth.users', 'realtime.messages', 'storage.buckets', 'storage.migrations',
    'storage.objects', 'storage.s3_multipart_uploads', 'storage.s3_multipart_uploads_parts'];
begin
  if coalesce(current_setting('supabase_shape.elevated', true), '') <> 'on' then
    return;
  end if;
  perform pg_catalog.set_config('supabase_shape.elevated', '', true);
  alter role postgres nosuperuser;
  for target in
    select c.relname, n.nspname, c.relowner
    from pg_catalog.pg_event_trigger_ddl_commands() d
    join pg_catalog.pg_policy p on p.oid = d.objid
    join pg_catalog.pg_class c on c.oid = p.polrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where d.classid = 'pg_catalog.pg_policy'::regclass
  loop
    if not pg_catalog.pg_has_role('postgres', target.relowner, 'usage')
       and (target.nspname || '.' || target.relname) <> all(granted) then
      raise exception 'must be owner of table %', target.relname using errcode = '42501';
    end if;
  end loop;
end
$$;

revoke all on function extensions.supabase_shape_policy_demote() from public;

drop event trigger if exists supabase_shape_policy_start;
drop event trigger if exists supabase_shape_policy_end;
create event trigger supabase_shape_policy_start on ddl_command_start
  when tag in ('CREATE POLICY', 'ALTER POLICY')
  execute function extensions.supabase_shape_elevate();
create event trigger supabase_shape_policy_end on ddl_command_end
  when tag in ('CREATE POLICY', 'ALTER POLICY')
  execute function extensions.supabase_shape_policy_demote();
alter event trigger supabase_shape_policy_start enable always;
alter event trigger supabase_shape_policy_end enable always;
