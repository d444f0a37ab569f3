"""check, apply and rollback through pgbouncer in transaction mode: no prepared statements,
no session state, only transaction-scoped locks."""

from __future__ import annotations

from tests.conftest import NEW_TABLES, admin, run_toolkit
from tests.pooler.conftest import via_pooler
from toolkit.local import LocalStack


def test_check_apply_rollback_through_transaction_pooler(stack: LocalStack, db: str,
                                                         pgbouncer: int) -> None:
    env = {"SUPABASE_DB_URL": via_pooler(db, pgbouncer)}
    for _ in range(2):  # twice: server connections are reused between our transactions
        first = run_toolkit("check", "--json", env=env)
        assert first.code == 1, first.output
        assert sum(t["database"] == "missing" for t in first.json["tables"]) == 11

    plan = run_toolkit("plan", env=env)
    assert plan.code == 0, plan.output
    assert "PLAN: 1 migration pending" in plan.stdout

    applied = run_toolkit("apply", env=env)
    assert applied.code == 0, applied.output
    assert "prepared statement" not in applied.output

    again = run_toolkit("apply", env=env)
    assert again.code == 0 and "nothing pending" in again.stdout
    after = run_toolkit("check", env=env)
    assert after.code == 0, after.output

    rolled = run_toolkit("rollback", "--yes", env=env)
    assert rolled.code == 0, rolled.output
    with admin(stack, db) as conn:
        left = conn.execute("select count(*) from pg_class where relname = any(%s)",
                            [NEW_TABLES]).fetchone()
        assert left == (0,)
        assert conn.execute("select count(*) from supabase_migrations.schema_migrations"
                            ).fetchone() == (0,)
    assert run_toolkit("apply", env=env).code == 0


def test_concurrent_applies_through_the_pooler(stack: LocalStack, db: str,
                                               pgbouncer: int) -> None:
    """Transaction-scoped advisory locks serialise runs even though the pooler hands each
    transaction whatever server connection is free."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    env_url = via_pooler(db, pgbouncer)
    procs = [subprocess.Popen([sys.executable, "-m", "toolkit", "apply", "--json",
                               "--db-url", env_url], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], results
    with admin(stack, db) as conn:
        assert conn.execute("select count(*) from supabase_migrations.schema_migrations"
                            ).fetchone() == (1,)
