-- Put before inspect.sql: the deparsers qualify names by the search path, so both sides are read under Supabase's.
set local search_path = {search_path};
