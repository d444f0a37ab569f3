-- Private documents, only images and PDFs, at most 5 MB.
insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('documents', 'documents', false, 5242880, array['image/png', 'image/jpeg', 'application/pdf']);

create policy "Owners read their documents"
  on storage.objects for select to authenticated
  using (
    bucket_id = 'documents'
    and (storage.foldername(name))[1] = (select auth.uid()::text)
  );

create policy "Owners add documents"
  on storage.objects for insert to authenticated
  with check (
    bucket_id = 'documents'
    and (storage.foldername(name))[1] = (select auth.uid()::text)
    and storage.extension(name) in ('png', 'jpg', 'pdf')
  );
