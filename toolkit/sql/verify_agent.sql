-- An agent without a profile to insert one for (agent_profiles.agent_id is unique), and the
-- columns a temporary agent would need when there is none: NOT NULL, no default, not generated.
select
    (select a.id::text from public.agents a
      where not exists (select 1 from public.agent_profiles p where p.agent_id = a.id)
      limit 1) as agent_id,
    (select coalesce(json_agg(json_build_object(
                'name', attname, 'type', pg_catalog.format_type(atttypid, atttypmod))), '[]')
       from pg_catalog.pg_attribute
      where attrelid = 'public.agents'::regclass and attnum > 0 and not attisdropped
        and attnotnull and not atthasdef and attidentity = '' and attgenerated = ''
    ) as required
