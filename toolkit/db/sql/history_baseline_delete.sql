-- `migration squash`: forget every version up to the squashed file's, as `supabase migration
-- squash` baselines the history (text order, as the CLI compares them); the file's own row is
-- written next, with its new statements.
delete from supabase_migrations.schema_migrations where version <= %(version)s
