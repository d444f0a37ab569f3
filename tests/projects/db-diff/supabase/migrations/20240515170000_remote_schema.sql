drop policy "Owners read their lists" on "public"."lists";

alter table "public"."lists" add column "archived" boolean not null default false;

create or replace view "public"."open_tasks" as  SELECT t.id,
    t.list_id,
    t.label,
    t.due
   FROM tasks t
  WHERE (t.status <> 'done'::task_status);


create policy "Owners read their lists"
on "public"."lists"
as permissive
for select
to authenticated
using (((owner = auth.uid()) AND (NOT archived)));



