"""`toolkit migration new | list | repair` and `--version`, read back by the real Supabase CLI."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

from tests.conftest import admin, run_toolkit
from tests.safety.test_supabase_cli import supabase
from toolkit import DISTRIBUTION
from toolkit.local import LocalStack

NEW_TABLE = """create table if not exists public.agent_notes (
    id bigint generated always as identity primary key,
    note text not null
);
alter table public.agent_notes enable row level security;
"""


def _pairs(listing: str) -> list[tuple[str, str]]:
    """(local, remote) of each row of a `migration list` table, toolkit's or the CLI's."""
    rows = []
    for line in listing.splitlines():
        cells = [c.strip(" `") for c in line.split("|")]
        if len(cells) == 3 and re.fullmatch(r"\d*", cells[0]) and (cells[0] or cells[1]):
            rows.append((cells[0], cells[1]))
    return rows


def test_version_flag() -> None:
    for flag in ("--version", "-V", "version"):
        result = run_toolkit(flag)
        assert result.code == 0
        assert result.stdout.strip() == f"toolkit {version(DISTRIBUTION)}"


def test_new_then_apply_then_list_agrees_with_the_cli(db: str, project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    made = run_toolkit("migration", "new", "add_due_date", "--rollback", cwd=project)
    assert made.code == 0, made.output
    new_file, rollback = (project / line for line in made.stdout.split())
    assert re.fullmatch(r"\d{14}_add_due_date\.sql", new_file.name)
    assert new_file.parent == project / "supabase" / "migrations"
    assert rollback == project / "supabase" / "rollbacks" / new_file.name
    assert new_file.read_text() == "" and rollback.read_text() == ""
    new_file.write_text(NEW_TABLE)

    before = run_toolkit("migration", "list", env=env, cwd=project)
    assert before.code == 0, before.output
    assert all(remote == "" for _, remote in _pairs(before.stdout))

    applied = run_toolkit("apply", env=env, cwd=project)
    assert applied.code == 0, applied.output
    ours = run_toolkit("migration", "list", env=env, cwd=project)
    theirs = supabase("migration", "list", f"--remote={db}", cwd=project)
    assert theirs.returncode == 0, theirs.stderr
    version_new = new_file.name.split("_", 1)[0]
    assert _pairs(ours.stdout) == _pairs(theirs.stdout)
    assert (version_new, version_new) in _pairs(ours.stdout)


def test_list_shows_a_remote_only_row_like_the_cli(stack: LocalStack, db: str,
                                                   project: Path) -> None:
    assert run_toolkit("apply", env={"SUPABASE_DB_URL": db}, cwd=project).code == 0
    with admin(stack, db) as conn:
        conn.execute("insert into supabase_migrations.schema_migrations (version, name) "
                     "values ('20200101000000', 'gone')")
    ours = run_toolkit("migration", "list", "--db-url", db, cwd=project)
    theirs = supabase("migration", "list", f"--remote={db}", cwd=project)
    assert ("", "20200101000000") in _pairs(ours.stdout)
    assert _pairs(ours.stdout) == _pairs(theirs.stdout)


def test_new_refuses_a_path_and_an_existing_version(project: Path) -> None:
    bad = run_toolkit("migration", "new", "../escape", cwd=project)
    assert bad.code == 2
    assert bad.stderr.count("\n") == 1 and "path separator" in bad.stderr
    assert not list(project.glob("**/*escape*"))
    first = run_toolkit("migration", "new", "one", cwd=project)
    second = run_toolkit("migration", "new", "two", cwd=project)
    # Within one second the version repeats: refused, else a later one. Either way, no clash.
    versions = [p.name.split("_", 1)[0] for p in (project / "supabase/migrations").iterdir()]
    assert len(versions) == len(set(versions))
    assert first.code == 0
    assert second.code == 0 or "already exists" in second.stderr


def test_repair_is_read_back_by_the_cli(stack: LocalStack, db: str, project: Path) -> None:
    """No history table yet: repair creates it as the CLI does; the CLI then agrees."""
    version_seed = next((project / "supabase/migrations").glob("*.sql")).name.split("_")[0]
    refused = run_toolkit("migration", "repair", version_seed, "--status", "applied",
                          "--db-url", db, cwd=project)
    assert refused.code == 2 and "needs --yes" in refused.stderr
    done = run_toolkit("migration", "repair", version_seed, "--status", "applied", "--yes",
                       "--db-url", db, cwd=project)
    assert done.code == 0, done.output
    with admin(stack, db) as conn:
        row = conn.execute("select name, cardinality(statements) from "
                           "supabase_migrations.schema_migrations").fetchall()
        assert conn.execute("select to_regclass('public.agent_tasks')").fetchone() == (None,)
    assert row[0][0] == "agent_tables" and row[0][1] > 10
    push = supabase("db", "push", f"--remote={db}", "--dry-run", cwd=project)
    assert "Remote database is up to date" in push.stdout + push.stderr
    reverted = run_toolkit("migration", "repair", version_seed, "--status", "reverted", "-y",
                           "--db-url", db, cwd=project)
    assert reverted.code == 0, reverted.output
    theirs = supabase("migration", "list", f"--remote={db}", cwd=project)
    assert (version_seed, "") in _pairs(theirs.stdout)
