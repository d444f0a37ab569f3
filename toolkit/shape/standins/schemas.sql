-- The schemas the shadow has before the replay (a stand-in goes only into one of these).
select nspname from pg_catalog.pg_namespace
