-- The Supabase-shaped template database every stack database is cloned from.
create database {name} owner postgres
