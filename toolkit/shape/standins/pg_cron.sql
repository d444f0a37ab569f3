-- Stand-in for pg_cron where this server has no real one (postgresql-NN-cron absent, or a
-- database pg_cron does not serve): schema cron with cron.job, cron.job_run_details and
-- cron.schedule/unschedule/alter_job/schedule_in_database by pg_cron's signatures, and the
-- grants Supabase gives postgres (supabase/postgres
-- 20231020085357_revoke_writes_on_cron_job_from_postgres.sql). Nothing is ever run.
create schema cron;
create table cron.job (
  jobid bigserial primary key,
  schedule text not null,
  command text not null,
  nodename text not null default 'localhost',
  nodeport integer not null default 5432,
  database text not null default current_database(),
  username text not null default current_user,
  active boolean not null default true,
  jobname text
);
create unique index jobname_username_uniq on cron.job (jobname, username);
create table cron.job_run_details (
  jobid bigint,
  runid bigserial primary key,
  job_pid integer,
  database text,
  username text,
  command text,
  status text,
  return_message text,
  start_time timestamptz,
  end_time timestamptz
);
create function cron.schedule(job_name text, schedule text, command text) returns bigint
  language sql volatile security definer set search_path = ''
  as $$
    insert into cron.job (jobname, schedule, command, username)
    values (job_name, schedule, command, session_user)
    on conflict (jobname, username) do update set schedule = excluded.schedule,
      command = excluded.command
    returning jobid
  $$;
create function cron.schedule(schedule text, command text) returns bigint
  language sql volatile security definer set search_path = ''
  as $$
    insert into cron.job (schedule, command, username)
    values (schedule, command, session_user) returning jobid
  $$;
create function cron.schedule_in_database(job_name text, schedule text, command text,
    database text, username text default null, active boolean default true)
  returns bigint language sql volatile security definer set search_path = ''
  as $$
    insert into cron.job (jobname, schedule, command, database, username, active)
    values (job_name, schedule, command, database, coalesce(username, session_user), active)
    returning jobid
  $$;
create function cron.unschedule(job_id bigint) returns boolean
  language sql volatile security definer set search_path = ''
  as $$ with gone as (delete from cron.job where jobid = job_id returning 1)
        select exists (select from gone) $$;
create function cron.unschedule(job_name text) returns boolean
  language sql volatile security definer set search_path = ''
  as $$ with gone as (delete from cron.job where jobname = job_name returning 1)
        select exists (select from gone) $$;
create function cron.alter_job(job_id bigint, schedule text default null,
    command text default null, database text default null, username text default null,
    active boolean default null)
  returns void language sql volatile security definer set search_path = ''
  as $$
    update cron.job set schedule = coalesce(alter_job.schedule, job.schedule),
      command = coalesce(alter_job.command, job.command),
      database = coalesce(alter_job.database, job.database),
      username = coalesce(alter_job.username, job.username),
      active = coalesce(alter_job.active, job.active)
    where jobid = job_id
  $$;
grant usage on schema cron to postgres with grant option;
grant all on all tables in schema cron to postgres with grant option;
revoke all on table cron.job from postgres;
grant select on table cron.job to postgres with grant option;
grant execute on all functions in schema cron to postgres with grant option;
