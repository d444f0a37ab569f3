-- Opens each replay transaction on the shadow: Supabase's search path, and role postgres as a project's migrations run.
set local search_path = {search_path}; set local role postgres;
