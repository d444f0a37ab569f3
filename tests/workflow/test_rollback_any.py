"""Rollback of any migration: a column and an index undone, data counted, dependants named."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import admin, run_toolkit
from toolkit.local import LocalStack

VERSION = "20270101000000"
ADD = """alter table public.agent_tasks add column review_note text;
create index if not exists agent_tasks_review_note_idx on public.agent_tasks (review_note);
"""
DOWN = """drop index if exists public.agent_tasks_review_note_idx;
alter table public.agent_tasks drop column if exists review_note;
"""


def _second_migration(project: Path) -> None:
    name = f"{VERSION}_review_note.sql"
    (project / "supabase/migrations" / name).write_text(ADD)
    (project / "supabase/rollbacks" / name).write_text(DOWN)


def _history(stack: LocalStack, db: str) -> list[str]:
    with admin(stack, db) as conn:
        return [r[0] for r in conn.execute(
            "select version from supabase_migrations.schema_migrations order by 1")]


def _column_and_index(stack: LocalStack, db: str) -> tuple[bool, bool]:
    with admin(stack, db) as conn:
        col = conn.execute("select count(*) from information_schema.columns where table_name = "
                           "'agent_tasks' and column_name = 'review_note'").fetchone()
        idx = conn.execute("select to_regclass('public.agent_tasks_review_note_idx')").fetchone()
    assert col is not None and idx is not None
    return col[0] == 1, idx[0] is not None


def test_column_and_index_rolled_back(stack: LocalStack, db: str, project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    _second_migration(project)
    run_toolkit("apply", env=env, cwd=project)
    assert VERSION in _history(stack, db)
    with admin(stack, db) as conn:
        conn.execute("insert into agent_tasks (agent_id, title, review_note) "
                     "select id, 't', 'keep me' from agents")
        conn.execute("insert into agent_tasks (agent_id, title) select id, 'u' from agents")
        row = conn.execute("select count(*) from agent_tasks where review_note is not null"
                           ).fetchone()
    assert row is not None
    values = row[0]
    assert values > 1

    refused = run_toolkit("rollback", "--yes", env=env, cwd=project)
    assert refused.code == 3
    assert (f"column agent_tasks.review_note holds {values} non-null values"
            in refused.stderr)
    assert "--force" in refused.stderr
    assert _column_and_index(stack, db) == (True, True)
    assert VERSION in _history(stack, db)

    # Naming a version that is not the newest applied is refused: one at a time, newest first.
    older = run_toolkit("rollback", "20261126021500", "--yes", "--force", env=env, cwd=project)
    assert older.code == 3 and f"roll back {VERSION} first" in older.stderr

    forced = run_toolkit("rollback", VERSION, "--yes", "--force", "--json", env=env, cwd=project)
    assert forced.code == 0, forced.output
    assert f"dropped column agent_tasks.review_note ({values} non-null values)" in \
        forced.json["notes"]
    assert _column_and_index(stack, db) == (False, False)
    assert _history(stack, db) == ["20261126021500"]
    with admin(stack, db) as conn:  # the rows stay; only the column went
        assert conn.execute("select count(*) from agent_tasks").fetchone() == (2 * values,)


def test_empty_column_needs_no_force(stack: LocalStack, db: str, project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    _second_migration(project)
    run_toolkit("apply", env=env, cwd=project)
    done = run_toolkit("rollback", "--yes", env=env, cwd=project)
    assert done.code == 0, done.output
    assert "review_note (0 non-null values)" in done.stdout
    # Then the seed's own rollback, as before.
    seed = run_toolkit("rollback", "--yes", env=env, cwd=project)
    assert seed.code == 0, seed.output
    assert _history(stack, db) == []


def test_dropping_a_column_the_migration_did_not_add_is_refused(
        stack: LocalStack, db: str, project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    _second_migration(project)
    (project / "supabase/rollbacks" / f"{VERSION}_review_note.sql").write_text(
        DOWN + "alter table public.agents drop column name;\n")
    run_toolkit("apply", env=env, cwd=project)
    result = run_toolkit("rollback", "--yes", "--force", env=env, cwd=project)
    assert result.code == 3
    assert "would drop column agents.name" in result.stderr
    assert _column_and_index(stack, db) == (True, True)


def test_blocked_by_a_users_view(stack: LocalStack, db: str, project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", env=env, cwd=project).code == 0
    with admin(stack, db) as conn:
        conn.execute("create view public.open_tasks as select id, title from agent_tasks")
    result = run_toolkit("rollback", "--yes", env=env, cwd=project)
    assert result.code == 3, result.output
    assert "view open_tasks depends on table agent_tasks" in result.stderr
    assert "cascade" not in result.output.lower()
    assert result.stderr.count("\n") == 1
    assert _history(stack, db) == ["20261126021500"]
    with admin(stack, db) as conn:
        assert conn.execute("select to_regclass('public.agent_metrics')").fetchone() != (None,)


def test_missing_and_empty_rollback_files(db: str, project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", env=env, cwd=project).code == 0
    rollback = next((project / "supabase/rollbacks").glob("*.sql"))
    rollback.write_text("-- nothing yet\n")
    empty = run_toolkit("rollback", "--yes", env=env, cwd=project)
    assert empty.code == 2 and "is empty" in empty.stderr
    shutil.rmtree(project / "supabase/rollbacks")
    missing = run_toolkit("rollback", "--yes", env=env, cwd=project)
    assert missing.code == 2 and "no rollback file" in missing.stderr


def test_cascade_in_a_rollback_file_is_refused(stack: LocalStack, db: str,
                                               project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", env=env, cwd=project).code == 0
    rollback = next((project / "supabase/rollbacks").glob("*.sql"))
    rollback.write_text("drop table public.agent_tasks cascade;\n")
    result = run_toolkit("rollback", "--yes", "--force", env=env, cwd=project)
    assert result.code == 3 and "CASCADE would also drop" in result.stderr
    assert _history(stack, db) == ["20261126021500"]
