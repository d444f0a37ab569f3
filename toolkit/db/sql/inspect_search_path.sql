-- Put before inspect.sql: the deparsers qualify names by the search path, so both sides are read under Supabase's; and without JIT: pg_publication_tables' estimates push the query past jit_above_cost, and compiling it took 2.5 s for a read of 10 ms.
set local search_path = {search_path}; set local jit = off;
