-- Undo session_settings.sql.
reset lock_timeout;
reset statement_timeout;
reset search_path
