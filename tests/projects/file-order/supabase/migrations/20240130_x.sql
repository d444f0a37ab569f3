-- Needs public.notes from 20240108234540_y.sql: only file-name order runs this second.
alter table public.notes add column pinned boolean not null default false;
create index notes_pinned_idx on public.notes (pinned) where pinned;
