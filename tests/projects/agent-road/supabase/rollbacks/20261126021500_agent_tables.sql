-- Rollback of 20261126021500_agent_tables.sql: the seed's plan, in reverse order of creation.
-- `agents` is never touched. toolkit runs this in one transaction with the history delete,
-- and refuses while any of these tables holds rows unless --force is given.
drop table if exists public.agent_metrics;
drop table if exists public.approval_history;
drop table if exists public.approvals_queue;
drop table if exists public.agent_analytics;
drop table if exists public.agent_logs;
drop table if exists public.agent_permissions;
drop table if exists public.agent_tools;
drop table if exists public.agent_conversations;
drop table if exists public.agent_status;
drop table if exists public.agent_tasks;
drop table if exists public.agent_profiles;
