"""plan lists what apply would do, and writes nothing: it reads in a READ ONLY transaction."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import admin, run_toolkit
from toolkit.local import LocalStack


def test_plan_lists_objects_preconditions_and_warnings(db: str) -> None:
    result = run_toolkit("plan", "--json", env={"SUPABASE_DB_URL": db})
    assert result.code == 1, result.output
    (planned,) = result.json["planned"]
    assert planned["version"] == "20261126021500"
    creates = planned["creates"]
    assert sum(c.startswith("table ") for c in creates) == 11
    assert "index agent_tasks_agent_id_idx on agent_tasks (agent_id)" in creates
    assert "foreign key approval_history(approval_id) -> approvals_queue(id) on delete cascade" \
        in creates
    assert "row level security on agent_metrics" in creates
    assert any("SHARE ROW EXCLUSIVE lock" in w and "agents" in w for w in planned["warnings"])
    assert {p["name"] for p in result.json["preconditions"]} == {"agents", "uuid-ossp"}


def test_plan_warns_about_destructive_and_heavy_statements(db: str,
                                                           migrations_copy: Path) -> None:
    (migrations_copy / "20990101000000_risky.sql").write_text(
        "alter table public.agents add column region text;\n"
        "create index agents_name_idx on public.agents (name);\n"
        "drop table if exists public.old_stuff;\n"
        "delete from public.agents where name is null;\n"
        "create function public.f() returns int language sql as 'select 1';\n")
    result = run_toolkit("plan", "--json", "--migrations-dir", str(migrations_copy),
                         env={"SUPABASE_DB_URL": db})
    risky = next(p for p in result.json["planned"] if p["name"] == "risky")
    text = "\n".join(risky["warnings"])
    assert "ALTER TABLE on existing table agents" in text and "ACCESS EXCLUSIVE" in text
    assert "index on existing table agents blocks writes" in text
    assert "destructive: DROP TABLE" in text
    assert "writes existing data: DELETE" in text
    assert "function public.f has no SET search_path" in text


def test_plan_writes_nothing_even_the_history_table(stack: LocalStack, db: str) -> None:
    with admin(stack, db) as conn:
        conn.execute("create role plan_reader login password 'reader-pass' nosuperuser")
        conn.execute("grant usage on schema public to plan_reader")
    try:
        reader = db.replace("postgres:", "plan_reader:", 1).split("@")
        url = "postgresql://plan_reader:reader-pass@" + reader[1]
        result = run_toolkit("plan", "--json", env={"SUPABASE_DB_URL": url})
        assert result.code == 1, result.output
        assert len(result.json["planned"]) == 1
        check = run_toolkit("check", "--json", env={"SUPABASE_DB_URL": url})
        assert check.code == 1, check.output
        with admin(stack, db) as conn:
            assert conn.execute("select to_regclass('supabase_migrations.schema_migrations')"
                                ).fetchone() == (None,)
            # The read-only transaction is what the server saw.
            conn.execute("alter role plan_reader set default_transaction_read_only = on")
        assert run_toolkit("plan", env={"SUPABASE_DB_URL": url}).code == 1
    finally:
        with admin(stack, db) as conn:
            conn.execute("drop owned by plan_reader")
            conn.execute("drop role plan_reader")


def test_apply_dry_run_is_plan(db: str) -> None:
    result = run_toolkit("apply", "--dry-run", "--json", env={"SUPABASE_DB_URL": db})
    assert result.code == 1
    assert result.json["command"] == "plan"
    assert run_toolkit("check", "--json", env={"SUPABASE_DB_URL": db}).json["pending"] == [
        "20261126021500"]
