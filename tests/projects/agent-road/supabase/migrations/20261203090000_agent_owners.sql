-- The agent tables meet Supabase Auth: tasks get an owner, approvals name who decided, and
-- owners can read their own tasks through the API.

-- Who asked for the task; a deleted user leaves the task without an owner.
alter table public.agent_tasks
  add column created_by uuid references auth.users (id) on delete set null;
create index agent_tasks_created_by_idx on public.agent_tasks (created_by);

-- "due_at" reads as a deadline everywhere else in the app.
alter table public.agent_tasks rename column due_at to deadline_at;

-- Keep updated_at honest on every update.
create function public.agent_tasks_touch()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

create trigger agent_tasks_touch
  before update on public.agent_tasks
  for each row execute function public.agent_tasks_touch();

create policy "Owners read their agent tasks" on public.agent_tasks
  for select to authenticated
  using (created_by = (select auth.uid()));

grant select on public.agent_tasks to authenticated;

-- Open work per agent, for the dashboard; security_invoker keeps RLS in force.
create view public.agent_open_tasks with (security_invoker = on) as
  select t.agent_id, t.id as task_id, t.title, t.priority, t.deadline_at, t.created_by
  from public.agent_tasks t
  where t.status in ('pending', 'in_progress', 'blocked');

grant select on public.agent_open_tasks to service_role;
