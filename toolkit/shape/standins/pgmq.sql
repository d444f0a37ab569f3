-- Stand-in for pgmq (exists only on Supabase's image): schema pgmq with pgmq.create (which
-- makes the queue's tables pgmq.q_<name> and pgmq.a_<name> and adds them to the extension, as
-- pgmq does, so they are never judged as the project's), send, read, pop, archive, delete,
-- drop_queue, purge_queue and the message_record type.
create schema pgmq;
create table pgmq.meta (
  queue_name varchar unique not null,
  is_partitioned boolean not null default false,
  is_unlogged boolean not null default false,
  created_at timestamptz not null default now()
);
create type pgmq.message_record as (
  msg_id bigint, read_ct integer, enqueued_at timestamptz, vt timestamptz, message jsonb);
create function pgmq.create(queue_name text) returns void
  language plpgsql volatile security definer set search_path = ''
  as $$
  begin
    execute format('create table if not exists pgmq.%I (msg_id bigint primary key generated '
                   'always as identity, read_ct integer not null default 0, enqueued_at '
                   'timestamptz not null default now(), vt timestamptz not null, message jsonb)',
                   'q_' || queue_name);
    execute format('create table if not exists pgmq.%I (msg_id bigint primary key, read_ct '
                   'integer not null default 0, enqueued_at timestamptz not null default '
                   'now(), archived_at timestamptz not null default now(), vt timestamptz not '
                   'null, message jsonb)', 'a_' || queue_name);
    if not exists (select from pg_catalog.pg_depend d
                   where d.objid = format('pgmq.%I', 'q_' || queue_name)::regclass
                     and d.deptype = 'e') then
      execute format('alter extension pgmq add table pgmq.%I', 'q_' || queue_name);
      execute format('alter extension pgmq add table pgmq.%I', 'a_' || queue_name);
    end if;
    insert into pgmq.meta (queue_name) values (queue_name) on conflict do nothing;
  end
  $$;
create function pgmq.create_unlogged(queue_name text) returns void
  language sql volatile security definer set search_path = ''
  as $$ select pgmq.create(queue_name) $$;
create function pgmq.send(queue_name text, msg jsonb, delay integer default 0)
  returns setof bigint language plpgsql volatile security definer set search_path = ''
  as $$
  begin
    return query execute format('insert into pgmq.%I (vt, message) values (now() + '
                                'make_interval(secs => $1), $2) returning msg_id',
                                'q_' || queue_name) using delay, msg;
  end
  $$;
create function pgmq.send_batch(queue_name text, msgs jsonb[], delay integer default 0)
  returns setof bigint language plpgsql volatile security definer set search_path = ''
  as $$
  begin
    return query execute format('insert into pgmq.%I (vt, message) select now() + '
                                'make_interval(secs => $1), unnest($2) returning msg_id',
                                'q_' || queue_name) using delay, msgs;
  end
  $$;
create function pgmq.read(queue_name text, vt integer, qty integer)
  returns setof pgmq.message_record language plpgsql volatile security definer
  set search_path = ''
  as $$
  begin
    return query execute format('select msg_id, read_ct, enqueued_at, vt, message from '
                                'pgmq.%I order by msg_id limit $1', 'q_' || queue_name)
                 using qty;
  end
  $$;
create function pgmq.pop(queue_name text) returns setof pgmq.message_record
  language plpgsql volatile security definer set search_path = ''
  as $$
  begin
    return query execute format('delete from pgmq.%I where msg_id = (select min(msg_id) '
                                'from pgmq.%I) returning msg_id, read_ct, enqueued_at, vt, '
                                'message', 'q_' || queue_name, 'q_' || queue_name);
  end
  $$;
create function pgmq.delete(queue_name text, msg_id bigint) returns boolean
  language plpgsql volatile security definer set search_path = ''
  as $$
  declare
    n integer;
  begin
    execute format('delete from pgmq.%I where msg_id = $1', 'q_' || queue_name) using msg_id;
    get diagnostics n = row_count;
    return n > 0;
  end
  $$;
create function pgmq.archive(queue_name text, msg_id bigint) returns boolean
  language sql volatile security definer set search_path = ''
  as $$ select pgmq.delete(queue_name, msg_id) $$;
create function pgmq.purge_queue(queue_name text) returns bigint
  language plpgsql volatile security definer set search_path = ''
  as $$
  declare
    n bigint;
  begin
    execute format('delete from pgmq.%I', 'q_' || queue_name);
    get diagnostics n = row_count;
    return n;
  end
  $$;
create function pgmq.drop_queue(queue_name text) returns boolean
  language plpgsql volatile security definer set search_path = ''
  as $$
  begin
    execute format('drop table if exists pgmq.%I, pgmq.%I', 'q_' || queue_name,
                   'a_' || queue_name);
    delete from pgmq.meta m where m.queue_name = drop_queue.queue_name;
    return true;
  end
  $$;
grant usage on schema pgmq to postgres, service_role;
grant all on all tables in schema pgmq to postgres;
grant execute on all functions in schema pgmq to postgres, service_role;
