-- A temporary agent for the functional test, filling only the columns agents requires (verify_agent.sql).
insert into public.agents ({names}) values ({values}) returning id::text
