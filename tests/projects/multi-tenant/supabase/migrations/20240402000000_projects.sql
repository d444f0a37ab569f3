create table tenancy.projects (
  id bigint generated always as identity primary key,
  account_id uuid not null references tenancy.accounts (id) on delete cascade,
  name text not null,
  archived boolean not null default false,
  created_at timestamptz not null default now(),
  unique (account_id, name)
);

alter table tenancy.projects enable row level security;

create policy projects_member_access on tenancy.projects
  for all to authenticated
  using (private.is_member(account_id))
  with check (private.has_role(account_id, 'admin'));

grant select, insert, update, delete on tenancy.projects to authenticated, service_role;
