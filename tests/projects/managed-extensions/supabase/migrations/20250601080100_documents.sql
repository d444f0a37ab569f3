create table public.documents (
  id bigint generated always as identity primary key,
  title text not null,
  body text not null,
  embedding extensions.vector(1536),
  created_at timestamptz not null default now()
);
alter table public.documents enable row level security;
create index documents_embedding_idx on public.documents
  using hnsw (embedding extensions.vector_cosine_ops);

create function public.match_documents(query_embedding extensions.vector(1536),
    match_count integer)
returns table (id bigint, title text, similarity double precision)
language sql stable set search_path = ''
as $$
  select d.id, d.title,
         1 - (d.embedding operator(extensions.<=>) query_embedding) as similarity
  from public.documents d
  order by d.embedding operator(extensions.<=>) query_embedding
  limit match_count
$$;

create table public.webhook_log (
  id bigint generated always as identity primary key,
  request_id bigint not null,
  created_at timestamptz not null default now()
);
alter table public.webhook_log enable row level security;

-- On each new document: tell an Edge Function (pg_net), with a key kept in Vault.
create function public.notify_document() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  request bigint;
begin
  select net.http_post(
    url := 'https://example.supabase.co/functions/v1/embed',
    headers := jsonb_build_object('Authorization', 'Bearer ' || (
      select decrypted_secret from vault.decrypted_secrets where name = 'functions_key')),
    body := jsonb_build_object('id', new.id)
  ) into request;
  insert into public.webhook_log (request_id) values (request);
  return new;
end
$$;
create trigger documents_notify after insert on public.documents
  for each row execute function public.notify_document();

select vault.create_secret('not-a-real-key', 'functions_key', 'Edge Function key');
select pgmq.create('embeddings');
select cron.schedule('purge-webhook-log', '0 3 * * *',
                     $$delete from public.webhook_log where created_at < now() - interval '7 days'$$);
