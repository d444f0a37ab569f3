-- The functional test's profile for the temporary agent made inside the rolled-back transaction.
insert into public.agent_profiles (agent_id, display_name) values (%s, 'toolkit verify')
