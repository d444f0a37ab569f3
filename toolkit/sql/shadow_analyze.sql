-- Shadow: refresh the planner's statistics of the catalogs inspect.sql reads, once the files have
-- run: a fresh database starts with its template's statistics (a few hundred rows), and after a
-- long history the catalog read is planned for tables ten times their size otherwise.
analyze pg_catalog.pg_class, pg_catalog.pg_attribute, pg_catalog.pg_attrdef,
    pg_catalog.pg_namespace, pg_catalog.pg_depend, pg_catalog.pg_type, pg_catalog.pg_proc,
    pg_catalog.pg_constraint, pg_catalog.pg_trigger, pg_catalog.pg_policy,
    pg_catalog.pg_inherits, pg_catalog.pg_index, pg_catalog.pg_enum, pg_catalog.pg_extension,
    pg_catalog.pg_default_acl, pg_catalog.pg_authid
