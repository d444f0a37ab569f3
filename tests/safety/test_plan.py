"""plan lists what apply would do, and writes nothing: it reads in a READ ONLY transaction."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import admin, run_toolkit
from toolkit.local import LocalStack


def test_plan_lists_objects_preconditions_and_warnings(db: str) -> None:
    result = run_toolkit("plan", "--json", env={"SUPABASE_DB_URL": db})
    assert result.code == 0, result.output  # a plan was made: pending is plan's normal answer
    assert result.json["status"] == "pending"
    (planned,) = result.json["planned"]
    assert planned["version"] == "20261126021500"
    creates = planned["creates"]
    assert sum(c.startswith("table ") for c in creates) == 11
    assert "index agent_tasks_agent_id_idx on agent_tasks (agent_id)" in creates
    assert "foreign key approval_history(approval_id) -> approvals_queue(id) on delete cascade" \
        in creates
    assert "row level security on agent_metrics" in creates
    locks = [w for w in planned["warnings"] if "SHARE ROW EXCLUSIVE lock" in w["message"]]
    # One warning for the lock on agents, on the line of the first foreign key to it.
    assert [w["message"].split(":")[0] for w in locks] == ["agents"]
    assert locks[0]["line"] > 1
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
    text = "\n".join(w["message"] for w in risky["warnings"])
    assert "agents: ALTER TABLE ... ADD COLUMN takes an ACCESS EXCLUSIVE lock" in text
    assert "agents: CREATE INDEX blocks writes to it while it builds" in text
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
        assert result.code == 0, result.output
        assert len(result.json["planned"]) == 1
        check = run_toolkit("check", "--json", env={"SUPABASE_DB_URL": url})
        assert check.code == 1, check.output
        with admin(stack, db) as conn:
            assert conn.execute("select to_regclass('supabase_migrations.schema_migrations')"
                                ).fetchone() == (None,)
            # The read-only transaction is what the server saw.
            conn.execute("alter role plan_reader set default_transaction_read_only = on")
        assert run_toolkit("plan", env={"SUPABASE_DB_URL": url}).code == 0
    finally:
        with admin(stack, db) as conn:
            conn.execute("drop owned by plan_reader")
            conn.execute("drop role plan_reader")


def test_detailed_exitcode_says_pending(db: str) -> None:
    pending = run_toolkit("plan", "--detailed-exitcode", env={"SUPABASE_DB_URL": db})
    assert pending.code == 5, pending.output
    assert "PLAN: 1 migration pending" in pending.stdout or "PENDING:" in pending.stdout
    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}).code == 0
    done = run_toolkit("plan", "--detailed-exitcode", env={"SUPABASE_DB_URL": db})
    assert done.code == 0, done.output
    assert "OK: nothing pending (exit 0)" in done.stdout


def test_apply_dry_run_is_plan(db: str) -> None:
    result = run_toolkit("apply", "--dry-run", "--json", env={"SUPABASE_DB_URL": db})
    assert result.code == 0
    assert result.json["pending"] == ["20261126021500"]
    assert result.json["command"] == "plan"
    assert run_toolkit("check", "--json", env={"SUPABASE_DB_URL": db}).json["pending"] == [
        "20261126021500"]


def test_lock_warnings_only_for_tables_that_exist(stack: LocalStack, db: str,
                                                  migrations_copy: Path) -> None:
    """A lock on a table created earlier in the same batch blocks nobody: no warning for it."""
    (migrations_copy / "20990101000000_more.sql").write_text(
        "alter table public.agent_tasks add column review_at timestamptz;\n"
        "create index agent_tasks_review_idx on public.agent_tasks (review_at);\n")
    env = {"SUPABASE_DB_URL": db}
    before = run_toolkit("plan", "--json", "--migrations-dir", str(migrations_copy), env=env)
    more = next(p for p in before.json["planned"] if p["name"] == "more")
    assert not [w for w in more["warnings"] if "agent_tasks:" in w["message"]], more
    assert run_toolkit("apply", "--migrations-dir", str(migrations_copy), env=env).code == 0
    with admin(stack, db) as conn:
        conn.execute("delete from supabase_migrations.schema_migrations "
                     "where version = '20990101000000'")
        conn.execute("drop index public.agent_tasks_review_idx")
        conn.execute("alter table public.agent_tasks drop column review_at")
    after = run_toolkit("plan", "--json", "--migrations-dir", str(migrations_copy), env=env)
    more = next(p for p in after.json["planned"] if p["name"] == "more")
    locks = [w["message"] for w in more["warnings"] if "agent_tasks:" in w["message"]]
    assert any("ACCESS EXCLUSIVE" in m for m in locks), locks
    assert any("CREATE INDEX blocks writes" in m for m in locks), locks
