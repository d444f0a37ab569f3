create type public.stock_state as enum ('in_stock', 'low', 'out');

create table public.items (
  id bigint generated always as identity primary key,
  name text not null,
  quantity integer not null default 0 check (quantity >= 0),
  reorder_at integer not null default 5,
  updated_at timestamptz not null default now()
);
alter table public.items enable row level security;
create policy "items readable" on public.items for select to authenticated using (true);

create function public.stock_state_of(quantity integer, reorder_at integer)
returns public.stock_state
language sql
immutable
set search_path = ''
as $$
  select case
    when quantity = 0 then 'out'::public.stock_state
    when quantity <= reorder_at then 'low'::public.stock_state
    else 'in_stock'::public.stock_state
  end;
$$;

create function public.touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

create trigger items_touch_updated_at
  before update on public.items
  for each row execute function public.touch_updated_at();

-- security_invoker so the view obeys the caller's RLS, as Supabase's advisor asks.
create view public.item_stock with (security_invoker = on) as
  select i.id, i.name, i.quantity, public.stock_state_of(i.quantity, i.reorder_at) as state
  from public.items i;
