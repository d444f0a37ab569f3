revoke select on table "public"."tasks" from "anon";

alter table "public"."tasks" add column "notes" text;

alter table "public"."tasks" add column "position" integer not null default 0;

alter table "public"."tasks" alter column "due" set data type timestamp with time zone using "due"::timestamp with time zone;

alter table "public"."tasks" enable row level security;

CREATE UNIQUE INDEX tasks_list_id_position_key ON public.tasks USING btree (list_id, "position");

alter table "public"."tasks" add constraint "tasks_list_id_position_key" UNIQUE using index "tasks_list_id_position_key";

alter table "public"."tasks" add constraint "tasks_position_check" CHECK (("position" >= 0)) not valid;

alter table "public"."tasks" validate constraint "tasks_position_check";

set check_function_bodies = off;

CREATE OR REPLACE FUNCTION public.owns_list(list bigint)
 RETURNS boolean
 LANGUAGE sql
 STABLE SECURITY DEFINER
 SET search_path TO ''
AS $function$
  select exists (select 1 from public.lists l where l.id = list and l.owner = auth.uid());
$function$
;

create policy "Tasks follow their list"
on "public"."tasks"
as permissive
for all
to authenticated
using (owns_list(list_id))
with check (owns_list(list_id));



