"""rollback: the seed's down SQL, one transaction, refusals for data, agents untouched."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import NEW_TABLES, admin, run_toolkit
from toolkit.local import LocalStack

SEED_ORDER = ["agent_metrics", "approval_history", "approvals_queue", "agent_analytics",
              "agent_logs", "agent_permissions", "agent_tools", "agent_conversations",
              "agent_status", "agent_tasks", "agent_profiles"]


def _count(stack: LocalStack, db: str) -> int:
    with admin(stack, db) as conn:
        row = conn.execute("select count(*) from pg_class where relname = any(%s)",
                           [NEW_TABLES]).fetchone()
    assert row is not None
    return int(row[0])


def test_rollback_then_check_then_apply(stack: LocalStack, db: str) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", env=env).code == 0
    with admin(stack, db) as conn:
        agents = conn.execute("select * from agents order by id").fetchall()
    result = run_toolkit("rollback", "--yes", "--json", env=env)
    assert result.code == 0, result.output
    dropped = [n.split()[1] for n in result.json["notes"] if n.startswith("dropped ")]
    assert dropped == SEED_ORDER
    assert _count(stack, db) == 0
    with admin(stack, db) as conn:
        assert conn.execute("select * from agents order by id").fetchall() == agents
        assert conn.execute("select count(*) from supabase_migrations.schema_migrations"
                            ).fetchone() == (0,)
    check = run_toolkit("check", "--json", env=env)
    assert check.code == 1
    assert sum(t["database"] == "missing" for t in check.json["tables"]) == 11
    assert run_toolkit("apply", env=env).code == 0
    assert _count(stack, db) == 11


def test_rollback_refuses_tables_with_rows_unless_forced(stack: LocalStack, db: str) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", env=env).code == 0
    with admin(stack, db) as conn:
        conn.execute("insert into agent_tasks (agent_id, title) select id, 't' from agents")
        n = conn.execute("select count(*) from agent_tasks").fetchone()
    assert n is not None
    refused = run_toolkit("rollback", "--yes", env=env)
    assert refused.code == 3
    assert f"table agent_tasks holds {n[0]} rows" in refused.stderr
    assert _count(stack, db) == 11
    forced = run_toolkit("rollback", "--yes", "--force", env=env)
    assert forced.code == 0, forced.output
    assert _count(stack, db) == 0


def test_rollback_needs_yes_without_a_terminal(stack: LocalStack, db: str) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", env=env).code == 0
    result = run_toolkit("rollback", env=env, input="y\n")
    assert result.code == 2
    assert "needs --yes" in result.stderr
    assert _count(stack, db) == 11


def test_rollback_asks_on_a_terminal(stack: LocalStack, db: str) -> None:
    """A real pseudo-terminal: 'n' is "nothing changed" (exit 4, no error), 'y' rolls back."""
    import os
    import pty
    import subprocess
    import sys

    from tests.conftest import ROOT

    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}).code == 0
    for answer, expected_code, expected_tables in (("n", 4, 11), ("y", 0, 0)):
        leader, follower = pty.openpty()
        proc = subprocess.Popen([sys.executable, "-m", "toolkit", "rollback", "--db-url", db],
                                cwd=ROOT, stdin=follower, stdout=subprocess.PIPE,
                                stderr=follower)
        os.close(follower)
        seen = b""
        while b"[y/N]" not in seen:
            seen += os.read(leader, 1024)
        assert b"drops table agent_metrics (0 rows)" in seen
        os.write(leader, answer.encode() + b"\n")
        proc.communicate(timeout=60)
        after = b""
        while True:
            try:
                chunk = os.read(leader, 1024)
            except OSError:
                break
            if not chunk:
                break
            after += chunk
        os.close(leader)
        if answer == "n":
            assert b"nothing changed" in after and b"error" not in after
        assert proc.returncode == expected_code
        assert _count(stack, db) == expected_tables


def test_rollback_refuses_a_file_that_drops_agents(stack: LocalStack, db: str,
                                                   migrations_copy: Path) -> None:
    env = {"SUPABASE_DB_URL": db, "TOOLKIT_MIGRATIONS_DIR": str(migrations_copy)}
    assert run_toolkit("apply", env=env).code == 0
    rollbacks = migrations_copy.parent / "rollbacks"
    rollbacks.mkdir()
    (rollbacks / next(migrations_copy.glob("*.sql")).name).write_text(
        "drop table if exists public.agent_metrics;\ndrop table if exists public.agents;\n")
    result = run_toolkit("rollback", "--yes", env=env)
    assert result.code == 3
    assert "would drop table agents" in result.stderr
    with admin(stack, db) as conn:
        assert conn.execute("select to_regclass('public.agents')").fetchone() != (None,)
        assert conn.execute("select to_regclass('public.agent_metrics')").fetchone() != (None,)


def test_nothing_to_roll_back(db: str) -> None:
    result = run_toolkit("rollback", "--yes", env={"SUPABASE_DB_URL": db})
    assert result.code == 3
    assert "nothing to roll back" in result.stderr
