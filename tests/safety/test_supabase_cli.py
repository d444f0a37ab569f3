"""Living beside the real Supabase CLI (npm package `supabase`): one history, two tools."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.conftest import ROOT, admin, run_toolkit
from toolkit.local import LocalStack

CLI = ROOT / "tools" / "supabase-cli" / "node_modules" / ".bin" / "supabase"


def supabase(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    if not CLI.exists():
        pytest.fail("the Supabase CLI is not installed: make test-deps installs it")
    return subprocess.run([str(CLI), *args, "--agent", "no"], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={"PATH": "/usr/bin:/bin", "HOME": "/tmp",
                                                       "SUPABASE_TELEMETRY_DISABLED": "1",
                                                       "DO_NOT_TRACK": "1"})


def test_cli_sees_toolkit_history(db: str) -> None:
    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}).code == 0
    listed = supabase("migration", "list", f"--remote={db}")
    assert listed.returncode == 0, listed.stderr
    row = next(line for line in listed.stdout.splitlines() if "20261126021500" in line)
    local, remote = (cell.strip(" `") for cell in row.split("|")[:2])
    assert (local, remote) == ("20261126021500", "20261126021500")
    push = supabase("db", "push", f"--remote={db}", "--dry-run")
    assert push.returncode == 0, push.stderr
    assert "Remote database is up to date" in push.stdout + push.stderr


def test_toolkit_honours_rows_the_cli_wrote(stack: LocalStack, db: str) -> None:
    push = supabase("db", "push", f"--remote={db}", "--yes")
    assert push.returncode == 0, push.stdout + push.stderr
    check = run_toolkit("check", "--json", env={"SUPABASE_DB_URL": db})
    assert check.code == 0, check.output
    assert check.json["pending"] == []
    # The CLI's statements and ours describe the same file.
    assert not any("changed after it was applied" in p["message"]
                   for p in check.json["problems"])
    again = run_toolkit("apply", env={"SUPABASE_DB_URL": db})
    assert again.code == 0 and "nothing pending" in again.stdout
    with admin(stack, db) as conn:
        assert conn.execute("select count(*) from supabase_migrations.schema_migrations"
                            ).fetchone() == (1,)


def test_remote_only_history_row_is_reported_like_the_cli(stack: LocalStack, db: str,
                                                          migrations_copy: Path) -> None:
    with psycopg.connect(db, autocommit=True) as conn:  # as the CLI would: role postgres
        conn.execute("create schema supabase_migrations; create table "
                     "supabase_migrations.schema_migrations (version text primary key, "
                     "statements text[], name text)")
        conn.execute("insert into supabase_migrations.schema_migrations (version, name) "
                     "values ('20250101000000', 'ghost')")
    env = {"SUPABASE_DB_URL": db}
    check = run_toolkit("check", env=env)
    assert "Remote migration versions not found in local migrations directory" in check.stdout
    assert "supabase migration repair --status reverted 20250101000000" in check.stdout
    assert "--db-url <db-url>" in check.stdout  # a flag every CLI major accepts
    deprecated = supabase("migration", "list", "--db-url", db)
    assert deprecated.returncode == 0, deprecated.stderr
    applied = run_toolkit("apply", env=env)
    assert applied.code == 1
    assert "refusing to apply" in applied.stdout
    cli = supabase("db", "push", f"--remote={db}", "--dry-run")
    assert "Remote migration versions not found in local migrations directory" in (
        cli.stdout + cli.stderr)
