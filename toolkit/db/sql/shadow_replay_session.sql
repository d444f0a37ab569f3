-- The same as shadow_replay_setup.sql for a file whose statements run outside a transaction; undone by shadow_replay_session_end.sql.
set search_path = {search_path}; set role postgres;
