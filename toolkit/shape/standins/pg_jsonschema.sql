-- Stand-in for pg_jsonschema (exists only on Supabase's image), in the schema the migration
-- names: the validators CHECK constraints call. Every document validates: never judged.
create function json_matches_schema(schema json, instance json) returns boolean
  language sql immutable strict parallel safe as 'select true';
create function jsonb_matches_schema(schema json, instance jsonb) returns boolean
  language sql immutable strict parallel safe as 'select true';
create function jsonschema_is_valid(schema json) returns boolean
  language sql immutable strict parallel safe as 'select true';
create function jsonschema_validation_errors(schema json, instance json) returns text[]
  language sql immutable strict parallel safe as $$ select '{}'::text[] $$;
