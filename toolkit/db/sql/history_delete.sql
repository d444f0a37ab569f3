-- Rollback: forget a reverted file in the Supabase CLI's history, in the rollback's own transaction.
delete from supabase_migrations.schema_migrations where version = %(version)s
