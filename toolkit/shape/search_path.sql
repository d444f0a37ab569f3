-- Per database: a Supabase project's search_path (not copied by CREATE DATABASE ... TEMPLATE).
alter database {name} set search_path = {search_path}
