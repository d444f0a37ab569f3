-- Step two: a profile for an agent that does not exist must be refused by the foreign key.
savepoint toolkit_verify_fk;
insert into public.agent_profiles (agent_id, display_name)
values (pg_catalog.gen_random_uuid(), 'toolkit verify')
