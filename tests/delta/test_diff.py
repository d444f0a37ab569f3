"""`toolkit diff` on the real local stack: declared files (supabase/schemas) against the
migrations, the generated file applied by `toolkit apply`, the result compared with what psql
makes of the declared files; destructive statements marked and refused; no Node.js."""

from __future__ import annotations

import os
import re
import shutil
import sys
import uuid
from pathlib import Path

import psycopg

from tests.conftest import admin, run_toolkit
from tests.corpus.projects import psql_apply, schema_dump
from toolkit.local import LocalStack, create_database, drop_database

NOTES = """create table public.notes (
  id bigint generated always as identity primary key,
  body text not null
);
alter table public.notes enable row level security;
"""
# The declared schema: notes gains a column (at its end, as Supabase's docs advise), and a new
# table with a foreign key, an index, RLS, a policy and its own grants.
DECLARED_NOTES = """create table public.notes (
  id bigint generated always as identity primary key,
  body text not null,
  title text not null default ''
);
alter table public.notes enable row level security;
"""
DECLARED_TAGS = """create table public.note_tags (
  id bigint generated always as identity primary key,
  note_id bigint not null references public.notes (id) on delete cascade,
  tag text not null
);
create index note_tags_note_id_idx on public.note_tags (note_id);
alter table public.note_tags enable row level security;
create policy "tags are readable" on public.note_tags for select to authenticated
  using (true);
revoke all on table public.note_tags from anon, authenticated;
grant select on table public.note_tags to authenticated;
"""


def make_project(root: Path, migrations: dict[str, str], schemas: dict[str, str]) -> Path:
    for folder, files in (("migrations", migrations), ("schemas", schemas)):
        (root / "supabase" / folder).mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (root / "supabase" / folder / name).write_text(text, encoding="utf-8")
    return root


def new_files(project: Path, before: set[str]) -> list[Path]:
    return sorted(p for p in (project / "supabase" / "migrations").iterdir()
                  if p.name not in before)


def test_declared_files_to_a_proven_migration_applied(stack: LocalStack, db: str,
                                                     tmp_path: Path) -> None:
    project = make_project(tmp_path / "project",
                           {"20260101000000_notes.sql": NOTES},
                           {"10_notes.sql": DECLARED_NOTES, "20_note_tags.sql": DECLARED_TAGS})
    env = {"SUPABASE_DB_URL": db}
    applied = run_toolkit("apply", "--no-verify", env=env, cwd=project)
    assert applied.code == 0, applied.output

    shown = run_toolkit("diff", cwd=project)
    assert shown.code == 1, shown.output  # the migrations lack what the schemas declare
    assert "create table \"public\".\"note_tags\"" in shown.stdout.lower()
    assert 'add column "title"' in shown.stdout.lower()
    assert shown.stderr.strip().splitlines()[-1].startswith("INCOMPLETE:"), shown.stderr
    before = {p.name for p in (project / "supabase" / "migrations").iterdir()}
    assert len(before) == 1  # printing writes nothing

    made = run_toolkit("diff", "-f", "add_note_tags", "--json", cwd=project)
    assert made.code == 0, made.output
    doc = made.json
    assert doc["proof"]["ok"] is True and doc["proof"]["differences"] == []
    assert not any(s["destructive"] for s in doc["statements"])
    [written] = new_files(project, before)
    assert re.fullmatch(r"\d{14}_add_note_tags\.sql", written.name), written.name
    assert doc["written"].endswith(written.name)
    assert written.read_text(encoding="utf-8") == doc["sql"]

    again = run_toolkit("apply", "--no-verify", env=env, cwd=project)
    assert again.code == 0, again.output
    assert "no schema changes" in run_toolkit("diff", cwd=project).stderr

    # What toolkit made equals what psql makes of the declared files in a fresh database.
    name = f"t_{uuid.uuid4().hex[:12]}"
    declared_url = create_database(stack, name)
    try:
        psql_apply(declared_url, sorted((project / "supabase" / "schemas").iterdir()))
        mine = schema_dump(stack, db.rsplit("/", 1)[1].split("?")[0])
        assert mine == schema_dump(stack, name)
    finally:
        drop_database(stack, name)
    check = run_toolkit("check", "--json", env=env, cwd=project)
    assert check.code == 0, check.output


def test_a_destructive_statement_is_marked_and_refused(stack: LocalStack, db: str,
                                                      tmp_path: Path) -> None:
    with_legacy = NOTES.replace("body text not null", "body text not null,\n  legacy text")
    project = make_project(tmp_path / "project",
                           {"20260101000000_notes.sql": with_legacy},
                           {"10_notes.sql": NOTES})
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", "--no-verify", env=env, cwd=project).code == 0
    with admin(stack, db) as conn:
        conn.execute("insert into public.notes (body, legacy) values ('a', 'kept'), ('b', 'x')")
    before = {p.name for p in (project / "supabase" / "migrations").iterdir()}
    made = run_toolkit("diff", "-f", "drop_legacy", "--json", cwd=project)
    assert made.code == 0, made.output
    [drop] = [s for s in made.json["statements"] if s["destructive"]]
    assert 'drop column "legacy"' in drop["sql"].lower() and drop["loses_data"]
    [written] = new_files(project, before)
    lines = written.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if 'drop column "legacy"' in line.lower())
    assert lines[at - 1].startswith("-- toolkit: destructive: loses data"), lines

    plan = run_toolkit("plan", "--json", env=env, cwd=project)
    assert plan.code == 0, plan.output
    notes = [w["message"] for p in plan.json["planned"] for w in p["warnings"]]
    assert any("destroys data" in n and "legacy" in n for n in notes), notes
    refused = run_toolkit("apply", "--no-verify", env=env, cwd=project)
    assert refused.code == 3, refused.output
    assert "--allow-destructive" in refused.output
    with admin(stack, db) as conn:  # nothing ran: the column and its values are there
        assert conn.execute("select count(legacy) from public.notes").fetchone() == (2,)
    done = run_toolkit("apply", "--no-verify", "--allow-destructive", env=env, cwd=project)
    assert done.code == 0, done.output
    with admin(stack, db) as conn:
        assert conn.execute("select count(*) from information_schema.columns where "
                            "table_name = 'notes' and column_name = 'legacy'").fetchone() == (0,)
    assert run_toolkit("diff", cwd=project).code == 0


def test_a_rename_is_written_as_drop_and_add_with_a_warning(tmp_path: Path) -> None:
    with_legacy = NOTES.replace("body text not null", "body text not null,\n  legacy text")
    renamed = NOTES.replace("body text not null", "body text not null,\n  old_note text")
    project = make_project(tmp_path / "project", {"20260101000000_notes.sql": with_legacy},
                           {"10_notes.sql": renamed})
    shown = run_toolkit("diff", "--json", cwd=project)
    assert shown.code == 1, shown.output
    sql = shown.json["sql"].lower()
    assert 'drop column "legacy"' in sql and 'add column "old_note"' in sql, sql
    assert "rename" not in sql
    assert any("rename" in w for w in shown.json["warnings"]), shown.json["warnings"]
    assert shown.json["cached"] is False and "shadows" in shown.json["seconds"]
    again = run_toolkit("diff", "--json", cwd=project)  # the same files: no shadow started
    assert again.code == 1 and again.json["cached"] is True, again.output
    assert "shadows" not in again.json["seconds"]
    assert again.json["sql"] == shown.json["sql"]
    assert again.json["warnings"] == shown.json["warnings"]


def test_a_declared_file_that_fails_writes_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {"20260101000000_notes.sql": NOTES},
                           {"10_notes.sql": NOTES + "create index on public.notes (nope);\n"})
    shown = run_toolkit("diff", "-f", "x", cwd=project)
    assert shown.code == 1, shown.output
    assert "10_notes.sql:6" in shown.stderr and "nope" in shown.stderr, shown.stderr
    assert len(list((project / "supabase" / "migrations").iterdir())) == 1


def test_schema_paths_of_config_toml_choose_and_order_the_files(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {"20260101000000_notes.sql": NOTES},
                           {"b_notes.sql": DECLARED_NOTES, "a_tags.sql": DECLARED_TAGS,
                            "z_ignored.sql": "create table public.ignored (id int);\n"})
    (project / "supabase" / "config.toml").write_text(
        '[db.migrations]\nschema_paths = ["./schemas/b_notes.sql", "./schemas/a_*.sql"]\n')
    shown = run_toolkit("diff", "--json", cwd=project)
    assert shown.code == 1, shown.output
    assert [Path(p).name for p in shown.json["declared"]] == ["b_notes.sql", "a_tags.sql"]
    assert "ignored" not in shown.json["sql"]


def test_no_declared_schema_is_one_line(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {"20260101000000_notes.sql": NOTES}, {})
    shown = run_toolkit("diff", cwd=project)
    assert shown.code == 2, shown.output
    assert shown.stdout == "" and len(shown.stderr.strip().splitlines()) == 1, shown.stderr
    assert "no declared schema" in shown.stderr


def test_without_node_diff_says_so_in_one_line(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {"20260101000000_notes.sql": NOTES},
                           {"10_notes.sql": DECLARED_NOTES})
    # A PATH that holds what toolkit runs besides Node.js (this Python), and no node.
    bare = tmp_path / "bin"
    bare.mkdir()
    os.symlink(sys.executable, bare / "python3")
    assert shutil.which("node", path=str(bare)) is None
    shown = run_toolkit("diff", "-f", "x", env={"PATH": str(bare)}, cwd=project)
    assert shown.code == 2, shown.output
    lines = shown.stderr.strip().splitlines()
    assert len(lines) == 1 and "Node.js" in lines[0] and "node is not on PATH" in lines[0], lines
    assert "Traceback" not in shown.output
    assert len(list((project / "supabase" / "migrations").iterdir())) == 1


def test_check_fix_sql_prints_what_makes_the_target_match(stack: LocalStack, db: str,
                                                         tmp_path: Path) -> None:
    project = make_project(tmp_path / "project",
                           {"20260101000000_notes.sql": NOTES + DECLARED_TAGS}, {})
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", "--no-verify", env=env, cwd=project).code == 0
    with psycopg.connect(db, autocommit=True) as conn:  # by hand, as the dashboard would
        conn.execute("drop index public.note_tags_note_id_idx; "
                     "drop policy \"tags are readable\" on public.note_tags")
    plain = run_toolkit("check", "--json", env=env, cwd=project)
    fixed = run_toolkit("check", "--json", "--fix-sql", env=env, cwd=project)
    assert fixed.code == plain.code == 1, fixed.output
    sql = fixed.json["fix_sql"]["sql"]
    assert "CREATE INDEX note_tags_note_id_idx" in sql and "CREATE POLICY" in sql, sql
    with admin(stack, db) as conn:  # check ran nothing
        assert conn.execute("select count(*) from pg_indexes where indexname = "
                            "'note_tags_note_id_idx'").fetchone() == (0,)
    text = run_toolkit("check", "--fix-sql", env=env, cwd=project)
    assert text.code == 1 and "Fix SQL" in text.stdout and "CREATE POLICY" in text.stdout
    with psycopg.connect(db, autocommit=True) as conn:  # the statements do what they say
        conn.execute(sql)
    assert run_toolkit("check", env=env, cwd=project).code == 0


def test_a_type_change_that_rewrites_is_marked_and_planned(tmp_path: Path) -> None:
    counted = NOTES.replace("body text not null", "body text not null,\n  hits integer")
    wider = NOTES.replace("body text not null", "body text not null,\n  hits bigint")
    project = make_project(tmp_path / "project", {"20260101000000_notes.sql": counted},
                           {"10_notes.sql": wider})
    before = {p.name for p in (project / "supabase" / "migrations").iterdir()}
    made = run_toolkit("diff", "-f", "widen_hits", "--json", cwd=project)
    assert made.code == 0, made.output
    [change] = [s for s in made.json["statements"] if s["destructive"]]
    assert change["rewrites"] and not change["loses_data"], change
    [written] = new_files(project, before)
    lines = written.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "type bigint" in line.lower())
    assert lines[at - 1].startswith("-- toolkit: destructive: rewrites the table"), lines
    plan = run_toolkit("plan", "--json", cwd=project)  # no database: every file is pending
    notes = [w["message"] for p in plan.json["planned"] for w in p["warnings"]]
    assert any(n.startswith("destructive") and "TYPE hits" in n for n in notes), notes
