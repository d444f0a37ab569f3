"""Dump-style files (`supabase db pull`, pg_dump): ALTER TABLE ... OWNER TO on a sequence or a
view is no table to look for, and neither is probed over REST as a table."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.conftest import run_toolkit
from toolkit.local import ApiHandle, LocalStack


def test_owner_of_sequences_and_views_is_no_table(stack: LocalStack, db: str, api: ApiHandle,
                                                  tmp_path: Path) -> None:
    with psycopg.connect(db, autocommit=True) as conn:  # by hand, as postgres, before the files
        conn.execute("create sequence public.ticket_seq; "
                     "create view public.agent_names as select name from public.agents")
    (tmp_path / "20250101000000_owners.sql").write_text(
        'ALTER TABLE "public"."ticket_seq" OWNER TO "postgres";\n'
        'ALTER TABLE "public"."agent_names" OWNER TO "postgres";\n'
        "create sequence public.own_seq;\n"
        'ALTER TABLE "public"."own_seq" OWNER TO "postgres";\n'
        "create table public.tickets (id bigserial primary key, code text);\n"
        'ALTER TABLE "public"."tickets_id_seq" OWNER TO "postgres";\n')
    env = {"SUPABASE_DB_URL": db, "SUPABASE_URL": api.api_url,
           "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key}
    done = run_toolkit("apply", "--json", "--migrations-dir", str(tmp_path), env=env)
    assert done.code == 0, done.output
    check = run_toolkit("check", "--json", "--migrations-dir", str(tmp_path), env=env)
    assert check.code == 0, check.output
    names = {t["name"] for t in check.json["tables"]}
    assert "tickets" in names
    assert not names & {"ticket_seq", "agent_names", "own_seq", "tickets_id_seq"}, names
    assert not any("do not create it" in p["message"] for p in check.json["problems"])
    assert all(p["ok"] for p in check.json["preconditions"]), check.output
