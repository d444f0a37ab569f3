-- Posts outlive nothing: deleting a profile now deletes its posts.
alter table public.posts drop constraint posts_author_id_fkey;
alter table public.posts
  add constraint posts_author_id_fkey foreign key (author_id)
  references public.profiles (id) on delete cascade;

alter table public.posts rename column body to content;
alter table public.posts alter column title type varchar(200);
alter table public.posts alter column content set not null;

-- Readers must be signed in from now on.
drop policy "Published posts are readable" on public.posts;
create policy "Published posts are readable" on public.posts
  for select to authenticated
  using (published or (select auth.uid()) = author_id);
