"""Words: plurals, one masking style, one error prefix, SQL names, GitHub files only where the
runner says."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from tests.conftest import run_toolkit
from toolkit.local import LocalStack
from toolkit.output.text import _kinds
from toolkit.words import node_name, plural


def test_plural_and_node_names() -> None:
    assert plural(1, "index") == "1 index" and plural(2, "index") == "2 indexes"
    assert plural(0, "row") == "0 rows" and plural(1, "object") == "1 object"
    assert _kinds({"table": 1, "index": 1, "row level security": 1}) == \
        "1 table, 1 index, RLS on 1 table"
    assert node_name("AT_AddColumn") == "ADD COLUMN"
    assert node_name("AT_DropColumn") == "DROP COLUMN"
    assert node_name("VacuumStmt") == "VACUUM"


def test_syntax_error_has_one_prefix(migrations_copy: Path) -> None:
    (migrations_copy / "20990101000000_bad.sql").write_text("create tabel x ();\n")
    result = run_toolkit("plan", "--migrations-dir", str(migrations_copy))
    assert result.code == 1
    assert "20990101000000_bad.sql:1:8: syntax error at or near" in result.stderr
    assert "syntax error: syntax error" not in result.stderr


def test_plan_names_the_sql_not_the_parser_node(migrations_copy: Path) -> None:
    (migrations_copy / "20990101000000_alter.sql").write_text(
        "alter table public.agents add column nickname text;\n"
        "alter table public.agents drop column nickname;\n")
    result = run_toolkit("plan", "--json", "--migrations-dir", str(migrations_copy))
    text = result.stdout
    assert "ADD COLUMN" in text and "DROP COLUMN" in text
    assert "AT_" not in text


def test_one_masking_style(stack: LocalStack, db: str) -> None:
    """`toolkit local start` printed `****`, everything else `***`: now all say `***`."""
    from typer.testing import CliRunner

    from toolkit.local.cli import app

    started = CliRunner().invoke(app, ["start", "--state-dir", str(stack.state_dir)])
    assert "postgresql://postgres:***@" in started.output and "****" not in started.output
    wrong = run_toolkit("check", "--db-url", db.replace("@", "x@", 1))
    assert wrong.code == 2 and ":***@" in wrong.stderr and "****" not in wrong.stderr


def test_github_mode_outside_a_runner_writes_no_file(db: str, tmp_path: Path) -> None:
    before = set(os.listdir(tempfile.gettempdir()))
    result = run_toolkit("check", "--format", "github", env={"SUPABASE_DB_URL": db,
                                                              "TMPDIR": str(tmp_path)})
    assert result.code in (0, 1), result.output
    assert "::" in result.stdout  # GitHub commands were printed
    assert list(tmp_path.iterdir()) == []
    assert not {n for n in set(os.listdir(tempfile.gettempdir())) - before
                if n.startswith("toolkit-check")}
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    inside = run_toolkit("check", "--format", "github", env={
        "SUPABASE_DB_URL": db, "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(tmp_path)})
    assert inside.code in (0, 1)
    assert summary.read_text() and "status=" in output.read_text()
    assert (tmp_path / "toolkit-check-report.json").is_file()
