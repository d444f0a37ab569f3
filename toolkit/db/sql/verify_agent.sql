-- No agent is free for a profile: the columns a temporary agent needs (NOT NULL, no default,
-- not generated), so one can be made inside the rolled-back transaction.
select coalesce(json_agg(json_build_object(
           'name', attname, 'type', pg_catalog.format_type(atttypid, atttypmod))), '[]')
from pg_catalog.pg_attribute
where attrelid = 'public.agents'::regclass and attnum > 0 and not attisdropped
  and attnotnull and not atthasdef and attidentity = '' and attgenerated = ''
