create table tenancy.invitations (
  id uuid primary key default extensions.uuid_generate_v4(),
  account_id uuid not null references tenancy.accounts (id) on delete cascade,
  email text not null,
  role tenancy.member_role not null default 'member',
  token text not null default encode(extensions.gen_random_bytes(16), 'hex'),
  expires_at timestamptz not null default now() + interval '7 days'
);
create index invitations_account_id_idx on tenancy.invitations (account_id);
alter table tenancy.invitations enable row level security;

create policy invitations_admins on tenancy.invitations
  for all to authenticated
  using (private.has_role(account_id, 'admin'))
  with check (private.has_role(account_id, 'admin'));

grant select, insert, delete on tenancy.invitations to authenticated;
grant all on tenancy.invitations to service_role;

-- Archiving became a timestamp.
alter table tenancy.projects add column archived_at timestamptz;
alter table tenancy.projects drop column archived;
