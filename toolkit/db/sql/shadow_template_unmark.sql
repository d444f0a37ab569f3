-- Embedded shadow template: a template database must be unmarked before it can be dropped.
alter database {name} is_template false
