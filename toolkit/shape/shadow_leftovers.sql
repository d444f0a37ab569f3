-- Scratch databases of killed shadow runs: named toolkit_shadow_<unix time>_<hex>, older than
-- the given age by that time, and with no session connected (a live run has one).
select d.datname
from pg_database d
where d.datname ~ '^toolkit_shadow_[0-9]+_[0-9a-f]+$'
  and split_part(d.datname, '_', 3)::bigint < extract(epoch from now()) - %(min_age_s)s
  and not exists (select 1 from pg_stat_activity a where a.datid = d.oid)
order by 1
