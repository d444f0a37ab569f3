create table tenancy.accounts (
  id uuid primary key default extensions.uuid_generate_v4(),
  slug text not null unique,
  name text not null,
  owner_id uuid not null default auth.uid() references auth.users (id),
  created_at timestamptz not null default now(),
  constraint accounts_slug_format check (slug ~ '^[a-z0-9-]+$')
);
create index accounts_owner_id_idx on tenancy.accounts (owner_id);

create table tenancy.memberships (
  account_id uuid not null references tenancy.accounts (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role tenancy.member_role not null default 'member',
  created_at timestamptz not null default now(),
  primary key (account_id, user_id)
);
create index memberships_user_id_idx on tenancy.memberships (user_id);

-- SECURITY DEFINER so policies can ask about memberships without recursing into the
-- memberships policies themselves.
create function private.is_member(account uuid)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from tenancy.memberships m
    where m.account_id = account and m.user_id = (select auth.uid())
  );
$$;

create function private.has_role(account uuid, wanted tenancy.member_role)
returns boolean
language sql
stable
security definer
set search_path = ''
as $$
  select exists (
    select 1 from tenancy.memberships m
    where m.account_id = account
      and m.user_id = (select auth.uid())
      and m.role <= wanted
  );
$$;

grant usage on schema private to authenticated;
grant execute on function private.is_member(uuid) to authenticated;
grant execute on function private.has_role(uuid, tenancy.member_role) to authenticated;

alter table tenancy.accounts enable row level security;
alter table tenancy.memberships enable row level security;

create policy accounts_read on tenancy.accounts
  for select to authenticated
  using (private.is_member(id));
create policy accounts_update on tenancy.accounts
  for update to authenticated
  using (private.has_role(id, 'admin'));
create policy memberships_read on tenancy.memberships
  for select to authenticated
  using (private.is_member(account_id));

grant select, insert, update, delete on tenancy.accounts, tenancy.memberships
  to authenticated, service_role;

-- The creator of an account becomes its owner.
create function private.add_owner_membership()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into tenancy.memberships (account_id, user_id, role)
  values (new.id, new.owner_id, 'owner');
  return new;
end;
$$;

create trigger accounts_add_owner
  after insert on tenancy.accounts
  for each row execute function private.add_owner_membership();
