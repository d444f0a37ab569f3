"""`toolkit migration squash` on the real local stack: every corpus history in tests/projects
squashed into one file, which toolkit then applies on a fresh project with the same
`pg_dump --schema-only` as psql's replay of the original files; the rows the files wrote are
named as lost, as the Supabase CLI warns; and `--linked` baselines a database's history as the
CLI does, after which check is clean and nothing is pending."""

from __future__ import annotations

import difflib
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import admin, run_toolkit
from tests.corpus.conftest import psql_db  # noqa: F401  (a fixture)
from tests.corpus.projects import (
    PROJECTS,
    migration_files,
    project_dir,
    psql_apply,
    schema_dump,
)
from toolkit.local import LocalStack
from toolkit.project.statements import split

# One file only: nothing to squash (the CLI says so, and so does toolkit; tested below).
SINGLE = tuple(p for p in PROJECTS if len(migration_files(p)) == 1)
SQUASHED = [p for p in PROJECTS if p not in SINGLE]
# pg-delta 1.0.0-alpha.34 writes a column that needs another object (a default calling
# auth.uid(), an enum type of the project, a generated expression) after the others: the same
# schema by name, another column order. squash names each such table; pg_dump is compared with
# the columns of each table sorted for these projects only.
COLUMN_ORDER = {"db-diff", "multi-tenant", "normal-forms", "storage-avatars"}
# Projects whose files write rows: the squash must name each such statement.
WRITES_ROWS = {"storage-avatars": "insert into storage.buckets"}


def _dbname(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def _copy(project: str, tmp_path: Path) -> Path:
    shutil.copytree(project_dir(project), tmp_path / project)
    return tmp_path / project / "supabase" / "migrations"


def _sorted_runs(lines: list[str], inside: Callable[[str], bool]) -> list[str]:
    """`lines` with each run of consecutive lines that `inside` accepts sorted."""
    out: list[str] = []
    run: list[str] = []
    for line in [*lines, "\0"]:
        if inside(line):
            run.append(line)
            continue
        out += sorted(run)
        run = []
        out.append(line)
    return out[:-1]


def _same_privileges(dump: list[str]) -> list[str]:
    """pg_dump lists a table's grants in the order they were given: a set all the same."""
    return _sorted_runs(dump, lambda line: line.startswith(("GRANT ", "REVOKE ")))


def _columns_by_name(dump: list[str]) -> list[str]:
    """The column lines of each CREATE TABLE sorted (their trailing commas dropped)."""
    out, in_table = [], False
    for line in dump:
        if line.startswith("CREATE TABLE "):
            in_table = True
        elif line.startswith(");"):
            in_table = False
        out.append(f"\t{line.rstrip(',')}" if in_table and line.startswith("    ")
                   and not line.lstrip().startswith("CONSTRAINT ") else line)
    return _sorted_runs(out, lambda line: line.startswith("\t"))


def _sql_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.sql"))


@pytest.mark.parametrize("project", SQUASHED)
def test_squashed_history_replays_to_the_same_schema(project: str, stack: LocalStack, db: str,
                                                    psql_db: str,  # noqa: F811
                                                    tmp_path: Path) -> None:
    folder = _copy(project, tmp_path)
    originals = migration_files(project)
    squashed = run_toolkit("migration", "squash", "--json", "--migrations-dir", str(folder),
                           timeout=300)
    assert squashed.code == 0, squashed.output
    doc = squashed.json
    remaining = _sql_files(folder)
    assert [p.name for p in remaining] == [originals[-1].name], remaining
    assert doc["file"] == str(remaining[0]) and len(doc["removed"]) == len(originals) - 1
    assert remaining[0].read_text(encoding="utf-8") != originals[-1].read_text(encoding="utf-8")
    if project in WRITES_ROWS:
        assert any(WRITES_ROWS[project] in lost.lower() for lost in doc["data_statements_lost"]), \
            doc["data_statements_lost"]

    applied = run_toolkit("apply", "--no-verify", "--migrations-dir", str(folder),
                          env={"SUPABASE_DB_URL": db})
    assert applied.code == 0, applied.output
    psql_apply(stack.db_url(psql_db), originals)
    ours = _same_privileges(schema_dump(stack, _dbname(db)))
    theirs = _same_privileges(schema_dump(stack, psql_db))
    assert bool(doc["reordered_columns"]) == (project in COLUMN_ORDER), doc["reordered_columns"]
    if project in COLUMN_ORDER:
        assert ours != theirs, "the column order is the same: take the project out"
        ours, theirs = _columns_by_name(ours), _columns_by_name(theirs)
    assert ours == theirs, "\n".join(difflib.unified_diff(
        theirs, ours, "the original files (psql)", "the squashed file (toolkit)", lineterm="",
        n=2))


def test_one_file_is_already_the_earliest(tmp_path: Path) -> None:
    project = SINGLE[0] if SINGLE else "db-pull"
    folder = _copy(project, tmp_path)
    before = {p.name: p.read_bytes() for p in _sql_files(folder)}
    result = run_toolkit("migration", "squash", "--migrations-dir", str(folder))
    assert result.code == 0, result.output
    assert "already the earliest migration" in result.stdout
    assert {p.name: p.read_bytes() for p in _sql_files(folder)} == before


def test_squash_up_to_a_version(db: str, tmp_path: Path) -> None:
    folder = _copy("profiles-auth", tmp_path)
    files = migration_files("profiles-auth")
    upto = files[1].name.split("_", 1)[0]
    result = run_toolkit("migration", "squash", "--version", upto, "--json",
                         "--migrations-dir", str(folder), timeout=300)
    assert result.code == 0, result.output
    assert [p.name for p in _sql_files(folder)] == [f.name for f in files[1:]]
    applied = run_toolkit("apply", "--no-verify", "--migrations-dir", str(folder),
                          env={"SUPABASE_DB_URL": db})
    assert applied.code == 0, applied.output
    missing = run_toolkit("migration", "squash", "--version", "19990101000000",
                          "--migrations-dir", str(folder))
    assert missing.code == 2 and "no local migration file has version" in missing.stderr


def test_linked_baselines_the_history(stack: LocalStack, db: str, tmp_path: Path) -> None:
    project = "multi-tenant"
    folder = _copy(project, tmp_path)
    env = {"SUPABASE_DB_URL": db}
    applied = run_toolkit("apply", "--no-verify", "--migrations-dir", str(folder), env=env)
    assert applied.code == 0, applied.output
    before = schema_dump(stack, _dbname(db))

    refused = run_toolkit("migration", "squash", "--linked", "--migrations-dir", str(folder),
                          env=env)
    assert refused.code == 2 and "--yes" in refused.stderr, refused.output

    result = run_toolkit("migration", "squash", "--linked", "--yes", "--json",
                         "--migrations-dir", str(folder), env=env, timeout=300)
    assert result.code == 0, result.output
    new = Path(result.json["file"])
    with admin(stack, db) as conn:
        rows = conn.execute("select version, name, statements from "
                            "supabase_migrations.schema_migrations order by version").fetchall()
    version, name = new.stem.split("_", 1)
    assert [(r[0], r[1]) for r in rows] == [(version, name)], rows
    assert tuple(rows[0][2]) == split(new.read_text(encoding="utf-8"))
    assert schema_dump(stack, _dbname(db)) == before  # the history only: no SQL ran

    check = run_toolkit("check", "--migrations-dir", str(folder), env=env)
    assert check.code == 0, check.output
    plan = run_toolkit("plan", "--json", "--migrations-dir", str(folder), env=env)
    assert plan.code == 0 and not plan.json.get("pending"), plan.output


def test_linked_refuses_a_database_that_lacks_the_files(db: str, tmp_path: Path) -> None:
    folder = _copy("alter-history", tmp_path)
    before = {p.name: p.read_bytes() for p in _sql_files(folder)}
    result = run_toolkit("migration", "squash", "--linked", "--yes",
                         "--migrations-dir", str(folder), env={"SUPABASE_DB_URL": db})
    assert result.code == 3, result.output
    assert "has not applied" in result.stderr
    assert {p.name: p.read_bytes() for p in _sql_files(folder)} == before
