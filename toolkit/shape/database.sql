-- Per-database shape of a hosted Supabase project: the schemas, tables and helpers that
-- migrations reference but never create (auth.users, storage.objects, extensions...), with
-- hosted ownership and grants. Run once, by a superuser, in a fresh database, after roles.sql.

-- Extensions live in their own schema, so uuid_generate_v4() is extensions.uuid_generate_v4().
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant execute on all functions in schema extensions to postgres, anon, authenticated, service_role;
-- Hosted postgres may create in extensions (`create extension ... with schema extensions`) and
-- has every right on what is there, also on what the platform adds later (supabase/postgres:
-- migrations/db/migrations/10000000000000_demote-postgres.sql, GRANT ALL ON SCHEMA extensions;
-- 20230224042246_grant_extensions_perms_for_postgres.sql).
grant all on schema extensions to postgres;
grant all on all tables in schema extensions to postgres with grant option;
grant all on all routines in schema extensions to postgres with grant option;
grant all on all sequences in schema extensions to postgres with grant option;
alter default privileges in schema extensions grant all on tables to postgres with grant option;
alter default privileges in schema extensions grant all on routines to postgres with grant option;
alter default privileges in schema extensions grant all on sequences to postgres with grant option;

create schema if not exists graphql_public;
grant usage on schema graphql_public to postgres, anon, authenticated, service_role;

-- auth: GoTrue's schema. Owned by supabase_auth_admin as on hosted projects.
create schema if not exists auth authorization supabase_auth_admin;

create table auth.users (
  instance_id uuid,
  id uuid not null primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  confirmation_sent_at timestamptz,
  recovery_token varchar(255),
  recovery_sent_at timestamptz,
  email_change_token_new varchar(255),
  email_change varchar(255),
  email_change_sent_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz,
  updated_at timestamptz,
  phone text unique default null,
  phone_confirmed_at timestamptz,
  phone_change text default '',
  phone_change_token varchar(255) default '',
  phone_change_sent_at timestamptz,
  confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at))
    stored,
  email_change_token_current varchar(255) default '',
  email_change_confirm_status smallint default 0
    check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
  banned_until timestamptz,
  reauthentication_token varchar(255) default '',
  reauthentication_sent_at timestamptz,
  is_sso_user boolean not null default false,
  deleted_at timestamptz,
  is_anonymous boolean not null default false
);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';
create index users_instance_id_idx on auth.users (instance_id);
create index users_is_anonymous_idx on auth.users (is_anonymous);
alter table auth.users enable row level security;
alter table auth.users owner to supabase_auth_admin;

-- The JWT helpers RLS policies call; they read the claims PostgREST puts into
-- request.jwt.claims (and the older per-claim settings).
create or replace function auth.jwt() returns jsonb
language sql stable
set search_path = ''
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

create or replace function auth.uid() returns uuid
language sql stable
set search_path = ''
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable
set search_path = ''
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable
set search_path = ''
as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

alter function auth.jwt() owner to supabase_auth_admin;
alter function auth.uid() owner to supabase_auth_admin;
alter function auth.role() owner to supabase_auth_admin;
alter function auth.email() owner to supabase_auth_admin;

-- Hosted grants: the API roles may use the schema and call the helpers; postgres has every
-- table privilege (REFERENCES for foreign keys to auth.users, TRIGGER for signup triggers).
grant usage on schema auth to postgres, anon, authenticated, service_role;
grant all on all tables in schema auth to postgres, service_role with grant option;
-- supabase/postgres 10000000000000_demote-postgres.sql: GRANT ALL ON SCHEMA auth, and on its
-- sequences and routines, TO postgres (what auth's owner alone may do still needs ownership).
grant all on schema auth to postgres;
grant all on all sequences in schema auth to postgres;
grant all on all routines in schema auth to postgres;
grant execute on all functions in schema auth to postgres, anon, authenticated, service_role;

-- storage: the Storage API's schema, owned by supabase_storage_admin.
create schema if not exists storage authorization supabase_storage_admin;

create table storage.buckets (
  id text not null primary key,
  name text not null,
  owner uuid,
  owner_id text,
  public boolean default false,
  avif_autodetection boolean default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz default now(),
  updated_at timestamptz default now()
);
create unique index bname on storage.buckets using btree (name);

create table storage.objects (
  id uuid not null default gen_random_uuid() primary key,
  bucket_id text references storage.buckets (id),
  name text,
  owner uuid,
  owner_id text,
  metadata jsonb,
  user_metadata jsonb,
  path_tokens text[] generated always as (string_to_array(name, '/')) stored,
  version text,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  last_accessed_at timestamptz default now()
);
create unique index bucketid_objname on storage.objects using btree (bucket_id, name);
create index name_prefix_search on storage.objects using btree (name text_pattern_ops);
alter table storage.objects enable row level security;
alter table storage.buckets enable row level security;

-- Path helpers storage policies use: 'a/b/c.png' -> {a,b}, 'c.png', 'png'.
create or replace function storage.foldername(name text) returns text[]
language plpgsql immutable
set search_path = ''
as $$
declare
  parts text[];
begin
  select string_to_array(name, '/') into parts;
  return parts[1:array_length(parts, 1) - 1];
end
$$;

create or replace function storage.filename(name text) returns text
language plpgsql immutable
set search_path = ''
as $$
declare
  parts text[];
begin
  select string_to_array(name, '/') into parts;
  return parts[array_length(parts, 1)];
end
$$;

create or replace function storage.extension(name text) returns text
language plpgsql immutable
set search_path = ''
as $$
declare
  parts text[];
  filename text;
begin
  select string_to_array(name, '/') into parts;
  select parts[array_length(parts, 1)] into filename;
  return reverse(split_part(reverse(filename), '.', 1));
end
$$;

alter table storage.buckets owner to supabase_storage_admin;
alter table storage.objects owner to supabase_storage_admin;
alter function storage.foldername(text) owner to supabase_storage_admin;
alter function storage.filename(text) owner to supabase_storage_admin;
alter function storage.extension(text) owner to supabase_storage_admin;

grant usage on schema storage to postgres, anon, authenticated, service_role;
grant all on storage.buckets, storage.objects to postgres, anon, authenticated, service_role
  with grant option;
grant execute on all functions in schema storage to postgres, anon, authenticated, service_role;
-- demote-postgres.sql: GRANT ALL ON SCHEMA storage (and its sequences, routines) TO postgres.
grant all on schema storage to postgres;
grant all on all sequences in schema storage to postgres;
grant all on all routines in schema storage to postgres;

-- realtime: Realtime's schema, made by the platform (supabase/postgres
-- 20211118015519_create-realtime-schema.sql), with postgres's rights on it and on what the
-- platform creates in it later (20211122051245 and 20211130151719_update-realtime-permissions).
create schema if not exists realtime;
grant usage on schema realtime to postgres;
grant all on all tables in schema realtime to postgres;
grant all on all sequences in schema realtime to postgres;
grant all on all routines in schema realtime to postgres;
alter default privileges for role supabase_admin in schema realtime grant all on tables to postgres;
alter default privileges for role supabase_admin in schema realtime
  grant all on sequences to postgres;
alter default privileges for role supabase_admin in schema realtime
  grant all on routines to postgres;

-- realtime.messages: Realtime's broadcast and presence messages, on which projects write RLS
-- policies for private channels (Supabase docs, "Realtime Authorization"), with the helpers
-- those policies and triggers call. Made by the platform, not by postgres; postgres may add
-- policies to it (supautils.policy_grants, see privileged.sql).
create table realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp without time zone not null default now(),
  inserted_at timestamp without time zone not null default now(),
  id uuid not null default gen_random_uuid(),
  primary key (id, inserted_at)
);
alter table realtime.messages enable row level security;
create or replace function realtime.topic() returns text
language sql stable
as $$ select nullif(current_setting('realtime.topic', true), '')::text $$;
create or replace function realtime.send(payload jsonb, event text, topic text,
    private boolean default true)
returns void
language sql volatile security definer set search_path = ''
as $$
  insert into realtime.messages (payload, event, topic, private, extension)
  values (payload, event, topic, private, 'broadcast')
$$;
grant usage on schema realtime to anon, authenticated, service_role;
grant select, insert, update, delete on realtime.messages to anon, authenticated, service_role;
grant all on realtime.messages to postgres;
grant execute on function realtime.topic() to postgres, anon, authenticated, service_role;
grant execute on function realtime.send(jsonb, text, text, boolean)
  to postgres, anon, authenticated, service_role;
-- Realtime's own subscription table: the platform's alone (no policy grant for postgres).
create table realtime.subscription (
  id bigint generated always as identity primary key,
  subscription_id uuid not null,
  entity regclass not null,
  filters text[] not null default '{}',
  claims jsonb not null,
  created_at timestamp without time zone not null default now()
);

-- postgres may create schemas and publications in its project's database (demote-postgres.sql:
-- GRANT ALL ON DATABASE postgres TO postgres; hosted also makes postgres its owner, see
-- privileged.sql).
do $shape$
begin
  execute format('grant all on database %I to postgres', current_database());
end
$shape$;

-- Realtime listens to this publication; projects add their tables to it (`alter publication
-- supabase_realtime add table ...`, Supabase's documented way). Owned by postgres as on hosted
-- projects: supabase/postgres runs its init scripts, which create it, as postgres
-- (migrations/db/migrate.sh), and `supabase db pull` dumps say
-- ALTER PUBLICATION "supabase_realtime" OWNER TO "postgres".
create publication supabase_realtime;
alter publication supabase_realtime owner to postgres;

-- public: usable by postgres and the API roles.
grant usage on schema public to postgres, anon, authenticated, service_role;
grant all on schema public to postgres;

-- Hosted default privileges: whatever postgres (or the admin) creates in public is exposed to
-- the API roles; RLS is what protects rows.
alter default privileges for role postgres in schema public
  grant all on tables to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on sequences to anon, authenticated, service_role;
alter default privileges for role postgres in schema public
  grant all on functions to anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role supabase_admin in schema public
  grant all on functions to postgres, anon, authenticated, service_role;
