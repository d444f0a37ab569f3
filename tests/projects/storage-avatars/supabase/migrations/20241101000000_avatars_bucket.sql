-- A public bucket for avatars; each user writes only under a folder named by their id.
insert into storage.buckets (id, name, public)
values ('avatars', 'avatars', true)
on conflict (id) do nothing;

create policy "Avatar images are publicly accessible."
  on storage.objects for select
  using (bucket_id = 'avatars');

create policy "Users upload into their own folder."
  on storage.objects for insert to authenticated
  with check (
    bucket_id = 'avatars'
    and (storage.foldername(name))[1] = (select auth.uid()::text)
  );

create policy "Users update their own avatar."
  on storage.objects for update to authenticated
  using ((select auth.uid()) = owner)
  with check (bucket_id = 'avatars');
