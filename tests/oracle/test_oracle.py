"""The shadow database as the oracle: what it can and cannot judge, grants as drift, tables that
exist before the migration that creates them, the cache, and the embedded server by default."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import httpx

from tests.conftest import MIGRATIONS, NEW_TABLES, SHADOW, SHADOW_URL, admin, run_toolkit
from toolkit.local import ApiHandle, LocalStack

VERSION = "20261126021500"


def _history(stack: LocalStack, db: str) -> list[str]:
    with admin(stack, db) as conn:
        if conn.execute("select to_regclass('supabase_migrations.schema_migrations')"
                        ).fetchone() == (None,):
            return []
        return [r[0] for r in conn.execute(
            "select version from supabase_migrations.schema_migrations order by 1").fetchall()]


def _tables(stack: LocalStack, db: str) -> list[str]:
    with admin(stack, db) as conn:
        return [r[0] for r in conn.execute(
            "select relname from pg_class where relname = any(%s) order by 1",
            [NEW_TABLES]).fetchall()]


def test_an_extension_the_shadow_lacks_makes_its_tables_unknown(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "20240101000000_docs.sql").write_text(
        "create extension if not exists postgis with schema extensions;\n"
        "create table public.docs (id bigint primary key, place extensions.geometry(point));\n"
        "create table public.tags (id bigint primary key, name text not null);\n")
    result = run_toolkit("check", "--json", "--migrations-dir", str(folder),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 1, result.output
    states = {t["name"]: t["database"] for t in result.json["tables"]}
    # The table the extension's type is needed for cannot be judged; the other one can.
    assert states == {"docs": "unknown", "tags": "missing"}
    lines = [p["message"] for p in result.json["problems"] if "postgis" in p["message"]]
    assert len(lines) == 1, lines
    assert "lacks extension postgis: install postgresql-15-postgis-3" in lines[0]
    assert "docs cannot be judged" in lines[0]


def test_revoked_grant_is_drift_with_the_grant_that_fixes_it(stack: LocalStack, db: str,
                                                             api: ApiHandle) -> None:
    """A project with auto-expose off: new tables get no API grants by default, so what the
    migration grants explicitly is all service_role has; revoking part of it is drift."""
    with admin(stack, db) as conn:
        for kind in ("tables", "sequences", "functions"):
            conn.execute(f"alter default privileges for role postgres in schema public "
                         f"revoke all on {kind} from anon, authenticated, service_role")
    env = {"SUPABASE_DB_URL": db, "SUPABASE_URL": api.api_url,
           "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key}
    assert run_toolkit("apply", env=env).code == 0
    clean = run_toolkit("check", "--json", env=env)
    assert clean.code == 0, clean.output  # the shadow mirrored the target's default privileges
    with admin(stack, db) as conn:
        assert conn.execute("select has_table_privilege('anon', 'public.agent_tasks', 'select')"
                            ).fetchone() == (False,)
        conn.execute("revoke insert, update, delete on public.agent_tasks from service_role")
    insert = httpx.post(f"{api.api_url}/rest/v1/agent_tasks", json={"title": "x"},
                        headers={"apikey": api.service_role_key,
                                 "Authorization": f"Bearer {api.service_role_key}"})
    assert insert.status_code in (401, 403), insert.text  # what a user of the API sees
    for command in ("check", "verify"):
        result = run_toolkit(command, "--json", env=env)
        assert result.code == 1, result.output
        tasks = next(t for t in result.json["tables"] if t["name"] == "agent_tasks")
        assert tasks["database"] == "drifted"
        assert ("service_role lacks DELETE, INSERT, UPDATE (fix: grant delete, insert, update "
                "on public.agent_tasks to service_role)") in tasks["differences"]
        grants = [p for p in result.json["problems"] if p["kind"] == "grant"]
        assert grants and grants[0]["table"] == "agent_tasks"


def test_existing_table_that_differs_is_refused_then_adopted_on_request(
        stack: LocalStack, db: str) -> None:
    with admin(stack, db) as conn:  # made by hand: another type, a missing column, RLS off
        conn.execute("set role postgres")
        conn.execute("create table public.agent_logs (id bigint primary key, "
                     "agent_id uuid references public.agents(id), task_id uuid, level text, "
                     "created_at timestamptz default now())")
    env = {"SUPABASE_DB_URL": db}
    plan = run_toolkit("plan", "--json", env=env)
    assert plan.code == 0, plan.output
    warnings = [w["message"] for p in plan.json["planned"] for w in p["warnings"]]
    assert any("table agent_logs exists already, so CREATE TABLE IF NOT EXISTS will skip it; it "
               "differs:" in w and 'column "id" is bigint, expected uuid' in w
               for w in warnings), warnings

    refused = run_toolkit("apply", env=env)
    assert refused.code == 1, refused.output
    assert "refusing to apply: agent_logs exists already and differs" in refused.stdout
    assert 'column "message" missing' in refused.stdout
    assert "row level security is disabled" in refused.stdout
    assert _history(stack, db) == []
    assert _tables(stack, db) == ["agent_logs"]  # nothing else was created

    adopted = run_toolkit("apply", "--adopt-existing", "--json", env=env)
    assert adopted.code == 0, adopted.output
    assert _history(stack, db) == [VERSION]
    logs = next(t for t in adopted.json["tables"] if t["name"] == "agent_logs")
    assert logs["database"] == "drifted"  # said, not hidden
    assert any(p["kind"] == "adopted" and "agent_logs" in p["message"]
               for p in adopted.json["problems"])


def test_tables_pasted_in_the_sql_editor_are_adopted(stack: LocalStack, db: str) -> None:
    """The seed's first option: the SQL was run by hand. The tables match exactly, so apply
    records the history row and says so."""
    sql = next(MIGRATIONS.glob("*.sql")).read_text()
    with admin(stack, db) as conn:
        conn.execute("set role postgres")
        conn.execute(sql.encode())
    result = run_toolkit("apply", env={"SUPABASE_DB_URL": db})
    assert result.code == 0, result.output
    assert "exists already and matches what 20261126021500 creates: adopted" in result.stdout
    assert _history(stack, db) == [VERSION]
    assert run_toolkit("check", env={"SUPABASE_DB_URL": db}).code == 0


def test_a_failure_without_a_transaction_says_what_was_applied(
        stack: LocalStack, db: str, tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, folder)
    (folder / "20990101000000_concurrent.sql").write_text(
        "-- toolkit:no-transaction\n"
        "create index concurrently if not exists agents_name_idx on public.agents (name);\n"
        "create unique index concurrently agents_one_uidx on public.agents ((true));\n"
        "create index concurrently if not exists agents_type_idx on public.agents (type);\n")
    result = run_toolkit("apply", "--migrations-dir", str(folder), env={"SUPABASE_DB_URL": db})
    assert result.code == 1, result.output  # the stack has two agents: not unique
    assert ("runs without a transaction: statements applied: line 2; not applied: line 3, "
            "line 4; no history row was written") in result.stdout
    assert _history(stack, db) == [VERSION]
    with admin(stack, db) as conn:
        made = {r[0] for r in conn.execute(
            "select indexrelid::regclass::text from pg_index "
            "where indrelid = 'public.agents'::regclass").fetchall()}
    assert "agents_name_idx" in made and "agents_type_idx" not in made


def test_the_replay_is_cached_as_private_json(db: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    env = {"SUPABASE_DB_URL": db, "TOOLKIT_CACHE_DIR": str(cache)}
    first = run_toolkit("check", "--json", env=env)
    second = run_toolkit("check", "--json", env=env)
    assert first.json["shadow"]["cached"] is False
    assert second.json["shadow"]["cached"] is True
    assert first.json["tables"] == second.json["tables"]
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    files = list(cache.rglob("*.json"))
    assert files and not list(cache.rglob("*.pickle"))
    for f in files:
        json.loads(f.read_text())  # data, never code


def test_the_embedded_shadow_is_the_default(db: str, tmp_path: Path) -> None:
    env = {"SUPABASE_DB_URL": db, "TOOLKIT_SHADOW_DB_URL": "",
           "TOOLKIT_CACHE_DIR": str(tmp_path / "cache")}
    result = run_toolkit("check", "--json", env=env)
    assert result.code == 1, result.output
    assert result.json["shadow"]["origin"].startswith("embedded PostgreSQL 15")
    assert result.json["shadow"]["major"] == 15
    assert result.json["pending"] == [VERSION]
    # And it is what the suite runs: no test gets a shadow URL unless it asks for one.
    assert "TOOLKIT_SHADOW_DB_URL" not in SHADOW and os.path.isdir(tmp_path / "cache")


def test_a_shadow_url_gives_the_embedded_verdict(db: str, tmp_path: Path) -> None:
    """TOOLKIT_SHADOW_DB_URL (here the session stack's superuser) gets the same hosted shape in
    a scratch database: the same verdict as the default, from another origin."""
    env = {"SUPABASE_DB_URL": db, "TOOLKIT_CACHE_DIR": str(tmp_path / "cache")}
    embedded = run_toolkit("check", "--json", env=env)
    by_url = run_toolkit("check", "--json", env=env | SHADOW_URL)
    assert by_url.json["shadow"]["origin"].startswith("postgresql://"), by_url.json["shadow"]
    assert embedded.json["shadow"]["origin"].startswith("embedded PostgreSQL")
    assert by_url.code == embedded.code == 1
    assert by_url.json["tables"] == embedded.json["tables"]
