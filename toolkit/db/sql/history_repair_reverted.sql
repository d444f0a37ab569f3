-- `migration repair --status reverted`: forget a version, as the Supabase CLI does.
delete from supabase_migrations.schema_migrations where version = %(version)s
