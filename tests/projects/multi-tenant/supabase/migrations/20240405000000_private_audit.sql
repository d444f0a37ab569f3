-- An audit trail nobody reads through the API.
create table private.audit_log (
  id bigint generated always as identity primary key,
  account_id uuid references tenancy.accounts (id) on delete set null,
  actor uuid default auth.uid(),
  action text not null,
  row_data jsonb,
  at timestamptz not null default now()
);
create index audit_log_account_id_idx on private.audit_log (account_id);

create function private.audit_projects()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into private.audit_log (account_id, action, row_data)
  values (coalesce(new.account_id, old.account_id), tg_op, to_jsonb(coalesce(new, old)));
  return coalesce(new, old);
end;
$$;

create trigger projects_audit
  after insert or update or delete on tenancy.projects
  for each row execute function private.audit_projects();
