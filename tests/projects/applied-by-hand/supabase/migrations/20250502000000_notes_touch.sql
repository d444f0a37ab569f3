create function public.touch_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := pg_catalog.now();
  return new;
end;
$$;

create trigger notes_touch before update on public.notes
  for each row execute function public.touch_updated_at();
