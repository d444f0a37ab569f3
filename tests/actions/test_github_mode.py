"""GitHub Actions mode against a real stack: outputs, job summary, annotations, masks, no leaks.

toolkit runs as the action runs it (GITHUB_ACTIONS=true, the runner's files in a tmp dir), against
this test's own database and its PostgREST + gateway.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import MIGRATIONS, NEW_TABLES, ROOT, Result, admin, run_toolkit
from toolkit.local import ApiHandle, LocalStack
from toolkit.output.github import command_line, output_lines

VERSION = "20261126021500"


@dataclass
class Runner:
    """The files and variables a GitHub runner gives a step."""

    tmp: Path
    summary: Path
    output: Path
    temp: Path
    env: dict[str, str]

    def outputs(self) -> dict[str, str]:
        return parse_outputs(self.output.read_text(encoding="utf-8"))

    def reset(self) -> None:
        self.summary.write_text("")
        self.output.write_text("")


def parse_outputs(text: str) -> dict[str, str]:
    """$GITHUB_OUTPUT as the runner reads it: name=value lines and name<<DELIM blocks."""
    out: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            out[name] = "\n".join(value)
        elif "=" in line:
            name, value_ = line.split("=", 1)
            out[name] = value_
    return out


@pytest.fixture
def runner(tmp_path: Path) -> Runner:
    temp = tmp_path / "runner-temp"
    temp.mkdir()
    summary, output = tmp_path / "summary.md", tmp_path / "output.txt"
    summary.write_text("")
    output.write_text("")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(output), "RUNNER_TEMP": str(temp),
           "GITHUB_WORKSPACE": str(ROOT)}
    return Runner(tmp_path, summary, output, temp, env)


def full_env(runner: Runner, db: str, api: ApiHandle | None = None) -> dict[str, str]:
    env = {**runner.env, "SUPABASE_DB_URL": db}
    if api is not None:
        env |= {"SUPABASE_URL": api.api_url, "SUPABASE_SERVICE_ROLE_KEY": api.service_role_key}
    return env


def secrets_of(db: str, api: ApiHandle | None = None) -> list[str]:
    password = urlsplit(db).password
    assert password and len(password) >= 8, "the test database URL must carry a password"
    return [password] + ([api.service_role_key] if api else [])


def assert_no_leak(result: Result, runner: Runner, secrets: list[str]) -> None:
    """No secret anywhere the runner keeps, except on ::add-mask:: lines."""
    places = {"stdout": result.stdout, "stderr": result.stderr,
              "summary": runner.summary.read_text(), "outputs": runner.output.read_text()}
    report = runner.outputs().get("report")
    if report and Path(report).is_file():
        places["report"] = Path(report).read_text()
    for where, text in places.items():
        for line in text.splitlines():
            if line.startswith("::add-mask::"):
                continue
            for secret in secrets:
                assert secret not in line, f"a secret leaked into {where}: {line[:80]}..."


def masks(text: str) -> list[str]:
    return [line.removeprefix("::add-mask::") for line in text.splitlines()
            if line.startswith("::add-mask::")]


def table_rows(summary: str) -> dict[str, list[str]]:
    rows = {}
    for line in summary.splitlines():
        m = re.match(r"^\| `([a-z_]+)` \|(.*)\|$", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in m.group(2).split("|")]
    return rows


def test_check_before_apply(runner: Runner, db: str, api: ApiHandle) -> None:
    result = run_toolkit("check", env=full_env(runner, db, api))
    assert result.code == 1, result.output
    out = runner.outputs()
    assert out["status"] == "incomplete"
    assert sorted(out["missing"].split(",")) == sorted(NEW_TABLES)
    assert out["applied"] == ""
    assert out["pending"] == VERSION
    # masks come first, before any other output
    first = result.stdout.splitlines()[0]
    assert first.startswith("::add-mask::"), result.stdout[:200]
    assert set(secrets_of(db, api)) <= set(masks(result.stdout))
    summary = runner.summary.read_text()
    rows = table_rows(summary)
    assert len(rows) == 12, summary
    assert "present" in rows["agents"][0] and "present" in rows["agents"][1]
    for name in NEW_TABLES:
        assert "missing" in rows[name][0], (name, rows[name])
        assert "missing" in rows[name][1], (name, rows[name])
    assert "toolkit check: incomplete" in summary
    # One annotation on the unapplied migration file instead of eleven.
    notes = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert any(f"file=supabase/migrations/{VERSION}_agent_tables.sql,line=1" in line
               and "11 tables missing" in line for line in notes), notes
    assert_no_leak(result, runner, secrets_of(db, api))


def test_apply_then_check(runner: Runner, db: str, api: ApiHandle) -> None:
    result = run_toolkit("apply", env=full_env(runner, db, api))
    assert result.code == 0, result.output
    out = runner.outputs()
    assert out["status"] == "ok"
    assert out["applied"] == VERSION
    assert out["missing"] == ""
    assert out["pending"] == ""
    report = Path(out["report"])
    assert report.parent == runner.temp
    data = json.loads(report.read_text())
    assert data["command"] == "apply" and data["status"] == "ok"
    assert [a["version"] for a in data["applied"]] == [VERSION]
    summary = runner.summary.read_text()
    assert "toolkit apply: ok" in summary
    assert f"`{VERSION}_agent_tables`" in summary
    assert "Timings:" in summary
    rows = table_rows(summary)
    assert len(rows) == 12
    assert all("present" in r[0] and "present" in r[1] for r in rows.values()), rows
    assert not [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert_no_leak(result, runner, secrets_of(db, api))

    runner.reset()
    again = run_toolkit("check", env=full_env(runner, db, api))
    assert again.code == 0, again.output
    assert runner.outputs()["status"] == "ok"
    assert runner.outputs()["missing"] == ""
    assert_no_leak(again, runner, secrets_of(db, api))


def test_plan_incomplete_then_ok(runner: Runner, db: str) -> None:
    before = run_toolkit("plan", env=full_env(runner, db))
    assert before.code == 0, before.output  # a plan was made; pending is not a failure
    assert runner.outputs()["status"] == "pending"
    assert runner.outputs()["pending"] == VERSION
    summary = runner.summary.read_text()
    assert "toolkit plan: pending" in summary
    # The summary leads with what will change, before the table of what stays.
    assert summary.index("20261126021500_agent_tables") < summary.index("| table |")
    # Pending is expected on a pull request: a notice, not an error.
    assert not [line for line in before.stdout.splitlines() if line.startswith("::error")]
    assert any(line.startswith("::notice file=supabase/migrations/") and "is pending" in line
               for line in before.stdout.splitlines()), before.stdout
    # plan's warnings (a lock on an existing table) land on their line of the file
    assert any(line.startswith(f"::warning file=supabase/migrations/{VERSION}_agent_tables.sql,"
                               "line=") for line in before.stdout.splitlines()), before.stdout
    assert_no_leak(before, runner, secrets_of(db))

    runner.reset()
    assert run_toolkit("apply", env=full_env(runner, db)).code == 0
    runner.reset()
    after = run_toolkit("plan", env=full_env(runner, db))
    assert after.code == 0, after.output
    assert runner.outputs()["status"] == "ok"
    assert runner.outputs()["pending"] == ""
    assert_no_leak(after, runner, secrets_of(db))


def test_failing_migration_is_annotated_on_its_line(runner: Runner, db: str,
                                                    tmp_path: Path) -> None:
    workspace = tmp_path / "repo"
    migrations = workspace / "supabase" / "migrations"
    shutil.copytree(MIGRATIONS, migrations)
    good = migrations / f"{VERSION}_agent_tables.sql"
    good.write_text(good.read_text() + "\ncreate table if not exists public.broken_table (\n"
                    "    id uuid default 'not-a-uuid'::uuid\n);\n")
    bad_line = next(i for i, line in enumerate(good.read_text().splitlines(), 1)
                    if "not-a-uuid" in line)
    env = full_env(runner, db) | {"GITHUB_WORKSPACE": str(workspace)}
    result = run_toolkit("apply", "--migrations-dir", str(migrations), env=env)
    assert result.code == 1, result.output
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error ")]
    wanted = f"::error file=supabase/migrations/{good.name},line={bad_line},col="
    assert any(line.startswith(wanted) and "invalid input syntax for type uuid" in line
               for line in errors), errors
    out = runner.outputs()
    assert out["status"] == "failed"
    assert out["applied"] == ""
    assert "❌" in runner.summary.read_text()
    assert_no_leak(result, runner, secrets_of(db))


def test_json_stays_pure_with_masks_on_stderr(runner: Runner, db: str, api: ApiHandle) -> None:
    result = run_toolkit("check", "--json", env=full_env(runner, db, api))
    assert result.code == 1, result.output
    data = json.loads(result.stdout)  # stdout is one JSON document and nothing else
    assert data["command"] == "check" and data["status"] == "incomplete"
    assert "::" not in result.stdout
    assert set(secrets_of(db, api)) <= set(masks(result.stderr))
    assert result.stderr.splitlines()[0].startswith("::add-mask::")
    assert runner.outputs()["status"] == "incomplete"
    assert_no_leak(result, runner, secrets_of(db, api))


def test_error_before_a_report_is_masked_and_one_line(runner: Runner, db: str) -> None:
    """A connection failure: the password is masked, never printed, and no traceback."""
    parts = urlsplit(db)
    assert parts.password
    refused = db.replace(f"@{parts.hostname}:{parts.port}", f"@{parts.hostname}:1")
    result = run_toolkit("check", env=full_env(runner, refused))
    assert result.code == 2, result.output
    assert "Traceback" not in result.output
    assert parts.password in masks(result.stdout)
    assert any(line.startswith("::error") for line in result.output.splitlines())
    assert_no_leak(result, runner, secrets_of(db))


def test_drift_is_annotated_on_the_create_table_line(stack: LocalStack, runner: Runner,
                                                     db: str) -> None:
    assert run_toolkit("apply", env=full_env(runner, db)).code == 0
    with admin(stack, db) as conn:
        conn.execute("alter table public.agent_tools add column surprise text")
    runner.reset()
    result = run_toolkit("check", env=full_env(runner, db))
    assert result.code == 1, result.output
    assert runner.outputs()["status"] == "incomplete"
    source = (MIGRATIONS / f"{VERSION}_agent_tables.sql").read_text().splitlines()
    line = next(i for i, text in enumerate(source, 1)
                if "create table if not exists public.agent_tools" in text)
    warnings = [w for w in result.stdout.splitlines() if w.startswith("::warning ")]
    assert any(w.startswith(f"::warning file=supabase/migrations/{VERSION}_agent_tables.sql,"
                            f"line={line},") and "surprise" in w for w in warnings), warnings
    assert "drifted" in table_rows(runner.summary.read_text())["agent_tools"][0]


def test_outputs_and_commands_are_escaped() -> None:
    """Pure functions: a value with a line break, and % , : in properties and messages."""
    text = output_lines({"status": "ok", "note": "two\nlines"})
    assert parse_outputs(text) == {"status": "ok", "note": "two\nlines"}
    assert text.startswith("status=ok\nnote<<ghadelimiter_")
    line = command_line("error", "100% broken\nsecond line with hunter22", ["hunter22"],
                        file="/nowhere/a,b:c.sql", line=3, col=4, title="toolkit apply")
    assert line == ("::error file=/nowhere/a%2Cb%3Ac.sql,line=3,col=4,title=toolkit apply"
                    "::100%25 broken%0Asecond line with ***")
