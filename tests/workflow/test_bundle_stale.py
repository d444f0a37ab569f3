"""bundle_stale: the Edge Function's bundled migrations against supabase/migrations."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.conftest import ROOT, run_toolkit
from toolkit.project.edge_bundle import BUNDLE, bundle_stale


def test_the_repository_bundle_is_fresh() -> None:
    """The recorded SHA-256 of each file equals the folder's: no false alarm."""
    assert (ROOT / BUNDLE).is_file()
    assert bundle_stale(ROOT) is None


def test_new_changed_and_removed_files_are_named(project: Path) -> None:
    shutil.copytree(ROOT / "supabase" / "functions", project / "supabase" / "functions")
    assert bundle_stale(project) is None
    migrations = project / "supabase" / "migrations"
    (migrations / "20270101000000_more.sql").write_text("select 1;\n")
    stale = bundle_stale(project)
    assert stale is not None
    assert "not bundled: 20270101000000_more.sql" in stale and "make bundle" in stale
    seed = next(migrations.glob("2026*.sql"))
    seed.write_text(seed.read_text() + "\n-- edited\n")
    assert f"changed since: {seed.name}" in (bundle_stale(project) or "")
    seed.unlink()
    assert f"removed: {seed.name}" in (bundle_stale(project) or "")


def test_no_function_no_warning(project: Path) -> None:
    assert not (project / BUNDLE).exists()
    assert bundle_stale(project) is None


def test_check_warns_from_the_project(db: str, project: Path) -> None:
    shutil.copytree(ROOT / "supabase" / "functions", project / "supabase" / "functions")
    env = {"SUPABASE_DB_URL": db}
    fresh = run_toolkit("check", "--json", env=env, cwd=project)
    assert not any("Edge Function" in p["message"] for p in fresh.json["problems"])
    (project / "supabase/migrations/20270101000000_more.sql").write_text(
        "create table if not exists public.more (id bigint primary key);\n")
    stale = run_toolkit("check", "--json", env=env, cwd=project)
    warnings = [p["message"] for p in stale.json["problems"] if p["level"] == "warning"]
    assert any("Edge Function's bundle" in w and "20270101000000_more.sql" in w
               for w in warnings), warnings
    # Said once per bundle: the next run (another new file, as after every migration new)
    # has a short note instead of the warning again.
    (project / "supabase/migrations/20270101000001_more_again.sql").write_text("select 1;\n")
    again = run_toolkit("check", "--json", env=env, cwd=project)
    assert not any("Edge Function" in p["message"] for p in again.json["problems"])
    assert any("make bundle" in n for n in again.json["notes"]), again.json["notes"]
