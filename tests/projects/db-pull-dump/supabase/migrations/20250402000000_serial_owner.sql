-- A later file of the same style: a serial column's own sequence, named by PostgreSQL and
-- given its owner the way pg_dump writes it.
create table public.labels (id serial primary key, name text not null unique);
ALTER TABLE "public"."labels_id_seq" OWNER TO "postgres";
alter table public.labels enable row level security;
