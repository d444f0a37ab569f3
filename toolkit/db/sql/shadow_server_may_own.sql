-- May we hand a scratch database to postgres (true only when that role exists and we are a member)?
select pg_has_role(current_user, 'postgres', 'usage') from pg_roles where rolname = 'postgres'
