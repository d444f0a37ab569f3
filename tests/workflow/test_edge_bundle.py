"""The Edge Function's bundle: toolkit computes what the function compares against."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg

from scripts import compare_cases as cases
from tests.conftest import OUTPUT_LOG, ROOT, SHADOW, run_toolkit
from toolkit.db.catalog import inspect, inspect_text
from toolkit.db.model import Function, Relation
from toolkit.judge import compare
from toolkit.local import LocalStack
from toolkit.project.edge_bundle import BUNDLE, FUNCTION, read_bundle

CASES = ROOT / FUNCTION / "compare.cases.json"


def edge_bundle(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUPABASE_", "TOOLKIT_"))}
    env.update(SHADOW)
    proc = subprocess.run([sys.executable, "-m", "toolkit.edge.bundle", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)
    with OUTPUT_LOG.open("a", encoding="utf-8") as log:
        log.write(f"$ python -m toolkit.edge.bundle {' '.join(args)}\n{proc.stdout}\n"
                  f"{proc.stderr}\n")
    return proc


def test_compare_cases_match_compare_py() -> None:
    """compare.ts is a port: the cases its unit test checks are what compare.py answers."""
    doc = json.loads(CASES.read_text(encoding="utf-8"))
    assert len(doc["cases"]) > 10
    for case in doc["cases"]:
        diffs = compare.relation(doc["name"], *cases.relation(case, doc["base"]))
        assert sorted(d.message for d in diffs) == case["messages"], case["title"]
        assert _findings(diffs) == case["findings"], case["title"]
    assert any(c["messages"] == [] for c in doc["cases"])
    assert sum(len(c["messages"]) for c in doc["cases"]) > 20
    fn = doc["function"]
    for case in fn["cases"]:
        got = _findings(compare.function(fn["name"], Function.from_json(fn["want"]),
                                         cases.function(case["have"])))
        assert got == case["findings"], case["title"]
    assert {p for c in doc["cases"] + fn["cases"] for _, _, p, *_ in c["findings"]} >= {
        "owner", "persistence", "replica identity", "option security_invoker", "collation",
        "privileges of PUBLIC", "name", "enabled", "body", "security", "search_path",
        "volatility"}


def test_compare_cases_of_the_other_kinds_match() -> None:
    """The judge-level kinds (sequences, schemas, extensions, Supabase's tables, publications,
    types, default privileges, the project's roles) are in the shared file too, answered as
    compare.py and judge/drift.py answer them now."""
    spec = importlib.util.spec_from_file_location("compare_cases",
                                                  ROOT / "scripts" / "compare_cases.py")
    assert spec is not None and spec.loader is not None
    cases = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cases)
    doc = json.loads(CASES.read_text(encoding="utf-8"))
    assert {c["kind"] for c in doc["kinds"]} >= {
        "sequence", "schema", "extension", "managed_table", "publications",
        "publication_members", "type", "default_privileges", "project_roles"}
    for case in doc["kinds"]:
        assert cases.answer(case["kind"], case["args"]) == case["findings"], case["title"]
    assert {p for c in doc["kinds"] if c["kind"] != "project_roles"
            for _, _, p, *_ in c["findings"]} >= {
        "owned by", "increment", "privileges of reporting", "schema", "exists", "enabled",
        "publication supabase_realtime", "owner", "privileges of authenticated"}


def _findings(diffs: list[compare.Difference]) -> list[list[str | None]]:
    return sorted([[d.message, d.object, d.property, d.expected, d.actual, d.fix_sql]
                   for d in diffs], key=lambda f: f[0] or "")


def test_the_repository_bundle_carries_the_inspect_query_as_toolkit_sends_it() -> None:
    doc = read_bundle(ROOT / BUNDLE)
    assert doc is not None
    assert doc["inspect"]["text"] == inspect_text()
    assert doc["inspect"]["text"].startswith("begin read only; set local search_path = ")
    assert [m["sha256"] for m in doc["migrations"]] == [
        hashlib.sha256(p.read_text(encoding="utf-8-sig").encode()).hexdigest()
        for p in sorted((ROOT / "supabase" / "migrations").glob("*.sql"))]


def test_check_flag_of_the_module(project: Path) -> None:
    shutil.copytree(ROOT / "supabase" / "functions", project / "supabase" / "functions")
    fresh = edge_bundle("--check", cwd=project / "supabase" / "migrations")
    assert fresh.returncode == 0, fresh.stderr
    (project / "supabase/migrations/20270101000000_more.sql").write_text("select 1;\n")
    stale = edge_bundle("--check", cwd=project)
    assert stale.returncode == 1
    assert "not bundled: 20270101000000_more.sql" in stale.stderr
    assert "Traceback" not in stale.stderr


def test_no_function_folder_is_one_line(project: Path) -> None:
    out = edge_bundle(cwd=project)
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "supabase/functions/migration-guide" in \
        out.stderr


def test_written_bundle_is_what_apply_makes(stack: LocalStack, db: str, project: Path) -> None:
    """Write a bundle for a project with a second migration, apply the migrations for real,
    and the live catalog equals the bundled expected one, relation by relation."""
    (project / FUNCTION).mkdir(parents=True)
    (project / "supabase/migrations/20270101000000_notes.sql").write_text(
        "create table public.notes (id bigint generated always as identity primary key,\n"
        "  task_id uuid references public.agent_tasks (id) on delete cascade, body text);\n"
        "create index notes_task_id_idx on public.notes (task_id);\n"
        "alter table public.notes enable row level security;\n"
        "create view public.open_notes as select id, body from public.notes;\n"
        "alter table public.agent_tasks add column note_count int not null default 0;\n")
    out = edge_bundle(cwd=project)
    assert out.returncode == 0, out.stderr
    assert "2 migration(s), 13 relation(s)" in out.stdout
    doc = read_bundle(project / BUNDLE)
    assert doc is not None
    assert [m["version"] for m in doc["migrations"]] == ["20261126021500", "20270101000000"]
    assert doc["migrations"][1]["creates"] == ["notes"]
    assert doc["preconditions"]["tables"][0]["name"] == "public.agents"
    assert doc["preconditions"]["extensions"] == ["uuid-ossp"]
    names = [r["name"] for r in doc["relations"]]
    assert names[-2:] == ["public.notes", "public.open_notes"]
    assert "public.agents" not in doc["expected"]["relations"]
    tasks = doc["expected"]["relations"]["public.agent_tasks"]
    assert "note_count" in [c["name"] for c in tasks["columns"]]
    applied = run_toolkit("apply", "--db-url", db, "--json", cwd=project)
    assert applied.code == 0, applied.output
    with psycopg.connect(db, autocommit=True) as conn:
        live = inspect(conn)
    for name, want in doc["expected"]["relations"].items():
        have = live.relations.get(name)
        assert have is not None, name
        assert compare.relation(name, Relation.from_json(want), have) == [], name


def test_a_replaced_history_is_stale(project: Path) -> None:
    shutil.copytree(ROOT / "supabase" / "functions", project / "supabase" / "functions")
    for f in (project / "supabase" / "migrations").glob("*.sql"):
        f.unlink()
    (project / "supabase/migrations/20270101000000_only.sql").write_text("select 1;\n")
    out = edge_bundle("--check", cwd=project)
    assert out.returncode == 1
    assert "not bundled: 20270101000000_only.sql" in out.stderr and "removed: " in out.stderr
