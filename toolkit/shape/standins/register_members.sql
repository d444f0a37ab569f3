-- The second half of a stand-in's record (after register_extension.sql): every object made since
-- the stand-in began (oid past %(mark)s, the extension row's: a fresh shadow's oid counter only
-- climbs) becomes the extension's member.
insert into pg_catalog.pg_depend (classid, objid, objsubid, refclassid, refobjid, refobjsubid,
                                  deptype)
select m.classid, m.objid, 0, 'pg_catalog.pg_extension'::regclass, %(mark)s::oid, 0, 'e'
from (
  select 'pg_catalog.pg_namespace'::regclass, oid from pg_catalog.pg_namespace
  union all select 'pg_catalog.pg_class'::regclass, oid from pg_catalog.pg_class
    where relkind in ('r', 'v', 'm', 'S', 'p', 'f', 'c')
  union all select 'pg_catalog.pg_type'::regclass, oid from pg_catalog.pg_type
  union all select 'pg_catalog.pg_proc'::regclass, oid from pg_catalog.pg_proc
  union all select 'pg_catalog.pg_operator'::regclass, oid from pg_catalog.pg_operator
  union all select 'pg_catalog.pg_opclass'::regclass, oid from pg_catalog.pg_opclass
  union all select 'pg_catalog.pg_opfamily'::regclass, oid from pg_catalog.pg_opfamily
  union all select 'pg_catalog.pg_am'::regclass, oid from pg_catalog.pg_am
  union all select 'pg_catalog.pg_cast'::regclass, oid from pg_catalog.pg_cast
) as m(classid, objid)
where m.objid > %(mark)s::oid;
