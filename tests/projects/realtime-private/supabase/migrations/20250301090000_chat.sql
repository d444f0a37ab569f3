-- A chat app: its helpers in a private schema the API never exposes, its messages on Realtime.
create schema if not exists private;
revoke all on schema private from public;

create table public.rooms (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  created_by uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);

create table public.room_members (
  room_id uuid not null references public.rooms (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  primary key (room_id, user_id)
);
create index room_members_user_id_idx on public.room_members (user_id);

create table public.messages (
  id bigint generated always as identity primary key,
  room_id uuid not null references public.rooms (id) on delete cascade,
  author_id uuid not null references auth.users (id) on delete cascade,
  body text not null check (length(body) between 1 and 4000),
  created_at timestamptz not null default now()
);
create index messages_room_id_idx on public.messages (room_id, created_at);
create index messages_author_id_idx on public.messages (author_id);
create index rooms_created_by_idx on public.rooms (created_by);

-- SECURITY DEFINER: reads room_members past its RLS, so policies can call it without recursion.
create function private.is_member(room uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (
    select 1 from public.room_members m
    where m.room_id = room and m.user_id = (select auth.uid())
  )
$$;
revoke all on function private.is_member(uuid) from public;
grant usage on schema private to authenticated;
grant execute on function private.is_member(uuid) to authenticated;

alter table public.rooms enable row level security;
alter table public.room_members enable row level security;
alter table public.messages enable row level security;

create policy "members read rooms" on public.rooms for select to authenticated
  using ((select private.is_member(id)));
create policy "members read members" on public.room_members for select to authenticated
  using ((select private.is_member(room_id)));
create policy "members read messages" on public.messages for select to authenticated
  using ((select private.is_member(room_id)));
create policy "members write messages" on public.messages for insert to authenticated
  with check (author_id = (select auth.uid()) and (select private.is_member(room_id)));

-- Supabase's documented way to turn Realtime on for a table.
alter publication supabase_realtime add table public.messages;
