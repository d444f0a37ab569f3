-- More about a person; the website column was a mistake of the first draft.
alter table public.profiles add column website text;
alter table public.profiles add column bio text default '';
alter table public.profiles add column created_at timestamptz not null default now();
alter table public.profiles drop column website;
