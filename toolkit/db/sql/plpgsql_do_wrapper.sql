-- Never sent to a server: a DO block's body wrapped as a function, so that PostgreSQL's own PL/pgSQL parser (pglast.parse_plpgsql) can read which statements the block runs.
create function toolkit_do() returns void language plpgsql as $toolkit_do${body}$toolkit_do$
