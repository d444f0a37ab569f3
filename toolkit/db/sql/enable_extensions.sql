-- `apply --enable-extensions`: uuid-ossp where Supabase keeps it, inside the first file's transaction.
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions
