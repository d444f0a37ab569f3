-- The `postgres` database initdb made, replaced by a clone of the template.
drop database postgres
