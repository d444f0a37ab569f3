-- A table of the documents people shared, keyed by the object's path.
create table public.shared_documents (
  id bigint generated always as identity primary key,
  object_path text not null unique,
  file_name text generated always as (storage.filename(object_path)) stored,
  shared_by uuid not null default auth.uid() references auth.users (id) on delete cascade,
  shared_at timestamptz not null default now()
);
create index shared_documents_shared_by_idx on public.shared_documents (shared_by);
alter table public.shared_documents enable row level security;

create policy "Sharers see what they shared" on public.shared_documents
  for select to authenticated
  using (shared_by = (select auth.uid()));

-- Uploads may no longer replace another user's avatar by path.
drop policy "Users update their own avatar." on storage.objects;
create policy "Users update their own avatar."
  on storage.objects for update to authenticated
  using (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid()::text)
  );
