-- Undo 20261203090000_agent_owners.sql, newest object first.
drop view if exists public.agent_open_tasks;
drop policy if exists "Owners read their agent tasks" on public.agent_tasks;
revoke select on public.agent_tasks from authenticated;
drop trigger if exists agent_tasks_touch on public.agent_tasks;
drop function if exists public.agent_tasks_touch();
alter table public.agent_tasks rename column deadline_at to due_at;
drop index if exists public.agent_tasks_created_by_idx;
alter table public.agent_tasks drop column if exists created_by;
