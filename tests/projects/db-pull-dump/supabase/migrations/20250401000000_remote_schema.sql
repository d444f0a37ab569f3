-- The shape of `supabase db pull` output (pg_dump): session settings, each sequence created and
-- then given its owner with ALTER TABLE, defaults and keys added afterwards, a view owned the
-- same way, grants per object.
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = "heap";

CREATE TABLE IF NOT EXISTS "public"."todos" (
    "id" bigint NOT NULL,
    "task" "text" NOT NULL,
    "done" boolean DEFAULT false NOT NULL,
    "inserted_at" timestamp with time zone DEFAULT "now"() NOT NULL
);

ALTER TABLE "public"."todos" OWNER TO "postgres";

CREATE SEQUENCE IF NOT EXISTS "public"."todos_id_seq"
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;

ALTER TABLE "public"."todos_id_seq" OWNER TO "postgres";

ALTER SEQUENCE "public"."todos_id_seq" OWNED BY "public"."todos"."id";

CREATE OR REPLACE VIEW "public"."open_todos" AS
 SELECT "todos"."id",
    "todos"."task"
   FROM "public"."todos"
  WHERE (NOT "todos"."done");

ALTER TABLE "public"."open_todos" OWNER TO "postgres";

ALTER TABLE ONLY "public"."todos" ALTER COLUMN "id" SET DEFAULT "nextval"('"public"."todos_id_seq"'::"regclass");

ALTER TABLE ONLY "public"."todos"
    ADD CONSTRAINT "todos_pkey" PRIMARY KEY ("id");

ALTER TABLE "public"."todos" ENABLE ROW LEVEL SECURITY;

CREATE POLICY "read own" ON "public"."todos" FOR SELECT TO "authenticated" USING (true);

GRANT ALL ON TABLE "public"."todos" TO "anon";
GRANT ALL ON TABLE "public"."todos" TO "authenticated";
GRANT ALL ON TABLE "public"."todos" TO "service_role";

GRANT ALL ON SEQUENCE "public"."todos_id_seq" TO "anon";
GRANT ALL ON SEQUENCE "public"."todos_id_seq" TO "authenticated";
GRANT ALL ON SEQUENCE "public"."todos_id_seq" TO "service_role";

GRANT ALL ON TABLE "public"."open_todos" TO "anon";
GRANT ALL ON TABLE "public"."open_todos" TO "authenticated";
GRANT ALL ON TABLE "public"."open_todos" TO "service_role";

RESET ALL;
