-- Lets postgres (CREATEDB, not owner) clone the template too.
alter database {name} is_template true
