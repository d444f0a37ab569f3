-- Stand-in for pg_graphql (exists only on Supabase's image): graphql.resolve,
-- graphql.comment_directive and graphql_public.graphql, the functions migrations and
-- `db pull` dumps name. Every query answers an empty object: never judged.
create schema if not exists graphql;
create schema if not exists graphql_public;
create function graphql.resolve(query text default null, variables jsonb default '{}'::jsonb,
    "operationName" text default null, extensions jsonb default null)
  returns jsonb language sql stable as $$ select '{}'::jsonb $$;
create function graphql.comment_directive(comment_ text) returns jsonb
  language sql immutable as $$ select '{}'::jsonb $$;
create function graphql_public.graphql("operationName" text default null,
    query text default null, variables jsonb default null, extensions jsonb default null)
  returns jsonb language sql stable as $$ select '{}'::jsonb $$;
grant usage on schema graphql, graphql_public to postgres, anon, authenticated, service_role;
grant execute on all functions in schema graphql, graphql_public
  to postgres, anon, authenticated, service_role;
