-- The local stack's demo project: the team's pre-existing table, owned by postgres like
-- everything a project creates. Applied by the local stack only, never to a shadow database.
set role postgres;

create table public.agents (
  id uuid primary key default extensions.uuid_generate_v4(),
  name text not null,
  type text,
  status text not null default 'active',
  config jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.agents enable row level security;

insert into public.agents (name, type, status) values
  ('planner', 'llm', 'active'),
  ('indexer', 'worker', 'idle');

reset role;
