"""History rows as the Supabase CLI writes them: `supabase db push` and `toolkit apply` store
the same statements for the same file, statement for statement, whatever the file's comments."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import admin, run_toolkit
from tests.corpus.projects import migrations_dir, project_dir, schema_dump
from tests.safety.test_supabase_cli import supabase
from toolkit.local import LocalStack, create_database, drop_database

# Each file: comments before, between and after statements, a dollar-quoted body with a
# semicolon in it, and a comment chunk after the last semicolon (the CLI keeps it as one more
# statement).
FILES = {
    "20250101000000_trailing_comment.sql":
        "-- head comment\ncreate table public.a (id int);\n-- between\n"
        "create table public.b (id int); -- same line\n\n-- trailing comment\n",
    "20250101000001_block_comment.sql":
        "create function public.f() returns int language sql as $$ select 1; $$;\n"
        "/* a block comment\n   at the end */\n",
    "20250101000002_no_final_semicolon.sql":
        "create table public.c (id int);\ncreate table public.d (id int)\n",
}


def _project(root: Path) -> Path:
    folder = root / "supabase" / "migrations"
    folder.mkdir(parents=True)
    for name, text in FILES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _rows(stack: LocalStack, db: str) -> dict[str, Any]:
    with admin(stack, db) as conn:
        return {v: s for v, s in conn.execute(
            "select version, statements from supabase_migrations.schema_migrations "
            "order by version").fetchall()}


def test_history_rows_match_the_cli(stack: LocalStack, db: str, tmp_path: Path) -> None:
    """The CLI pushes the files to one database, toolkit applies them to another: the rows are
    equal, and each tool sees the other's history as its own (nothing changed, nothing
    pending)."""
    folder = _project(tmp_path / "p")
    pushed = supabase("db", "push", f"--remote={db}", "--yes", cwd=tmp_path / "p")
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    theirs = _rows(stack, db)
    assert len(theirs["20250101000000"]) == 3, theirs  # the trailing comment chunk is kept

    other = create_database(stack, f"t_{uuid.uuid4().hex[:12]}")
    try:
        done = run_toolkit("apply", "--migrations-dir", str(folder),
                           env={"SUPABASE_DB_URL": other})
        assert done.code == 0, done.output
        assert _rows(stack, other) == theirs
    finally:
        drop_database(stack, other.rsplit("/", 1)[1].split("?")[0])
    check = run_toolkit("check", "--json", "--migrations-dir", str(folder),
                        env={"SUPABASE_DB_URL": db})
    assert check.code == 0, check.output
    assert check.json["pending"] == []
    assert not any("changed after it was applied" in p["message"]
                   for p in check.json["problems"]), check.output


@pytest.mark.parametrize("project", ["mid-file-transaction", "db-pull-dump"])
def test_cli_and_toolkit_agree_on_a_project(project: str, stack: LocalStack, db: str,
                                            tmp_path: Path) -> None:
    """`supabase db push` and `toolkit apply` of the same files: same schema, same rows."""
    workdir = tmp_path / project
    shutil.copytree(project_dir(project), workdir)
    pushed = supabase("db", "push", f"--remote={db}", "--yes", cwd=workdir)
    assert pushed.returncode == 0, pushed.stdout + pushed.stderr
    other = create_database(stack, f"t_{uuid.uuid4().hex[:12]}")
    name = other.rsplit("/", 1)[1].split("?")[0]
    try:
        done = run_toolkit("apply", "--migrations-dir", str(migrations_dir(project)),
                           env={"SUPABASE_DB_URL": other})
        assert done.code == 0, done.output
        assert _rows(stack, other) == _rows(stack, db)
        assert schema_dump(stack, name) == schema_dump(stack, db.rsplit("/", 1)[1].split("?")[0])
    finally:
        drop_database(stack, name)
