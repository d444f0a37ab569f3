-- A temporary agent for the functional test when agents requires no column: every column takes its default.
insert into public.agents default values returning id::text
