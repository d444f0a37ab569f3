-- Extensions that exist on Supabase's image (pg_net, supabase_vault, pgmq) or that this
-- project's servers may lack (vector); pg_cron from Debian where installed.
create extension if not exists vector with schema extensions;
create extension if not exists pg_net with schema extensions;
create extension if not exists supabase_vault with schema vault;
create extension if not exists pgmq;
create extension if not exists pg_cron with schema pg_catalog;
