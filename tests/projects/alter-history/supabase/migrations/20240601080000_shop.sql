create table public.customers (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references auth.users (id),
  email text,
  phone text,
  created_at timestamptz default now()
);
create index customers_user_id_idx on public.customers (user_id);

create table public.orders (
  id bigint generated always as identity primary key,
  customer_id uuid not null references public.customers (id),
  total integer not null,
  note text,
  created_at timestamptz not null default now()
);
create index orders_customer_id_idx on public.orders (customer_id);

create table public.order_lines (
  id bigint generated always as identity primary key,
  order_id bigint not null references public.orders (id),
  sku text not null,
  qty integer not null default 1
);
create index order_lines_order_id_idx on public.order_lines (order_id);

create table public.coupons (
  code text primary key,
  percent integer not null
);

alter table public.customers enable row level security;
alter table public.orders enable row level security;
alter table public.order_lines enable row level security;

create policy "customers see themselves" on public.customers
  for select to authenticated using (user_id = auth.uid());
create policy "customers see their orders" on public.orders
  for select to authenticated
  using (customer_id in (select c.id from public.customers c where c.user_id = auth.uid()));
