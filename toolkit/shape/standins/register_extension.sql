-- Records a stand-in as the extension it stands for: its pg_extension row, so `create extension
-- if not exists` finds it installed (register_members.sql then makes what the stand-in made its
-- members, so the inspect query leaves them out as it leaves out a real extension's objects).
-- Owned by postgres, as the extensions privileged.sql lets postgres create are, so postgres
-- may drop it as on hosted projects.
insert into pg_catalog.pg_extension (oid, extname, extowner, extnamespace, extrelocatable,
                                     extversion)
select %(mark)s::oid, %(name)s, r.oid, n.oid, false, 'stand-in'
from pg_catalog.pg_roles r, pg_catalog.pg_namespace n
where r.rolname = 'postgres' and n.nspname = %(schema)s
