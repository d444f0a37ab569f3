-- Everyday second thoughts about the first draft.
alter table public.customers add column display_name text;
alter table public.customers drop column phone;
alter table public.customers rename column email to contact_email;
alter table public.customers alter column created_at set not null;

alter table public.orders alter column total type numeric(12, 2);
alter table public.orders rename column note to comment;

-- Lines now go with their order.
alter table public.order_lines drop constraint order_lines_order_id_fkey;
alter table public.order_lines
  add constraint order_lines_order_id_fkey foreign key (order_id)
  references public.orders (id) on delete cascade;

alter table public.order_lines rename to order_items;
alter index public.order_lines_order_id_idx rename to order_items_order_id_idx;

drop table public.coupons;
