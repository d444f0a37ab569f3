"""Issue 11, black box: every history in tests/projects/ goes through toolkit on a fresh local
stack, and the schema it leaves is byte for byte what psql makes of the same files.

For each project: `apply`, then the `pg_dump --schema-only` of toolkit's database equals that of
a second database where psql ran the same files (file name order, one transaction per file);
then `check` exits 0, a second `apply` has nothing pending, `verify` exits 0 and the real
Supabase CLI's `migration list` shows every version applied on the remote side.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from tests.conftest import Result, run_toolkit
from tests.corpus.projects import (
    PROJECTS,
    migration_files,
    migrations_dir,
    project_dir,
    psql_apply,
    schema_dump,
    version,
)
from tests.safety.test_supabase_cli import supabase
from toolkit.local import TEMPLATE, ApiHandle, LocalStack

AGENT_ROAD = "agent-road"
BY_HAND = "applied-by-hand"  # its first file is run with psql first, as if pasted by hand


def _env(db: str, api: ApiHandle) -> dict[str, str]:
    return {"SUPABASE_DB_URL": db, "SUPABASE_URL": api.api_url,
            "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key}


def _dbname(url: str) -> str:
    return url.rsplit("/", 1)[1].split("?")[0]


def _reason(output: str) -> str:
    """The line that says why: the first error or unmet precondition, else the last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    flagged = [line for line in lines if line.startswith(("error", "toolkit: error", "!!"))]
    return (flagged or lines or ["(no output)"])[0 if flagged else -1]


def _ok(result: Result, what: str) -> None:
    assert result.code == 0, (
        f"{what} exited {result.code}: {_reason(result.output)}\n{result.output}")


def _remote_versions(project: str, db: str, tmp_path: Path) -> dict[str, str]:
    """`supabase migration list` as the CLI prints it: local version -> remote version. Run in
    a copy of the project, as the CLI leaves its supabase/.temp behind."""
    workdir = tmp_path / "cli" / project
    shutil.copytree(project_dir(project), workdir)
    listed = supabase("migration", "list", f"--remote={db}", cwd=workdir)
    assert listed.returncode == 0, listed.stderr
    rows: dict[str, str] = {}
    for line in listed.stdout.splitlines():
        cells = [cell.strip(" `") for cell in line.split("|")]
        if len(cells) >= 2 and cells[0].isdigit():
            rows[cells[0]] = cells[1]
    return rows


def _apply_agent_road_in_two_steps(tmp_path: Path, env: dict[str, str]) -> None:
    """The seed's road: the agent migration alone, then plan shows the second file pending."""
    first, second = migration_files(AGENT_ROAD)
    partial = tmp_path / "migrations"
    partial.mkdir()
    shutil.copy(first, partial / first.name)
    _ok(run_toolkit("apply", "--migrations-dir", str(partial), env=env), "apply of the first file")
    _ok(run_toolkit("check", "--migrations-dir", str(partial), env=env), "check after file 1")
    # plan's exit code for "something pending" is being redefined; what it lists is the
    # contract. Only the codes that mean a bad setup or an unmet precondition are wrong here.
    planned = run_toolkit("plan", "--json", "--migrations-dir", str(migrations_dir(AGENT_ROAD)),
                          env=env)
    assert planned.code not in (2, 3), f"plan: {_reason(planned.output)}"
    assert [p["version"] for p in planned.json["planned"]] == [version(second)], planned.output


@pytest.mark.parametrize("project", PROJECTS)
def test_history_applies_like_psql_and_stays_green(project: str, stack: LocalStack, db: str,
                                                   api: ApiHandle, psql_db: str,
                                                   tmp_path: Path) -> None:
    env = _env(db, api)
    folder = str(migrations_dir(project))
    files = migration_files(project)

    if project == AGENT_ROAD:
        _apply_agent_road_in_two_steps(tmp_path, env)
    if project == BY_HAND:
        psql_apply(db, files[:1])
    _ok(run_toolkit("apply", "--migrations-dir", folder, env=env), "apply")

    psql_apply(stack.db_url(psql_db), files)
    ours, theirs = schema_dump(stack, _dbname(db)), schema_dump(stack, psql_db)
    assert theirs != schema_dump(stack, TEMPLATE), "the files changed nothing: a broken fixture"
    diff = list(difflib.unified_diff(theirs, ours, "psql", "toolkit", lineterm="", n=2))
    assert diff == [], "schema after toolkit apply differs from psql's:\n" + "\n".join(diff[:80])

    _ok(run_toolkit("check", "--migrations-dir", folder, env=env), "check after apply")
    again = run_toolkit("apply", "--migrations-dir", folder, env=env)
    _ok(again, "second apply")
    assert "nothing pending" in again.stdout, again.output
    _ok(run_toolkit("verify", "--migrations-dir", folder, env=env), "verify")

    remote = _remote_versions(project, db, tmp_path)
    assert {version(f): remote.get(version(f)) for f in files} == {
        version(f): version(f) for f in files}, remote
