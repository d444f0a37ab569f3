-- The extensions this shadow server can create for real (a stand-in is used for the others).
select name from pg_catalog.pg_available_extensions
