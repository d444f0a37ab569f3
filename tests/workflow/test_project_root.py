"""The project root is found as the Supabase CLI finds it: walking up to the folder that holds
supabase/. Every command run from supabase/migrations/ reads the same files, .env and stack."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import ROOT, run_toolkit
from toolkit.local import stop, throwaway_state_dir
from toolkit.project.root import find_root


def test_find_root_walks_up(project: Path) -> None:
    deep = project / "supabase" / "migrations"
    assert find_root(deep) == project.resolve()
    assert find_root(project) == project.resolve()
    assert find_root(project.parent) == project.parent.resolve()  # no supabase/: stay put


def test_every_command_from_the_migrations_folder(db: str, project: Path) -> None:
    here = project / "supabase" / "migrations"
    env = {"SUPABASE_DB_URL": db}
    plan = run_toolkit("plan", "--json", env=env, cwd=here)
    assert plan.code in (0, 1), plan.output
    assert plan.json["pending"] == ["20261126021500"]
    assert run_toolkit("apply", env=env, cwd=here).code == 0
    check = run_toolkit("check", "--json", env=env, cwd=here)
    assert check.code == 0, check.output
    assert check.json["pending"] == [] and len(check.json["tables"]) == 12
    listed = run_toolkit("migration", "list", env=env, cwd=here)
    assert listed.code == 0 and "`20261126021500` | `20261126021500`" in listed.stdout
    made = run_toolkit("migration", "new", "from_below", cwd=here / "..")
    assert made.code == 0
    assert (project / "supabase" / "migrations" / Path(made.stdout.strip()).name).is_file()
    Path(project / "supabase/migrations" / Path(made.stdout.strip()).name).unlink()
    rolled = run_toolkit("rollback", "--yes", env=env, cwd=here)
    assert rolled.code == 0, rolled.output
    verify = run_toolkit("verify", env=env, cwd=here)
    assert "no migration files" not in verify.output and "does not exist" not in verify.output


def test_one_local_stack_per_project() -> None:
    """`toolkit local start` at the root, then status/env/stop from supabase/migrations/ find
    that same stack; none is started under the subfolder."""
    with throwaway_state_dir("toolkit-project-") as project:
        for part in ("migrations", "rollbacks"):
            shutil.copytree(ROOT / "supabase" / part, project / "supabase" / part)
        state = project / ".toolkit" / "local"
        here = project / "supabase" / "migrations"
        try:
            started = run_toolkit("local", "start", cwd=here, timeout=180)
            assert started.code == 0, started.output
            assert state.is_dir() and not (here / ".toolkit").exists()
            status = run_toolkit("local", "status", "--json", cwd=project)
            assert status.code == 0 and json.loads(status.stdout)["running"] is True
            again = run_toolkit("local", "status", "--json", cwd=here)
            assert json.loads(again.stdout) == json.loads(status.stdout)
            env = run_toolkit("local", "env", "--format", "dotenv", cwd=here / "..",
                              log=False)
            assert env.code == 0 and "SUPABASE_DB_URL=" in env.stdout
        finally:
            stop(state)
        stopped = run_toolkit("local", "status", cwd=here)
        assert stopped.code == 1
