"""A migration that fails leaves nothing behind: no table, no history row, a located error."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import NEW_TABLES, admin, run_toolkit
from toolkit.local import LocalStack


def _count_tables(stack: LocalStack, db: str) -> int:
    with admin(stack, db) as conn:
        row = conn.execute("select count(*) from pg_class where relname = any(%s)",
                           [[*NEW_TABLES, "broken_table"]]).fetchone()
    assert row is not None
    return int(row[0])


def _history(stack: LocalStack, db: str) -> list[tuple[str]]:
    with admin(stack, db) as conn:
        if conn.execute("select to_regclass('supabase_migrations.schema_migrations')"
                        ).fetchone() == (None,):
            return []
        return conn.execute("select version from supabase_migrations.schema_migrations"
                            ).fetchall()


def test_failing_statement_rolls_back_the_file(stack: LocalStack, db: str,
                                               migrations_copy: Path) -> None:
    good = next(migrations_copy.glob("*.sql"))
    # The same file with one bad statement at the end, which only the server can find wrong.
    good.write_text(good.read_text() + "\ncreate table if not exists public.broken_table (\n"
                    "    id uuid default 'not-a-uuid'::uuid\n);\n")
    lines = good.read_text().splitlines()
    bad_line = next(i for i, line in enumerate(lines, 1) if "not-a-uuid" in line)
    result = run_toolkit("apply", "--json", "--migrations-dir", str(migrations_copy),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 1, result.output
    problem = next(p for p in result.json["problems"] if p["level"] == "error")
    assert problem["file"].endswith(good.name)
    assert problem["line"] == bad_line
    assert problem["col"] and problem["col"] > 1
    assert "invalid input syntax for type uuid" in problem["message"]
    assert result.json["applied"] == []
    assert _count_tables(stack, db) == 0
    assert _history(stack, db) == []
    # stderr carries no traceback
    assert "Traceback" not in result.output


def test_syntax_error_is_located_before_connecting(migrations_copy: Path) -> None:
    bad = migrations_copy / "20990101000000_bad.sql"
    bad.write_text("create table if not exists t (id uuid);\n\ncreate tabel x ();\n")
    result = run_toolkit("apply", "--migrations-dir", str(migrations_copy),
                         env={"SUPABASE_DB_URL": "postgresql://postgres@127.0.0.1:1/postgres"})
    assert result.code == 1, result.output
    assert "20990101000000_bad.sql:3:8: syntax error" in result.stderr
    assert "Traceback" not in result.output


def test_a_file_the_shadow_cannot_run_is_refused_before_any_ddl(
        stack: LocalStack, db: str, migrations_copy: Path) -> None:
    (migrations_copy / "20990101000000_broken.sql").write_text(
        "create table if not exists public.broken_table (id uuid primary key);\n"
        "select 1/0;\n")
    result = run_toolkit("apply", "--json", "--migrations-dir", str(migrations_copy),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 1
    assert result.json["applied"] == []
    assert any("division by zero" in p["message"] and p["line"] == 2 and p["sqlstate"] == "22012"
               for p in result.json["problems"])
    assert _history(stack, db) == []
    assert _count_tables(stack, db) == 0


def test_second_file_failure_keeps_first(stack: LocalStack, db: str,
                                         migrations_copy: Path) -> None:
    """A failure only the target's data can show (the shadow has no rows): the first file stays
    applied, the second is rolled back whole."""
    (migrations_copy / "20990101000000_broken.sql").write_text(
        "create table if not exists public.broken_table (id uuid primary key);\n"
        "alter table public.agents add constraint agents_name_short check (length(name) < 3);\n")
    result = run_toolkit("apply", "--json", "--migrations-dir", str(migrations_copy),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 1
    assert [a["version"] for a in result.json["applied"]] == ["20261126021500"]
    assert any("agents_name_short" in p["message"] and p["line"] == 2
               and p["sqlstate"] == "23514" for p in result.json["problems"])
    assert _history(stack, db) == [("20261126021500",)]
    with admin(stack, db) as conn:
        assert conn.execute("select to_regclass('public.broken_table')").fetchone() == (None,)


def test_non_transactional_files_are_refused(stack: LocalStack, db: str,
                                             migrations_copy: Path) -> None:
    (migrations_copy / "20990101000000_concurrent.sql").write_text(
        "create index concurrently if not exists agents_name_idx on public.agents (name);\n")
    (migrations_copy / "20990101000001_own_tx.sql").write_text(
        "create table if not exists public.x (id int);\ncommit;\n"
        "begin;\ncreate table if not exists public.y (id int);\n")
    result = run_toolkit("apply", "--migrations-dir", str(migrations_copy),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 1, result.output
    assert "CREATE INDEX CONCURRENTLY" in result.stdout
    assert "opens a transaction it never commits" in result.stdout
    # Refused before any DDL: not even the good first file ran.
    assert _count_tables(stack, db) == 0
    assert _history(stack, db) == []


def test_misnamed_file_is_skipped_with_a_warning(stack: LocalStack, db: str,
                                                 migrations_copy: Path) -> None:
    (migrations_copy / "notes.sql").write_text("drop table agents;\n")
    result = run_toolkit("apply", "--migrations-dir", str(migrations_copy),
                         env={"SUPABASE_DB_URL": db})
    assert result.code == 0, result.output
    assert "skipping notes.sql" in result.stdout
    with admin(stack, db) as conn:
        assert conn.execute("select to_regclass('public.agents')").fetchone() != (None,)
