-- Who we are on the shadow database server, whether we may create databases, and its major version.
select current_user, rolcreatedb, rolsuper, current_setting('server_version_num')::int / 10000
from pg_roles where rolname = current_user
