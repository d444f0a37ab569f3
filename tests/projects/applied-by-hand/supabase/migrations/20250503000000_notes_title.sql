alter table public.notes add column title text;
create index notes_title_idx on public.notes (title);
