-- Extensions Supabase lets postgres create (Database > Extensions in the dashboard).
create extension if not exists pg_trgm with schema extensions;
create extension if not exists citext with schema extensions;
create extension if not exists moddatetime with schema extensions;
create extension if not exists pg_stat_statements with schema extensions;
