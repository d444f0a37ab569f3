"""`toolkit local reset`: the database recreated from the template, the migrations re-applied
through apply, then supabase/seed.sql, as `supabase db reset` does."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.conftest import MIGRATIONS, NEW_TABLES, run_toolkit
from toolkit.local import LocalStack, start, throwaway_state_dir


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    """A stack of its own: reset replaces the `postgres` database that other tests share."""
    with throwaway_state_dir("toolkit-reset-") as state_dir:
        yield start(state_dir)


def _project(tmp_path: Path, seed: str | None) -> Path:
    root = tmp_path / "project"
    shutil.copytree(MIGRATIONS, root / "supabase" / "migrations")
    if seed is not None:
        (root / "supabase" / "seed.sql").write_text(seed)
    return root


def _reset(stack: LocalStack, root: Path) -> tuple[int, str]:
    result = run_toolkit("local", "reset", "--state-dir", str(stack.state_dir), cwd=root)
    return result.code, result.output


def test_reset_recreates_reapplies_and_seeds(stack: LocalStack, tmp_path: Path) -> None:
    root = _project(tmp_path, "insert into public.agents (name) values ('seeded');\n")
    with psycopg.connect(stack.db_url(), autocommit=True) as conn:
        conn.execute("create table public.scratch_before_reset (id int)")
    code, output = _reset(stack, root)
    assert code == 0, output
    assert "seeded from" in output
    with psycopg.connect(stack.db_url()) as conn:
        assert conn.execute(
            "select to_regclass('public.scratch_before_reset')").fetchone() == (None,)
        present = {r[0] for r in conn.execute(
            "select tablename from pg_tables where schemaname = 'public'").fetchall()}
        assert set(NEW_TABLES) <= present
        versions = [r[0] for r in conn.execute(
            "select version from supabase_migrations.schema_migrations").fetchall()]
        assert versions == [p.name.split("_", 1)[0] for p in sorted(MIGRATIONS.glob("*.sql"))]
        # The template's two demo agents plus the seed's one.
        assert conn.execute("select count(*) from public.agents").fetchone() == (3,)
        assert conn.execute("select to_regclass('auth.users') is not null").fetchone() == (True,)
    # A second reset starts from scratch again: the seed's row is there once, not twice.
    code, output = _reset(stack, root)
    assert code == 0, output
    with psycopg.connect(stack.db_url()) as conn:
        assert conn.execute(
            "select count(*) from public.agents where name = 'seeded'").fetchone() == (1,)


def test_seed_paths_of_config_toml(stack: LocalStack, tmp_path: Path) -> None:
    """[db.seed] sql_paths, as `supabase db reset` reads them: in order, globs sorted."""
    root = _project(tmp_path, "insert into public.agents (name) values ('not this one');\n")
    (root / "supabase" / "config.toml").write_text(
        '[db.seed]\nsql_paths = ["./seeds/*.sql"]\n')
    (root / "supabase" / "seeds").mkdir()
    # b renames what a inserts: in the other order b would change nothing.
    (root / "supabase" / "seeds" / "a.sql").write_text(
        "insert into public.agents (name) values ('from a');\n")
    (root / "supabase" / "seeds" / "b.sql").write_text(
        "update public.agents set name = 'from b' where name = 'from a';\n")
    code, output = _reset(stack, root)
    assert code == 0, output
    assert output.index("seeds/a.sql") < output.index("seeds/b.sql")
    with psycopg.connect(stack.db_url()) as conn:
        names = {r[0] for r in conn.execute("select name from public.agents")}
    assert "from b" in names and "from a" not in names and "not this one" not in names


def test_a_failing_seed_exits_1_and_keeps_none_of_it(stack: LocalStack, tmp_path: Path) -> None:
    root = _project(tmp_path, "insert into public.agents (name) values ('half');\n"
                              "insert into public.no_such_table values (1);\n")
    code, output = _reset(stack, root)
    assert code == 1, output
    assert "seed.sql failed" in output and "no_such_table" in output
    assert "Traceback" not in output
    with psycopg.connect(stack.db_url()) as conn:
        assert conn.execute(
            "select count(*) from public.agents where name = 'half'").fetchone() == (0,)


def test_reset_without_a_stack_is_one_line(tmp_path: Path) -> None:
    root = _project(tmp_path, None)
    result = run_toolkit("local", "reset", "--state-dir", str(tmp_path / "none"), cwd=root)
    assert result.code == 3
    assert result.stderr.strip().count("\n") == 0 and "toolkit local start" in result.stderr
