alter type public.stock_state rename value 'low' to 'running_low';

create or replace function public.stock_state_of(quantity integer, reorder_at integer)
returns public.stock_state
language sql
immutable
set search_path = ''
as $$
  select case
    when quantity = 0 then 'out'::public.stock_state
    when quantity <= reorder_at then 'running_low'::public.stock_state
    else 'in_stock'::public.stock_state
  end;
$$;

create function public.restock(item bigint, amount integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  result integer;
begin
  update public.items set quantity = quantity + amount where id = item
  returning quantity into result;
  return result;
end;
$$;
revoke execute on function public.restock(bigint, integer) from public, anon;
grant execute on function public.restock(bigint, integer) to authenticated;

create materialized view public.low_stock as
  select id, name from public.items where quantity <= reorder_at;

drop view public.item_stock;
create view public.item_stock with (security_invoker = on) as
  select i.id, i.name, i.quantity, i.updated_at,
         public.stock_state_of(i.quantity, i.reorder_at) as state
  from public.items i;
