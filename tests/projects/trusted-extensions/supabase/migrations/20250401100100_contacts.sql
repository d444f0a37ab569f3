create table public.contacts (
  id bigint generated always as identity primary key,
  email extensions.citext not null unique,
  full_name text not null,
  notes text,
  updated_at timestamptz not null default now()
);
alter table public.contacts enable row level security;

-- Fuzzy search on names.
create index contacts_full_name_trgm on public.contacts
  using gin (full_name extensions.gin_trgm_ops);

-- updated_at kept by the moddatetime trigger.
create trigger contacts_updated_at before update on public.contacts
  for each row execute procedure extensions.moddatetime (updated_at);

create policy "service reads contacts" on public.contacts for select to service_role
  using (true);
