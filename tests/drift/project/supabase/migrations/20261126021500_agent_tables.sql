-- Agent system tables: the eleven tables the agent system needs beside the existing `agents`.
--
-- Preconditions (checked by `toolkit apply` before anything runs):
--   * public.agents exists and its `id` is a uuid primary key (only referenced, never altered);
--   * the uuid-ossp extension is installed (in `extensions`, as Supabase does, or in `public`):
--     uuid_generate_v4() is called unqualified so the search_path finds either.
--
-- Safety: every statement is IF NOT EXISTS or idempotent; nothing drops, alters or writes an
-- object or row that existed before. Every table enables row level security with no policy, so
-- neither anon nor authenticated can read a row by accident; service_role (BYPASSRLS) is granted
-- what it needs explicitly, for projects created with auto-expose off. Every foreign key is
-- covered by an index whose leading column is the key.
--
-- ON DELETE rules: rows that belong to an agent go with it (CASCADE); links to a task are
-- context, not ownership, so deleting a task keeps the row and clears the link (SET NULL); an
-- approval's history goes with the approval it records (CASCADE).
-- Rollback: supabase/rollbacks/20261126021500_agent_tables.sql drops them in reverse order.

-- Extended profile of an agent, one per agent.
create table if not exists public.agent_profiles (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null unique references public.agents (id) on delete cascade,
    display_name text not null,
    description text,
    avatar_url text,
    capabilities jsonb not null default '[]'::jsonb,
    settings jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- Work assigned to an agent.
create table if not exists public.agent_tasks (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null references public.agents (id) on delete cascade,
    title text not null,
    description text,
    status text not null default 'pending'
        check (status in ('pending', 'in_progress', 'blocked', 'completed', 'failed', 'cancelled')),
    priority text not null default 'normal'
        check (priority in ('low', 'normal', 'high', 'urgent')),
    input jsonb not null default '{}'::jsonb,
    result jsonb,
    due_at timestamptz,
    started_at timestamptz,
    completed_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index if not exists agent_tasks_agent_id_idx on public.agent_tasks (agent_id);
create index if not exists agent_tasks_status_priority_idx on public.agent_tasks (status, priority);

-- Live status of an agent, one row per agent, refreshed by its heartbeat.
create table if not exists public.agent_status (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null unique references public.agents (id) on delete cascade,
    state text not null default 'offline'
        check (state in ('online', 'idle', 'busy', 'offline', 'error')),
    current_task_id uuid references public.agent_tasks (id) on delete set null,
    last_heartbeat_at timestamptz,
    details jsonb not null default '{}'::jsonb,
    updated_at timestamptz not null default now()
);
create index if not exists agent_status_current_task_id_idx on public.agent_status (current_task_id);

-- Messages exchanged by an agent, grouped by conversation.
create table if not exists public.agent_conversations (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null references public.agents (id) on delete cascade,
    conversation_id uuid not null,
    task_id uuid references public.agent_tasks (id) on delete set null,
    role text not null check (role in ('system', 'user', 'assistant', 'tool')),
    content text not null,
    metadata jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now()
);
create index if not exists agent_conversations_agent_id_idx on public.agent_conversations (agent_id);
create index if not exists agent_conversations_task_id_idx on public.agent_conversations (task_id);
create index if not exists agent_conversations_conversation_idx
    on public.agent_conversations (conversation_id, created_at);

-- Tools an agent may use, with their configuration.
create table if not exists public.agent_tools (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null references public.agents (id) on delete cascade,
    tool_name text not null,
    description text,
    config jsonb not null default '{}'::jsonb,
    is_enabled boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (agent_id, tool_name)
);

-- What an agent may do, on which resource, and whether it needs an approval first.
create table if not exists public.agent_permissions (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null references public.agents (id) on delete cascade,
    permission text not null,
    resource text not null default '*',
    effect text not null default 'allow' check (effect in ('allow', 'deny')),
    requires_approval boolean not null default false,
    granted_by text,
    expires_at timestamptz,
    created_at timestamptz not null default now(),
    unique (agent_id, permission, resource)
);

-- Activity and audit log.
create table if not exists public.agent_logs (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null references public.agents (id) on delete cascade,
    task_id uuid references public.agent_tasks (id) on delete set null,
    level text not null default 'info'
        check (level in ('debug', 'info', 'warning', 'error', 'critical')),
    message text not null,
    context jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now()
);
create index if not exists agent_logs_agent_id_created_at_idx on public.agent_logs (agent_id, created_at);
create index if not exists agent_logs_task_id_idx on public.agent_logs (task_id);

-- Usage and performance rolled up per agent and period.
create table if not exists public.agent_analytics (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null references public.agents (id) on delete cascade,
    period_start timestamptz not null,
    period_end timestamptz not null,
    tasks_completed bigint not null default 0,
    tasks_failed bigint not null default 0,
    messages_count bigint not null default 0,
    tokens_used bigint not null default 0,
    cost_usd numeric(14, 6) not null default 0,
    avg_response_ms double precision,
    details jsonb not null default '{}'::jsonb,
    created_at timestamptz not null default now(),
    check (period_end > period_start),
    unique (agent_id, period_start, period_end)
);

-- Actions waiting for a human decision.
create table if not exists public.approvals_queue (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null references public.agents (id) on delete cascade,
    task_id uuid references public.agent_tasks (id) on delete set null,
    action text not null,
    payload jsonb not null default '{}'::jsonb,
    status text not null default 'pending'
        check (status in ('pending', 'approved', 'rejected', 'expired', 'cancelled')),
    priority text not null default 'normal'
        check (priority in ('low', 'normal', 'high', 'urgent')),
    requested_by text,
    reason text,
    decided_by text,
    decided_at timestamptz,
    expires_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index if not exists approvals_queue_agent_id_idx on public.approvals_queue (agent_id);
create index if not exists approvals_queue_task_id_idx on public.approvals_queue (task_id);
create index if not exists approvals_queue_status_created_at_idx
    on public.approvals_queue (status, created_at);

-- Every decision and event on an approval.
create table if not exists public.approval_history (
    id uuid primary key default uuid_generate_v4(),
    approval_id uuid not null references public.approvals_queue (id) on delete cascade,
    event text not null
        check (event in ('requested', 'approved', 'rejected', 'expired', 'cancelled', 'commented')),
    actor text,
    from_status text,
    to_status text,
    comment text,
    created_at timestamptz not null default now()
);
create index if not exists approval_history_approval_id_idx on public.approval_history (approval_id);

-- Individual measurements.
create table if not exists public.agent_metrics (
    id uuid primary key default uuid_generate_v4(),
    agent_id uuid not null references public.agents (id) on delete cascade,
    task_id uuid references public.agent_tasks (id) on delete set null,
    metric_name text not null,
    value double precision not null,
    unit text,
    tags jsonb not null default '{}'::jsonb,
    recorded_at timestamptz not null default now()
);
create index if not exists agent_metrics_agent_id_recorded_at_idx
    on public.agent_metrics (agent_id, recorded_at);
create index if not exists agent_metrics_task_id_idx on public.agent_metrics (task_id);
create index if not exists agent_metrics_name_recorded_at_idx
    on public.agent_metrics (metric_name, recorded_at);

-- Row level security on every table; no policy yet, so only service_role (BYPASSRLS) sees rows.
alter table public.agent_profiles enable row level security;
alter table public.agent_tasks enable row level security;
alter table public.agent_status enable row level security;
alter table public.agent_conversations enable row level security;
alter table public.agent_tools enable row level security;
alter table public.agent_permissions enable row level security;
alter table public.agent_logs enable row level security;
alter table public.agent_analytics enable row level security;
alter table public.approvals_queue enable row level security;
alter table public.approval_history enable row level security;
alter table public.agent_metrics enable row level security;

-- Explicit grants for the server side, whatever the project's default privileges are.
grant select, insert, update, delete on table
    public.agent_profiles, public.agent_tasks, public.agent_status, public.agent_conversations,
    public.agent_tools, public.agent_permissions, public.agent_logs, public.agent_analytics,
    public.approvals_queue, public.approval_history, public.agent_metrics
    to service_role;
