-- Every recorded version, or none when the history table does not exist yet (or this role
-- may not see it: then the caller says so instead of claiming nothing is applied).
select version
from supabase_migrations.schema_migrations
order by version
