"""The Supabase CLI's conventions where it has one, each compared with the real CLI (npm
package `supabase`): out-of-order files, repair of several versions, `migration new` from
stdin, supabase/config.toml; and the command line's own rules (one option set, --format a
choice, colour variables, completion, one rule outside a project)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import admin, run_toolkit
from tests.safety.test_supabase_cli import CLI, supabase
from tests.workflow.test_migration_cmds import _pairs
from toolkit.local import LocalStack

EARLY = "20250101000000_early_notes.sql"
EARLY_SQL = "create table if not exists public.early_notes (id bigint primary key);\n"


def _history(stack: LocalStack, db: str) -> list[str]:
    with admin(stack, db) as conn:
        return [r[0] for r in conn.execute(
            "select version from supabase_migrations.schema_migrations order by 1")]


def test_out_of_order_file_needs_include_all_as_db_push(stack: LocalStack, db: str,
                                                        project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", env=env, cwd=project).code == 0
    (project / "supabase" / "migrations" / EARLY).write_text(EARLY_SQL)

    theirs = supabase("db", "push", f"--remote={db}", "--dry-run", cwd=project)
    assert theirs.returncode != 0
    assert "inserted before the last migration" in theirs.stdout + theirs.stderr

    plan = run_toolkit("plan", "--json", env=env, cwd=project)
    assert plan.code == 0, plan.output
    warned = [p["message"] for p in plan.json["problems"] if p["level"] == "warning"]
    assert any(EARLY in w and "--include-all" in w for w in warned), warned

    refused = run_toolkit("apply", env=env, cwd=project)
    assert refused.code == 1, refused.output
    assert "inserted before the last migration" in refused.stdout
    assert "--include-all" in refused.stdout
    assert _history(stack, db) == ["20261126021500"]  # nothing applied, as db push does

    done = run_toolkit("apply", "--include-all", env=env, cwd=project)
    assert done.code == 0, done.output
    assert _history(stack, db) == ["20250101000000", "20261126021500"]
    push = supabase("db", "push", f"--remote={db}", "--dry-run", cwd=project)
    assert "Remote database is up to date" in push.stdout + push.stderr


def test_repair_takes_several_versions_like_the_cli(stack: LocalStack, db: str,
                                                    project: Path) -> None:
    migrations = project / "supabase" / "migrations"
    (migrations / EARLY).write_text(EARLY_SQL)
    versions = ["20250101000000", "20261126021500"]
    done = run_toolkit("migration", "repair", *versions, "--status", "applied", "--yes",
                       "--db-url", db, cwd=project)
    assert done.code == 0, done.output
    assert _history(stack, db) == versions
    theirs = supabase("migration", "list", f"--remote={db}", cwd=project)
    assert {(v, v) for v in versions} <= set(_pairs(theirs.stdout))
    # The CLI reverts both in one go too; toolkit reads its result.
    cli = supabase("migration", "repair", "--status", "reverted", *versions, f"--remote={db}",
                   "--yes", cwd=project)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    ours = run_toolkit("migration", "list", "--db-url", db, cwd=project)
    assert {(v, "") for v in versions} <= set(_pairs(ours.stdout))
    bad = run_toolkit("migration", "repair", "20250101000000", "x1", "--status", "reverted",
                      "--yes", "--db-url", db, cwd=project)
    assert bad.code == 2 and "not a migration version" in bad.stderr


def test_migration_new_reads_piped_sql_like_the_cli(tmp_path: Path, project: Path) -> None:
    sql = "alter table public.agents add column if not exists nickname text;\n"
    ours = run_toolkit("migration", "new", "nickname", input=sql, cwd=project)
    assert ours.code == 0, ours.output
    assert (project / ours.stdout.strip()).read_text() == sql
    theirs = subprocess.run([str(CLI), "migration", "new", "nickname_cli", "--agent", "no"],
                            cwd=project, input=sql, capture_output=True, text=True, timeout=120,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                 "SUPABASE_TELEMETRY_DISABLED": "1"})
    assert theirs.returncode == 0, theirs.stderr
    written = next((project / "supabase" / "migrations").glob("*_nickname_cli.sql"))
    assert written.read_text() == sql  # the same convention: stdin becomes the file


def test_every_command_takes_the_same_connection_options() -> None:
    flags = ("--db-url", "--supabase-url", "--service-role-key", "--migrations-dir",
             "--connect-timeout", "--lock-timeout", "--statement-timeout", "--shadow-db-url",
             "--api-schemas", "--env-file")
    for command in (["check"], ["plan"], ["apply"], ["verify"], ["rollback"],
                    ["migration", "list"], ["migration", "repair"]):
        text = run_toolkit(*command, "--help").stdout
        assert [f for f in flags if f not in text] == [], command


def test_format_is_a_choice() -> None:
    result = run_toolkit("check", "--format", "yaml")
    assert result.code == 2
    assert "yaml" in result.stderr and "github" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


@pytest.mark.parametrize(("env", "coloured"), [
    ({"FORCE_COLOR": "1"}, True),
    ({"FORCE_COLOR": "1", "NO_COLOR": ""}, True),  # an empty NO_COLOR is not set
    ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ({"NO_COLOR": ""}, False),  # piped, nothing forced
])
def test_colour_variables(db: str, project: Path, env: dict[str, str], coloured: bool) -> None:
    plan = run_toolkit("plan", env={"SUPABASE_DB_URL": db, **env}, cwd=project)
    assert plan.code == 0, plan.output
    assert ("\033[" in plan.stdout) is coloured
    last = plan.stdout.strip().splitlines()[-1]
    if coloured:  # pending is not an error: yellow, not red
        assert last.startswith("\033[33mPLAN:"), repr(last)
    assert "error:" not in plan.stdout


def test_completion_can_be_installed() -> None:
    """The installed `toolkit` script prints a completion script, and completes."""
    script = Path(sys.executable).with_name("toolkit")
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    # typer's switch to name the shell instead of detecting it from the parent processes
    # (a test runner's parents need not include a shell).
    shown = subprocess.run([str(script), "--show-completion", "bash"],
                           env={**env, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
                           capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "_TOOLKIT_COMPLETE=complete_bash" in shown.stdout
    completed = subprocess.run([str(script)], capture_output=True, text=True, timeout=60,
                               env={**env, "_TOOLKIT_COMPLETE": "complete_bash",
                                    "COMP_WORDS": "toolkit check --for", "COMP_CWORD": "2"})
    assert completed.stdout.split() == ["--format"]
    assert "--install-completion" in run_toolkit("--help").stdout


def test_help_lists_commands_in_order_without_cutting_them() -> None:
    text = run_toolkit("--help").stdout
    listed = re.findall(r"^  (\w+)\s{2,}(.*)$", text.split("Commands:")[1], re.M)
    assert [name for name, _ in listed] == ["check", "plan", "apply", "verify", "rollback",
                                            "diff", "pull", "migration", "local",
                                            "version"]
    assert not [line for _, line in listed if line.endswith("...")]
    for group in ("migration", "local"):
        below = run_toolkit(group, "--help").stdout.split("Commands:")[1]
        assert not [line for line in below.splitlines() if line.endswith("...")], group
    local = run_toolkit("local", "--help").stdout
    assert "reset" in local.split("Commands:")[0] and "reset" in local.split("Commands:")[1]
    assert "Supabase client" not in run_toolkit("verify", "--help").stdout


def test_outside_a_project_every_command_says_so_alike(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    lines = set()
    for command in (["check"], ["plan"], ["apply"], ["verify"], ["rollback", "--yes"],
                    ["migration", "new", "x"], ["migration", "list"],
                    ["migration", "repair", "1", "--status", "reverted", "--yes"],
                    ["diff"], ["pull", "--yes"], ["migration", "squash", "--yes"]):
        result = run_toolkit(*command, env={"SUPABASE_DB_URL": "postgresql://u:p@127.0.0.1:1/x"},
                             cwd=outside)
        assert result.code == 2, (command, result.output)
        assert result.stderr.count("\n") == 1 and "no Supabase project here" in result.stderr
        lines.add(result.stderr)
    assert len(lines) == 1  # the same line, whichever command
    assert list(outside.iterdir()) == []  # migration new wrote nothing


def test_rollback_names_the_version(db: str, project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", env=env, cwd=project).code == 0
    rolled = run_toolkit("rollback", "--yes", env=env, cwd=project)
    assert rolled.code == 0, rolled.output
    assert rolled.stdout.strip().splitlines()[-1] == \
        "OK: rolled back 20261126021500_agent_tables (exit 0)"


def test_a_unique_key_counts_as_the_index_of_a_foreign_key(db: str, project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    assert run_toolkit("apply", env=env, cwd=project).code == 0
    check = run_toolkit("check", "--json", env=env, cwd=project)
    details = {t["name"]: t["detail"] for t in check.json["tables"]}
    # agent_profiles' foreign key (agent_id) is covered by its unique constraint.
    assert "0 indexes" not in details["agent_profiles"], details["agent_profiles"]
    assert not [d for d in details.values() if "foreign key" in d and "0 indexes" in d]


def test_pending_is_not_an_error(db: str, project: Path) -> None:
    env = {"SUPABASE_DB_URL": db}
    for args in (["plan"], ["plan", "--detailed-exitcode"], ["plan", "--format", "github"]):
        plan = run_toolkit(*args, env=env, cwd=project)
        assert plan.code == (5 if "--detailed-exitcode" in args else 0), plan.output
        assert "error" not in plan.output.lower(), (args, plan.output)
