-- `migration repair --status applied`: record a version as the Supabase CLI does, once.
insert into supabase_migrations.schema_migrations (version, name, statements)
values (%(version)s, %(name)s, %(statements)s)
on conflict (version) do nothing
