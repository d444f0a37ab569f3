-- Apply: record an applied file in the Supabase CLI's history, in the file's own transaction.
insert into supabase_migrations.schema_migrations (version, name, statements)
values (%(version)s, %(name)s, %(statements)s)
