"""Files applied by hand first (the seed's own path: pasted into the SQL editor, or run with
psql): a database that holds what the first N files make, with no history row, is judged
against the state after those N files; apply records their rows without running them
(adopts them), then applies the rest."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import admin, run_toolkit
from tests.corpus.projects import migration_files, migrations_dir, psql_apply
from toolkit.local import LocalStack

PROJECT = "applied-by-hand"


def _history(stack: LocalStack, db: str) -> list[str]:
    with admin(stack, db) as conn:
        if conn.execute("select to_regclass('supabase_migrations.schema_migrations')"
                        ).fetchone() == (None,):
            return []
        return [r[0] for r in conn.execute(
            "select version from supabase_migrations.schema_migrations order by 1")]


def test_first_file_applied_by_hand_is_adopted(stack: LocalStack, db: str) -> None:
    first, second, third = migration_files(PROJECT)
    psql_apply(db, [first])  # as the postgres role, as the SQL editor runs it
    env = {"SUPABASE_DB_URL": db}
    folder = str(migrations_dir(PROJECT))

    check = run_toolkit("check", "--json", "--migrations-dir", folder, env=env)
    assert check.code == 1, check.output  # incomplete: files 2-3 are pending
    notes = check.json["tables"]
    table = next(t for t in notes if t["name"] == "notes")
    assert table["database"] == "pending", table  # matches file 1; files 2-3 change it
    assert table["differences"] == [], table
    assert check.json["adopt"] == ["20250501000000"]
    assert not [p for p in check.json["problems"] if p["kind"] == "drift"], check.output

    plan = run_toolkit("plan", "--migrations-dir", folder, env=env)
    assert plan.code == 0, plan.output
    assert "without running the SQL (adopt), then applies " + second.name + ", " + third.name \
        in plan.stdout, plan.output

    done = run_toolkit("apply", "--json", "--migrations-dir", folder, env=env)
    assert done.code == 0, done.output
    assert "adopted " + first.name + ": its history row is recorded" in "\n".join(
        done.json["notes"])
    assert [a["version"] for a in done.json["applied"]] == ["20250502000000", "20250503000000"]
    assert _history(stack, db) == ["20250501000000", "20250502000000", "20250503000000"]
    again = run_toolkit("check", "--migrations-dir", folder, env=env)
    assert again.code == 0, again.output


def test_a_table_that_matches_no_prefix_is_still_drift(stack: LocalStack, db: str,
                                                       tmp_path: Path) -> None:
    """Made by hand but not as file 1 makes it: no prefix matches, apply refuses as before."""
    with admin(stack, db) as conn:
        conn.execute("set role postgres")
        conn.execute("create table public.notes (id bigint primary key, body text)")
    folder = str(migrations_dir(PROJECT))
    done = run_toolkit("apply", "--json", "--migrations-dir", folder,
                       env={"SUPABASE_DB_URL": db})
    assert done.code == 1, done.output
    assert done.json["adopt"] == []
    assert _history(stack, db) == []
