begin;
create table public.event_tags (
  event_id bigint not null references public.events (id) on delete cascade,
  tag text not null,
  primary key (event_id, tag)
);
alter table public.event_tags enable row level security;
commit;

-- Outside the block, as it must be: CONCURRENTLY cannot run in a transaction.
create index concurrently if not exists event_tags_tag_idx on public.event_tags (tag);
