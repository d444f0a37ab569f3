-- Realtime for rooms too, done the way many projects do it: the publication re-created with
-- the tables it should carry.
drop publication if exists supabase_realtime;
create publication supabase_realtime for table public.messages, public.rooms;

-- PostgREST: let clients ask for aggregates (count(), sum() ...) in their selects.
alter role authenticator set pgrst.db_aggregates_enabled = 'true';
notify pgrst, 'reload config';

create function private.touch_room() returns trigger
language plpgsql security definer set search_path = ''
as $$
begin
  update public.rooms set name = name where id = new.room_id;
  return new;
end
$$;
create trigger messages_touch_room after insert on public.messages
  for each row execute function private.touch_room();
