-- Stand-in for pg_net (exists only on Supabase's image): schema net with the functions and
-- tables migrations call (net.http_get/http_post/http_delete queue a request and return its
-- id), with the grants Supabase gives (supabase/postgres init-scripts 00000000000003-post-setup
-- .sql, extensions.grant_pg_net_access). Nothing is ever sent.
create schema net;
create table net.http_request_queue (
  id bigserial primary key,
  method text not null,
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds integer not null
);
create table net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create function net.http_get(url text, params jsonb default '{}'::jsonb,
    headers jsonb default '{}'::jsonb, timeout_milliseconds integer default 5000)
  returns bigint language sql volatile security definer set search_path = net
  as $$
    insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
    values ('GET', url, headers, timeout_milliseconds) returning id
  $$;
create function net.http_post(url text, body jsonb default '{}'::jsonb,
    params jsonb default '{}'::jsonb,
    headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
    timeout_milliseconds integer default 5000)
  returns bigint language sql volatile security definer set search_path = net
  as $$
    insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
    values ('POST', url, headers, convert_to(body::text, 'UTF8'), timeout_milliseconds)
    returning id
  $$;
create function net.http_delete(url text, params jsonb default '{}'::jsonb,
    headers jsonb default '{}'::jsonb, timeout_milliseconds integer default 5000)
  returns bigint language sql volatile security definer set search_path = net
  as $$
    insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
    values ('DELETE', url, headers, timeout_milliseconds) returning id
  $$;
grant usage on schema net to postgres, anon, authenticated, service_role;
revoke all on all functions in schema net from public;
grant execute on all functions in schema net to postgres, anon, authenticated, service_role;
grant all on all tables in schema net to postgres;
