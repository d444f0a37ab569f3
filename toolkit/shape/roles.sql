-- Cluster-wide roles of a hosted Supabase project. Idempotent (each role is created only when
-- missing, and a concurrent run creating it first is not an error): it may run on a server the
-- user points us at, where some of these roles already exist and must be left as they are.
do $shape$
declare
  spec record;
begin
  for spec in
    select * from (values
      -- The API roles PostgREST switches to from the JWT `role` claim; reachable only
      -- through authenticator.
      ('anon', 'nologin noinherit'),
      ('authenticated', 'nologin noinherit'),
      ('service_role', 'nologin noinherit bypassrls'),
      -- PostgREST logs in as authenticator; NOINHERIT: no rights until it SET ROLEs.
      ('authenticator', 'login noinherit'),
      -- The platform's own roles: owners of auth and storage.
      ('supabase_admin', 'login createrole createdb replication bypassrls'),
      ('supabase_auth_admin', 'login noinherit createrole'),
      ('supabase_storage_admin', 'login noinherit createrole'),
      -- As on hosted Supabase, postgres is powerful but NOT a superuser (a server that already
      -- has a postgres role keeps it as it is).
      ('postgres', 'login createdb createrole replication bypassrls')
    ) as r(name, attributes)
  loop
    if not exists (select 1 from pg_roles where rolname = spec.name) then
      begin
        execute format('create role %I %s', spec.name, spec.attributes);
      exception when duplicate_object or unique_violation then
        null;  -- created meanwhile by a concurrent run
      end;
    end if;
  end loop;
end
$shape$;

-- Memberships and per-role settings, each only when missing, so that a role that may not
-- grant them (no admin option) still passes on a server where they are already in place.
do $shape$
declare
  spec record;
begin
  for spec in
    select * from (values
      ('anon', 'authenticator'), ('authenticated', 'authenticator'),
      ('service_role', 'authenticator'),
      ('anon', 'postgres'), ('authenticated', 'postgres'), ('service_role', 'postgres'),
      -- Hosted grants these so that postgres can add triggers on auth.users and policies on
      -- storage.objects (supabase/postgres migration 20220609081115).
      ('supabase_auth_admin', 'postgres'), ('supabase_storage_admin', 'postgres')
    ) as m(granted, member)
  loop
    if not exists (
      select 1 from pg_auth_members a
      where a.roleid = spec.granted::regrole and a.member = spec.member::regrole
    ) then
      execute format('grant %I to %I', spec.granted, spec.member);
    end if;
  end loop;

  -- Supabase's per-role timeouts for API traffic.
  for spec in
    select * from (values ('anon', '3s'), ('authenticated', '8s'), ('authenticator', '8s'))
      as t(name, timeout)
  loop
    if not exists (
      select 1 from pg_db_role_setting s
      where s.setrole = spec.name::regrole and s.setdatabase = 0
        and s.setconfig::text like '%statement_timeout%'
    ) then
      execute format('alter role %I set statement_timeout = %L', spec.name, spec.timeout);
    end if;
  end loop;
end
$shape$;
