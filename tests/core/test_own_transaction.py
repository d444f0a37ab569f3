"""A file that controls its own transaction (BEGIN ... COMMIT in the middle, as psql and
`supabase db push` accept): apply runs it as written, statement by statement, and says so."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import admin, run_toolkit
from toolkit.local import LocalStack

FILE = ("create table public.before_block (id int);\n"
        "begin;\n"
        "create table public.in_block (id int);\n"
        "{inside}\n"
        "commit;\n"
        "create table public.after_block (id int);\n")


def _tables(stack: LocalStack, db: str) -> set[str]:
    with admin(stack, db) as conn:
        return {r[0] for r in conn.execute(
            "select tablename from pg_tables where schemaname = 'public'").fetchall()}


def test_mid_file_block_applies_and_is_said(stack: LocalStack, db: str, tmp_path: Path) -> None:
    (tmp_path / "20250101000000_own.sql").write_text(
        FILE.format(inside="alter table public.in_block add column v int;"))
    env = {"SUPABASE_DB_URL": db}
    planned = run_toolkit("plan", "--migrations-dir", str(tmp_path), env=env)
    assert planned.code == 0, planned.output
    assert "controls its own transaction (BEGIN)" in planned.stdout
    done = run_toolkit("apply", "--migrations-dir", str(tmp_path), env=env)
    assert done.code == 0, done.output
    assert "runs statement by statement" in done.stdout
    assert {"before_block", "in_block", "after_block"} <= _tables(stack, db)
    assert run_toolkit("check", "--migrations-dir", str(tmp_path), env=env).code == 0


def test_failure_inside_the_block_rolls_the_block_back(stack: LocalStack, db: str,
                                                        tmp_path: Path) -> None:
    """As psql: what ran before the block stays, the failed block is rolled back whole, and no
    history row is written. The shadow sees the failure first, so apply refuses before any DDL
    unless the failure is one only the target shows: here a row the shadow lacks."""
    with admin(stack, db) as conn:
        conn.execute("create table public.seen (id int primary key); "
                     "insert into public.seen values (1)")
    (tmp_path / "20250101000000_own.sql").write_text(
        FILE.format(inside="insert into public.seen values (1);"))
    done = run_toolkit("apply", "--migrations-dir", str(tmp_path),
                       env={"SUPABASE_DB_URL": db})
    assert done.code == 1, done.output
    assert "controls its own transaction, so it runs statement by statement: statements " \
        "applied: line 1; not applied: line 3, line 4, line 6" in done.stdout, done.output
    assert _tables(stack, db) - {"agents"} == {"seen", "before_block"}
    with admin(stack, db) as conn:
        assert conn.execute("select to_regclass('supabase_migrations.schema_migrations')"
                            ).fetchone() == (None,)  # no history row: not even the table
