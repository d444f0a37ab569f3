drop policy "customers see their orders" on public.orders;
create policy "customers see their orders" on public.orders
  for select to authenticated
  using (exists (
    select 1 from public.customers c
    where c.id = customer_id and c.user_id = (select auth.uid())
  ));

create policy "customers see their items" on public.order_items
  for select to authenticated
  using (exists (
    select 1 from public.orders o join public.customers c on c.id = o.customer_id
    where o.id = order_id and c.user_id = (select auth.uid())
  ));

alter table public.customers alter column contact_email set not null;
