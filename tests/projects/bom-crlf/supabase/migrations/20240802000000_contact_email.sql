alter table public.contacts add column email text;
