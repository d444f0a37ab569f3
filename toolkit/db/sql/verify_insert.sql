-- The seed's functional test, step one, in the round trip that opens the transaction (which
-- is always rolled back): a profile for an agent that has none yet (agent_id is unique).
begin;
set local lock_timeout = {lock_timeout};
set local statement_timeout = {statement_timeout};
insert into public.agent_profiles (agent_id, display_name)
select a.id, 'toolkit verify' from public.agents a
where not exists (select 1 from public.agent_profiles p where p.agent_id = a.id)
limit 1
returning agent_id::text
